// The services a job's steps reach through ACTIONS_CACHE_URL and
// ACTIONS_RESULTS_URL: one fastify server on loopback and an ephemeral port,
// with the cache (v1) and artifact (v4) APIs, and the per-job runtime tokens it accepts.

import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { artifactRoutes } from './artifacts/artifact-routes.ts';
import { ArtifactStore } from './artifacts/artifact-store.ts';
import { cacheRoutes } from './cache/cache-routes.ts';
import { CacheStore } from './cache/cache-store.ts';
import { TokenIssuer, type CacheScope } from './runtime-token.ts';
import { UrlSigner } from './signed-urls.ts';

export interface RuntimeServerOptions {
  /** Default `$XDG_CACHE_HOME/gantry/cache`, else `~/.cache/gantry/cache`. */
  cacheDir?: string;
  /** Default 10 GiB, GitHub's limit per repository. */
  cacheMaxBytes?: number;
  /** Where this server keeps artifacts (e.g. the run's log folder + `/artifacts`). */
  artifactsDir: string;
}

export interface JobRuntime {
  runBackendId: string;
  jobBackendId: string;
  token: string;
}

export interface RuntimeServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  cache: CacheStore;
  artifacts: ArtifactStore;
  /** A new backend id for a run: its artifacts are shared by its jobs and no one else's. */
  newRun(): string;
  /** A token for one job of a run, with the cache scopes it may read (newest first) and the one it writes. */
  jobToken(runBackendId: string, cacheScopes: CacheScope[]): Promise<JobRuntime>;
  close(): Promise<void>;
}

export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 ** 3;

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG rule: a relative XDG_CACHE_HOME is ignored.
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'gantry', 'cache');
}

/** Request bodies stay streams: chunks and blocks go to disk as they arrive. */
function streamBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['text/plain']);
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

export async function startRuntimeServer(options: RuntimeServerOptions): Promise<RuntimeServer> {
  const cache = await CacheStore.open({
    root: options.cacheDir ?? defaultCacheDir(),
    maxBytes: options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
  });
  const artifacts = new ArtifactStore(options.artifactsDir);
  const tokens = new TokenIssuer(randomBytes(32));
  const signer = new UrlSigner(randomBytes(32));
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  streamBodies(app);
  let url = '';
  const baseUrl = () => url;
  cacheRoutes(app, { store: cache, tokens, signer, baseUrl });
  artifactRoutes(app, { store: artifacts, tokens, signer, baseUrl });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  url = `${address}/`;
  return {
    url,
    cache,
    artifacts,
    newRun: () => randomUUID(),
    jobToken: async (runBackendId, cacheScopes) => {
      const jobBackendId = randomUUID();
      return { runBackendId, jobBackendId, token: await tokens.mint({ runBackendId, jobBackendId, cacheScopes }) };
    },
    close: () => app.close(),
  };
}
