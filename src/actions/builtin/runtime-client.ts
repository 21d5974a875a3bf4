// The built-in cache and artifact actions talk to the same services a
// JavaScript action's @actions/cache and @actions/artifact reach, through the
// variables the step gets (ACTIONS_CACHE_URL, ACTIONS_RESULTS_URL,
// ACTIONS_RUNTIME_TOKEN), with the same protocols, so both see the same entries.

import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

const CHUNK_SIZE = 32 * 1024 * 1024;
const ARTIFACT_SERVICE = 'twirp/github.actions.results.api.v1.ArtifactService';

export class RuntimeServiceError extends Error {}

function required(env: Record<string, string>, name: string, what: string): string {
  const value = env[name];
  if (!value) throw new RuntimeServiceError(`the ${what} service is not available to this step: ${name} is not set (gantry run sets it)`);
  return value;
}

async function failure(response: Response, what: string): Promise<RuntimeServiceError> {
  const text = await response.text();
  let message = text;
  try {
    const body = JSON.parse(text) as { message?: string; msg?: string };
    message = body.message ?? body.msg ?? text;
  } catch {
    // not JSON: the text as it is
  }
  return new RuntimeServiceError(`${what}: the service answered ${response.status}${message ? `: ${message}` : ''}`);
}

async function download(url: string, file: string, signal: AbortSignal, what: string): Promise<Response> {
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) throw await failure(response, what);
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(file));
  return response;
}

export interface CacheHit {
  cacheKey: string;
  archiveLocation: string;
}

export class CacheClient {
  private readonly base: string;
  private readonly token: string;

  constructor(env: Record<string, string>, private readonly signal: AbortSignal) {
    this.base = required(env, 'ACTIONS_CACHE_URL', 'cache');
    this.token = required(env, 'ACTIONS_RUNTIME_TOKEN', 'cache');
  }

  private url(resource: string): string {
    return new URL(`_apis/artifactcache/${resource}`, this.base).href;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, accept: 'application/json;api-version=6.0-preview.1', ...extra };
  }

  async lookup(keys: readonly string[], version: string): Promise<CacheHit | undefined> {
    const response = await fetch(this.url(`cache?keys=${encodeURIComponent(keys.join(','))}&version=${version}`), { headers: this.headers(), signal: this.signal });
    if (response.status === 204) return undefined;
    if (!response.ok) throw await failure(response, 'cache lookup');
    return (await response.json()) as CacheHit;
  }

  async download(hit: CacheHit, file: string): Promise<void> {
    await download(hit.archiveLocation, file, this.signal, 'cache download');
  }

  /** The reservation id, or the service's reason when it will not take the key (another job has it, or it exists). */
  async reserve(key: string, version: string, size: number): Promise<number | { refused: string }> {
    const response = await fetch(this.url('caches'), {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ key, version, cacheSize: size }),
      signal: this.signal,
    });
    if (response.status === 409) return { refused: (await failure(response, 'reserve')).message };
    if (!response.ok) throw await failure(response, 'cache reserve');
    return ((await response.json()) as { cacheId: number }).cacheId;
  }

  /** Uploads the archive in chunks (as @actions/cache does), then commits it. */
  async upload(cacheId: number, file: string): Promise<void> {
    const size = (await stat(file)).size;
    for (let start = 0; start < size; start += CHUNK_SIZE) {
      const end = Math.min(size, start + CHUNK_SIZE) - 1;
      const response = await fetch(this.url(`caches/${cacheId}`), {
        method: 'PATCH',
        headers: this.headers({ 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/*` }),
        body: Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal: this.signal,
      } as RequestInit);
      if (!response.ok) throw await failure(response, 'cache upload');
    }
    const response = await fetch(this.url(`caches/${cacheId}`), {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ size }),
      signal: this.signal,
    });
    if (!response.ok) throw await failure(response, 'cache commit');
  }
}

export interface ArtifactListing {
  id: number;
  name: string;
  size: number;
  digest?: string;
}

/** The run and job ids in the token's `scp` claim, read as @actions/artifact reads them. */
function backendIds(token: string): { workflow_run_backend_id: string; workflow_job_run_backend_id: string } {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { scp?: string };
  const scope = (payload.scp ?? '').split(' ').map((s) => s.split(':')).find((parts) => parts[0] === 'Actions.Results' && parts.length === 3);
  if (!scope) throw new RuntimeServiceError('the runtime token names no run (no Actions.Results scope)');
  return { workflow_run_backend_id: scope[1]!, workflow_job_run_backend_id: scope[2]! };
}

export class ArtifactClient {
  private readonly base: string;
  private readonly token: string;
  private readonly ids: ReturnType<typeof backendIds>;

  constructor(env: Record<string, string>, private readonly signal: AbortSignal) {
    this.base = new URL(required(env, 'ACTIONS_RESULTS_URL', 'artifact')).origin;
    this.token = required(env, 'ACTIONS_RUNTIME_TOKEN', 'artifact');
    this.ids = backendIds(this.token);
  }

  private async call<T>(method: string, body: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.base}/${ARTIFACT_SERVICE}/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...this.ids, ...body }),
      signal: this.signal,
    });
    if (!response.ok) throw await failure(response, method);
    return (await response.json()) as T;
  }

  async list(name?: string): Promise<ArtifactListing[]> {
    const { artifacts } = await this.call<{ artifacts: { database_id: string; name: string; size: string; digest?: string }[] }>(
      'ListArtifacts',
      name === undefined ? {} : { name_filter: name },
    );
    return artifacts.map((a) => ({ id: Number(a.database_id), name: a.name, size: Number(a.size), ...(a.digest ? { digest: a.digest } : {}) }));
  }

  async delete(name: string): Promise<void> {
    await this.call('DeleteArtifact', { name });
  }

  /** Creates, uploads (one Put Blob) and finalizes an artifact; returns its id. */
  async upload(name: string, file: string, options: { expiresAt?: Date; digest: string }): Promise<number> {
    const created = await this.call<{ ok: boolean; signed_upload_url: string }>('CreateArtifact', {
      name,
      version: 7,
      mime_type: 'application/zip',
      ...(options.expiresAt ? { expires_at: options.expiresAt.toISOString() } : {}),
    });
    const size = (await stat(file)).size;
    const response = await fetch(created.signed_upload_url, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'application/zip', 'content-length': String(size) },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: 'half',
      signal: this.signal,
    } as RequestInit);
    if (!response.ok) throw await failure(response, 'artifact upload');
    const finalized = await this.call<{ ok: boolean; artifact_id: string }>('FinalizeArtifact', { name, size: String(size), hash: options.digest });
    return Number(finalized.artifact_id);
  }

  async download(name: string, file: string): Promise<void> {
    const { signed_url } = await this.call<{ signed_url: string }>('GetSignedArtifactURL', { name });
    await download(signed_url, file, this.signal, `download of artifact '${name}'`);
  }
}
