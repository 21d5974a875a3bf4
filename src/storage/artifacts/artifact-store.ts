// Artifacts of runs, on disk:
//
//   <root>/<run backend id>/<artifact id>.json        what the artifact is (name, job, size, digest, expiry)
//   <root>/<run backend id>/<artifact id>.blob        its content (a zip, or the one raw file)
//   <root>/<run backend id>/uploads/<artifact id>/    staged blocks while it uploads
//
// An artifact is listed only once finalized; its content is complete and
// flushed before it is moved into place. Ids and block ids are checked before
// they name a file, and names are GitHub's (no slashes or other path characters).

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isTemporaryName, moveIntoPlace, syncFile, temporaryName, writeFileAtomic } from '../atomic-files.ts';
import { checkArtifactName } from './artifact-names.ts';
import { firstUnsafeEntry } from './zip-entries.ts';

export interface Artifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  createdAt: number;
  /** Undefined: kept as long as the run's logs. */
  expiresAt?: number;
  /** Whole days between creation and expiry, as recorded. */
  retentionDays?: number;
  mimeType: string;
  finalized: boolean;
  size: number;
  /** `sha256:<hex>` of the content. */
  digest?: string;
}

export class ArtifactError extends Error {
  constructor(
    readonly code: 'not_found' | 'already_exists' | 'invalid_argument' | 'permission_denied' | 'failed_precondition',
    message: string,
  ) {
    super(message);
  }
}

const RUN_ID = /^[A-Za-z0-9-]{1,64}$/;

function checkRunId(runBackendId: string): void {
  if (!RUN_ID.test(runBackendId)) throw new ArtifactError('invalid_argument', `not a run backend id: '${runBackendId}'`);
}

/** Azure block ids are base64; their bytes in hex name the staged file. */
function blockFileName(blockId: string): string {
  if (!/^[A-Za-z0-9+/=_-]{1,128}$/.test(blockId)) throw new ArtifactError('invalid_argument', `not a block id: '${blockId}'`);
  return Buffer.from(blockId, 'base64').toString('hex');
}

export class ArtifactStore {
  readonly root: string;
  /** Creating, finalizing and removing happen one at a time: ids and names stay unique. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runFolder(runBackendId: string): string {
    checkRunId(runBackendId);
    return path.join(this.root, runBackendId);
  }

  private metaFile(runBackendId: string, id: number): string {
    return path.join(this.runFolder(runBackendId), `${id}.json`);
  }

  contentFile(runBackendId: string, id: number): string {
    if (!Number.isSafeInteger(id) || id < 1) throw new ArtifactError('invalid_argument', `not an artifact id: ${id}`);
    return path.join(this.runFolder(runBackendId), `${id}.blob`);
  }

  private uploadFolder(runBackendId: string, id: number): string {
    return path.join(this.runFolder(runBackendId), 'uploads', String(id));
  }

  /** Every artifact of the run, finalized or not, expired ones removed. */
  async all(runBackendId: string): Promise<Artifact[]> {
    const folder = this.runFolder(runBackendId);
    const names = await readdir(folder).catch(() => [] as string[]);
    const artifacts: Artifact[] = [];
    for (const name of names.filter((n) => n.endsWith('.json') && !isTemporaryName(n))) {
      const artifact = JSON.parse(await readFile(path.join(folder, name), 'utf8')) as Artifact;
      if (artifact.expiresAt !== undefined && artifact.expiresAt < Date.now()) await this.removeFiles(artifact);
      else artifacts.push(artifact);
    }
    return artifacts.sort((a, b) => a.id - b.id);
  }

  async list(runBackendId: string, filter: { name?: string; id?: number } = {}): Promise<Artifact[]> {
    return (await this.all(runBackendId)).filter(
      (a) => a.finalized && (filter.name === undefined || a.name === filter.name) && (filter.id === undefined || a.id === filter.id),
    );
  }

  create(request: { runBackendId: string; jobBackendId: string; name: string; expiresAt?: number; mimeType?: string }): Promise<Artifact> {
    checkArtifactName(request.name);
    return this.serially(() => this.createNow(request));
  }

  private async createNow(request: { runBackendId: string; jobBackendId: string; name: string; expiresAt?: number; mimeType?: string }): Promise<Artifact> {
    const existing = await this.all(request.runBackendId);
    const same = existing.find((a) => a.name === request.name);
    if (same?.finalized) {
      throw new ArtifactError('already_exists', `an artifact named '${request.name}' already exists in this run (delete it first, or upload with overwrite: true)`);
    }
    if (same) await this.removeFiles(same);
    const id = Math.max(0, ...existing.map((a) => a.id)) + 1;
    const createdAt = Date.now();
    const artifact: Artifact = {
      id,
      name: request.name,
      runBackendId: request.runBackendId,
      jobBackendId: request.jobBackendId,
      createdAt,
      ...(request.expiresAt !== undefined
        ? { expiresAt: request.expiresAt, retentionDays: Math.max(1, Math.round((request.expiresAt - createdAt) / 86_400_000)) }
        : {}),
      mimeType: request.mimeType || 'application/zip',
      finalized: false,
      size: 0,
    };
    await mkdir(this.uploadFolder(request.runBackendId, id), { recursive: true });
    await writeFileAtomic(this.metaFile(request.runBackendId, id), JSON.stringify(artifact));
    return artifact;
  }

  async get(runBackendId: string, id: number): Promise<Artifact | undefined> {
    return (await this.all(runBackendId)).find((a) => a.id === id);
  }

  /** Put Block: one staged block of an unfinalized artifact. */
  async stageBlock(runBackendId: string, id: number, blockId: string, body: Readable): Promise<void> {
    await this.unfinalized(runBackendId, id);
    const file = path.join(this.uploadFolder(runBackendId, id), blockFileName(blockId));
    const temporary = temporaryName(file);
    await pipeline(body, createWriteStream(temporary, { flags: 'wx' }));
    await moveIntoPlace(temporary, file);
  }

  /** Put Block List: the content is the staged blocks in this order. */
  async commitBlocks(runBackendId: string, id: number, blockIds: readonly string[]): Promise<void> {
    await this.unfinalized(runBackendId, id);
    const folder = this.uploadFolder(runBackendId, id);
    const target = this.contentFile(runBackendId, id);
    const temporary = temporaryName(target);
    const out = createWriteStream(temporary, { flags: 'wx' });
    try {
      for (const blockId of blockIds) {
        const block = path.join(folder, blockFileName(blockId));
        if (!(await stat(block).then((s) => s.isFile(), () => false))) throw new ArtifactError('invalid_argument', `block ${blockId} was never staged`);
        await pipeline(createReadStream(block), out, { end: false });
      }
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    } catch (error) {
      out.destroy();
      await rm(temporary, { force: true });
      throw error;
    }
    await syncFile(temporary);
    await moveIntoPlace(temporary, target);
    await rm(folder, { recursive: true, force: true });
  }

  /** Put Blob: the whole content in one request. */
  async putContent(runBackendId: string, id: number, body: Readable): Promise<void> {
    await this.unfinalized(runBackendId, id);
    const target = this.contentFile(runBackendId, id);
    const temporary = temporaryName(target);
    await pipeline(body, createWriteStream(temporary, { flags: 'wx' }));
    await syncFile(temporary);
    await moveIntoPlace(temporary, target);
  }

  private async unfinalized(runBackendId: string, id: number): Promise<Artifact> {
    const artifact = await this.get(runBackendId, id);
    if (!artifact) throw new ArtifactError('not_found', `artifact ${id} does not exist in this run`);
    if (artifact.finalized) throw new ArtifactError('failed_precondition', `artifact '${artifact.name}' is already finalized`);
    return artifact;
  }

  /** Makes an uploaded artifact visible; a zip with an entry that would escape its folder is refused and removed. */
  finalize(runBackendId: string, name: string, claimed: { size?: number; digest?: string }): Promise<Artifact> {
    return this.serially(() => this.finalizeNow(runBackendId, name, claimed));
  }

  private async finalizeNow(runBackendId: string, name: string, claimed: { size?: number; digest?: string }): Promise<Artifact> {
    const artifact = (await this.all(runBackendId)).find((a) => a.name === name && !a.finalized);
    if (!artifact) throw new ArtifactError('not_found', `no upload of an artifact named '${name}' is in progress in this run`);
    const content = this.contentFile(runBackendId, artifact.id);
    const size = await stat(content).then((s) => s.size, () => undefined);
    if (size === undefined) throw new ArtifactError('failed_precondition', `artifact '${name}' has no uploaded content`);
    if (claimed.size !== undefined && claimed.size !== size) {
      throw new ArtifactError('failed_precondition', `artifact '${name}': the client sent ${claimed.size} bytes but ${size} arrived`);
    }
    const hash = createHash('sha256');
    await pipeline(createReadStream(content), hash);
    const digest = `sha256:${hash.digest('hex')}`;
    if (claimed.digest && claimed.digest !== digest) {
      throw new ArtifactError('failed_precondition', `artifact '${name}': its digest is ${digest}, the client computed ${claimed.digest}`);
    }
    if (artifact.mimeType === 'application/zip') {
      const unsafe = await firstUnsafeEntry(content).catch((error: Error) => ({ name: '(the archive)', reason: `is not a readable zip: ${error.message}` }));
      if (unsafe) {
        await this.removeFiles(artifact);
        throw new ArtifactError('invalid_argument', `artifact '${name}' is refused: its entry '${unsafe.name}' ${unsafe.reason}`);
      }
    }
    const finalized: Artifact = { ...artifact, finalized: true, size, digest };
    await writeFileAtomic(this.metaFile(runBackendId, artifact.id), JSON.stringify(finalized));
    return finalized;
  }

  remove(artifact: Artifact): Promise<void> {
    return this.serially(() => this.removeFiles(artifact));
  }

  private async removeFiles(artifact: Artifact): Promise<void> {
    await rm(this.metaFile(artifact.runBackendId, artifact.id), { force: true });
    await rm(this.contentFile(artifact.runBackendId, artifact.id), { force: true });
    await rm(this.uploadFolder(artifact.runBackendId, artifact.id), { recursive: true, force: true });
  }
}
