// The cache's storage on disk, shared by every `gantry run` of this user:
//
//   <root>/blobs/sha256/<2 hex>/<sha256>   archives, content-addressed
//   <root>/entries/<entry id>.json         key, version, scope -> blob; mtime = last use
//   <root>/uploads/<entry id>/             a reservation being uploaded (owner.json, data)
//
// An entry appears only after its archive is complete, flushed and moved into
// place, and its own file is written atomically: a crash leaves at most an
// upload folder, which no lookup reads and the next open removes. Entry ids are
// hashes of (scope, key, version), so no key or scope ever becomes a path.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { processExists } from '../../executors/process-exists.ts';
import { isTemporaryName, moveIntoPlace, syncFile, writeFileAtomic } from '../atomic-files.ts';

export interface CacheEntry {
  id: string;
  key: string;
  version: string;
  scope: string;
  /** The archive's sha256 (hex). */
  blob: string;
  size: number;
  createdAt: number;
  /** When a lookup last returned it (the entry file's mtime). */
  lastUsedAt: number;
}

export interface CacheStoreOptions {
  root: string;
  /** Total size of the archives kept; the least recently used entries go first beyond it. */
  maxBytes: number;
  /** A reservation whose process is alive but which has not been touched for this long is abandoned. */
  staleUploadMs?: number;
}

export class CacheKeyError extends Error {}

const MAX_KEY_LENGTH = 512;
const ENTRY_ID = /^[0-9a-f]{64}$/;

/** GitHub's key rules (the toolkit's checkKey), plus no control characters. */
export function checkCacheKey(key: string): void {
  if (key.length === 0) throw new CacheKeyError('a cache key may not be empty');
  if (key.length > MAX_KEY_LENGTH) throw new CacheKeyError(`cache key '${key.slice(0, 40)}...' is longer than ${MAX_KEY_LENGTH} characters`);
  if (key.includes(',')) throw new CacheKeyError(`cache key '${key}' may not contain commas`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(key)) throw new CacheKeyError('a cache key may not contain control characters');
}

function entryId(scope: string, key: string, version: string): string {
  return createHash('sha256').update(`${scope}\0${key}\0${version}`).digest('hex');
}

/** A reservation: chunks at any offset, then commit with the total size. */
export class CacheUpload {
  private received = 0;
  private finished = false;

  constructor(
    private readonly store: CacheStore,
    readonly entry: Pick<CacheEntry, 'id' | 'key' | 'version' | 'scope'>,
    private readonly folder: string,
  ) {}

  private get dataFile(): string {
    return path.join(this.folder, 'data');
  }

  /** Writes one chunk (bytes `start`..`end`, inclusive) from `body`. */
  async writeChunk(start: number, end: number, body: Readable): Promise<void> {
    if (this.finished) throw new CacheKeyError('this upload is already committed or abandoned');
    await pipeline(body, createWriteStream(this.dataFile, { flags: 'r+', start }));
    this.received += end - start + 1;
    await utimes(this.folder, new Date(), new Date());
  }

  /** Makes the entry visible once `size` bytes have arrived; anything else abandons the upload. */
  async commit(size: number): Promise<CacheEntry> {
    if (this.finished) throw new CacheKeyError('this upload is already committed or abandoned');
    this.finished = true;
    try {
      const actual = (await stat(this.dataFile)).size;
      if (actual !== size || this.received < size) {
        throw new CacheKeyError(`the upload has ${Math.min(actual, this.received)} of the ${size} bytes committed`);
      }
      await syncFile(this.dataFile);
      return await this.store.addEntry(this.entry, this.dataFile, size);
    } finally {
      await rm(this.folder, { recursive: true, force: true });
    }
  }

  async abandon(): Promise<void> {
    this.finished = true;
    await rm(this.folder, { recursive: true, force: true });
  }
}

export class CacheStore {
  readonly root: string;
  readonly maxBytes: number;
  private readonly staleUploadMs: number;

  private constructor(options: CacheStoreOptions) {
    this.root = path.resolve(options.root);
    this.maxBytes = options.maxBytes;
    this.staleUploadMs = options.staleUploadMs ?? 3600_000;
  }

  static async open(options: CacheStoreOptions): Promise<CacheStore> {
    const store = new CacheStore(options);
    for (const folder of ['blobs/sha256', 'entries', 'uploads']) await mkdir(path.join(store.root, folder), { recursive: true });
    await store.removeAbandonedUploads();
    return store;
  }

  private get entriesFolder(): string {
    return path.join(this.root, 'entries');
  }

  private get uploadsFolder(): string {
    return path.join(this.root, 'uploads');
  }

  blobPath(blob: string): string {
    if (!/^[0-9a-f]{64}$/.test(blob)) throw new CacheKeyError(`not a blob name: ${blob}`);
    return path.join(this.root, 'blobs', 'sha256', blob.slice(0, 2), blob);
  }

  /** Uploads left by processes that died (or went silent): never visible, removed. */
  async removeAbandonedUploads(): Promise<void> {
    for (const name of await readdir(this.uploadsFolder)) {
      const folder = path.join(this.uploadsFolder, name);
      if (await this.abandoned(folder)) await rm(folder, { recursive: true, force: true });
    }
  }

  private async abandoned(folder: string): Promise<boolean> {
    try {
      const owner = JSON.parse(await readFile(path.join(folder, 'owner.json'), 'utf8')) as { pid: number };
      const touched = (await stat(folder)).mtimeMs;
      return !processExists(owner.pid) || Date.now() - touched > this.staleUploadMs;
    } catch {
      // No owner file: its reservation never finished starting; old enough means abandoned.
      const touched = await stat(folder).then((s) => s.mtimeMs, () => 0);
      return Date.now() - touched > 10_000;
    }
  }

  async entries(): Promise<CacheEntry[]> {
    const names = (await readdir(this.entriesFolder)).filter((name) => !isTemporaryName(name) && name.endsWith('.json'));
    const entries: CacheEntry[] = [];
    for (const name of names) {
      const entry = await this.readEntry(name.slice(0, -'.json'.length));
      if (entry) entries.push(entry);
    }
    return entries;
  }

  private async readEntry(id: string): Promise<CacheEntry | undefined> {
    if (!ENTRY_ID.test(id)) return undefined;
    const file = path.join(this.entriesFolder, `${id}.json`);
    try {
      const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      return { ...(JSON.parse(text) as Omit<CacheEntry, 'lastUsedAt'>), lastUsedAt: info.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * GitHub's matching: in each readable scope in order (the job's ref, then the
   * base or default branch), each key in order, first an exact match, then the
   * newest entry whose key starts with it. Only entries of `version` count.
   */
  async lookup(keys: readonly string[], version: string, scopes: readonly string[]): Promise<CacheEntry | undefined> {
    const candidates = (await this.entries()).filter((entry) => entry.version === version);
    for (const scope of scopes) {
      const inScope = candidates.filter((entry) => entry.scope === scope);
      for (const key of keys) {
        const exact = inScope.find((entry) => entry.key === key);
        const found = exact ?? inScope.filter((entry) => entry.key.startsWith(key)).sort((a, b) => b.createdAt - a.createdAt)[0];
        if (found) {
          await this.touch(found);
          return found;
        }
      }
    }
    return undefined;
  }

  async entry(id: string): Promise<CacheEntry | undefined> {
    return this.readEntry(id);
  }

  private async touch(entry: CacheEntry): Promise<void> {
    const now = new Date();
    await utimes(path.join(this.entriesFolder, `${entry.id}.json`), now, now).catch(() => undefined);
    entry.lastUsedAt = now.getTime();
  }

  /**
   * Reserves (scope, key, version) for an upload: 'exists' when such an entry is
   * already stored (entries never change), 'busy' while another upload has it.
   */
  async reserve(key: string, version: string, scope: string): Promise<CacheUpload | 'exists' | 'busy'> {
    checkCacheKey(key);
    const id = entryId(scope, key, version);
    if (await this.readEntry(id)) return 'exists';
    const folder = path.join(this.uploadsFolder, id);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await mkdir(folder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (attempt === 0 && (await this.abandoned(folder))) {
          await rm(folder, { recursive: true, force: true });
          continue;
        }
        return 'busy';
      }
      await writeFile(path.join(folder, 'data'), '');
      await writeFile(path.join(folder, 'owner.json'), JSON.stringify({ pid: process.pid, token: randomBytes(8).toString('hex') }));
      return new CacheUpload(this, { id, key, version, scope }, folder);
    }
    return 'busy';
  }

  /** Moves a complete, flushed archive into the store and makes its entry visible. */
  async addEntry(described: Pick<CacheEntry, 'id' | 'key' | 'version' | 'scope'>, dataFile: string, size: number): Promise<CacheEntry> {
    const blob = await sha256Of(dataFile);
    const target = this.blobPath(blob);
    const present = await stat(target).then(() => true, () => false);
    if (present) await rm(dataFile, { force: true });
    else await moveIntoPlace(dataFile, target);
    const entry: CacheEntry = { ...described, blob, size, createdAt: Date.now(), lastUsedAt: Date.now() };
    const { lastUsedAt: _unused, ...stored } = entry;
    await writeFileAtomic(path.join(this.entriesFolder, `${entry.id}.json`), JSON.stringify(stored));
    await this.evict();
    return entry;
  }

  /** Removes least recently used entries (and the archives no entry uses) until the store fits its limit. */
  async evict(): Promise<CacheEntry[]> {
    const entries = (await this.entries()).sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.createdAt - b.createdAt);
    const blobSizes = new Map(entries.map((entry) => [entry.blob, entry.size]));
    let total = [...blobSizes.values()].reduce((sum, size) => sum + size, 0);
    const evicted: CacheEntry[] = [];
    while (total > this.maxBytes && entries.length > 0) {
      const oldest = entries.shift()!;
      await rm(path.join(this.entriesFolder, `${oldest.id}.json`), { force: true });
      evicted.push(oldest);
      if (!entries.some((entry) => entry.blob === oldest.blob)) {
        await rm(this.blobPath(oldest.blob), { force: true });
        total -= oldest.size;
      }
    }
    return evicted;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Opens a stored archive for reading; undefined when it was evicted meanwhile. */
export async function openBlob(store: CacheStore, entry: CacheEntry) {
  try {
    return await open(store.blobPath(entry.blob), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
