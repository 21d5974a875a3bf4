// The cache service's HTTP API, v1 as @actions/cache speaks it (ACTIONS_CACHE_URL):
//   GET   _apis/artifactcache/cache?keys=k1,k2&version=V   hit (200) or miss (204)
//   POST  _apis/artifactcache/caches {key, version}         reserve -> {cacheId}
//   PATCH _apis/artifactcache/caches/:id  Content-Range     one chunk of the archive
//   POST  _apis/artifactcache/caches/:id {size}             commit
//   GET   _apis/artifactcache/caches?key=K                  entries of that key (diagnostics)
//   GET   _apis/artifactcache/archives/:entry?<signature>   the archive (archiveLocation)

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { TokenError, type JobIdentity, type TokenIssuer } from '../runtime-token.ts';
import type { UrlSigner } from '../signed-urls.ts';
import { CacheKeyError, openBlob, type CacheStore, type CacheUpload } from './cache-store.ts';

export interface CacheRoutesOptions {
  store: CacheStore;
  tokens: TokenIssuer;
  signer: UrlSigner;
  /** `http://127.0.0.1:PORT/`, known once the server listens. */
  baseUrl: () => string;
}

const PREFIX = '/_apis/artifactcache';

interface Reservation {
  upload: CacheUpload;
  jobBackendId: string;
}

export function cacheRoutes(app: FastifyInstance, options: CacheRoutesOptions): void {
  const { store, tokens, signer } = options;
  const reservations = new Map<number, Reservation>();
  let nextCacheId = 1;

  const identify = async (request: FastifyRequest, reply: FastifyReply): Promise<JobIdentity | undefined> => {
    try {
      return await tokens.verify(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      await reply.code(401).send({ message: error.message });
      return undefined;
    }
  };

  app.get(`${PREFIX}/cache`, async (request, reply) => {
    const identity = await identify(request, reply);
    if (!identity) return reply;
    const query = request.query as { keys?: string; version?: string };
    const keys = (query.keys ?? '').split(',').filter((key) => key !== '');
    if (keys.length === 0 || !query.version) return reply.code(400).send({ message: 'keys and version are required' });
    const scopes = identity.cacheScopes.map((s) => s.scope);
    const entry = await store.lookup(keys, query.version, scopes);
    if (!entry) return reply.code(204).send();
    const location = new URL(signer.sign('read', `${PREFIX}/archives/${entry.id}`).slice(1), options.baseUrl()).href;
    return {
      cacheKey: entry.key,
      scope: entry.scope,
      cacheVersion: entry.version,
      creationTime: new Date(entry.createdAt).toISOString(),
      archiveLocation: location,
    };
  });

  app.get(`${PREFIX}/caches`, async (request, reply) => {
    const identity = await identify(request, reply);
    if (!identity) return reply;
    const key = (request.query as { key?: string }).key ?? '';
    const scopes = new Set(identity.cacheScopes.map((s) => s.scope));
    const found = (await store.entries()).filter((entry) => entry.key === key && scopes.has(entry.scope));
    return {
      totalCount: found.length,
      artifactCaches: found.map((entry) => ({
        cacheKey: entry.key,
        scope: entry.scope,
        cacheVersion: entry.version,
        creationTime: new Date(entry.createdAt).toISOString(),
      })),
    };
  });

  app.post(`${PREFIX}/caches`, async (request, reply) => {
    const identity = await identify(request, reply);
    if (!identity) return reply;
    const body = (request.body ?? {}) as { key?: unknown; version?: unknown };
    if (typeof body.key !== 'string' || typeof body.version !== 'string' || body.version === '') {
      return reply.code(400).send({ message: 'key and version are required strings' });
    }
    const scope = identity.cacheScopes.find((s) => s.permission === 3)?.scope;
    if (!scope) return reply.code(403).send({ message: 'cache write denied: this job may not save caches' });
    let result;
    try {
      result = await store.reserve(body.key, body.version, scope);
    } catch (error) {
      if (!(error instanceof CacheKeyError)) throw error;
      return reply.code(400).send({ message: error.message });
    }
    if (result === 'exists') return reply.code(409).send({ message: `Cache already exists. Scope: ${scope}, Key: ${body.key}, Version: ${body.version}` });
    if (result === 'busy') return reply.code(409).send({ message: `Cache with key ${body.key} is being saved by another job` });
    const cacheId = nextCacheId++;
    reservations.set(cacheId, { upload: result, jobBackendId: identity.jobBackendId });
    return reply.code(201).send({ cacheId });
  });

  const reservationFor = async (request: FastifyRequest, reply: FastifyReply): Promise<[number, Reservation] | undefined> => {
    const identity = await identify(request, reply);
    if (!identity) return undefined;
    const cacheId = Number((request.params as { id: string }).id);
    const reservation = reservations.get(cacheId);
    if (!reservation || reservation.jobBackendId !== identity.jobBackendId) {
      await reply.code(404).send({ message: `no upload ${cacheId} reserved by this job` });
      return undefined;
    }
    return [cacheId, reservation];
  };

  app.patch(`${PREFIX}/caches/:id`, async (request, reply) => {
    const found = await reservationFor(request, reply);
    if (!found) return reply;
    const range = /^bytes (\d+)-(\d+)\/(\*|\d+)$/.exec(request.headers['content-range'] ?? '');
    if (!range) return reply.code(400).send({ message: 'a chunk needs Content-Range: bytes START-END/*' });
    const start = Number(range[1]);
    const end = Number(range[2]);
    if (end < start) return reply.code(400).send({ message: 'Content-Range ends before it starts' });
    await found[1].upload.writeChunk(start, end, request.body as Readable);
    return reply.code(204).send();
  });

  app.post(`${PREFIX}/caches/:id`, async (request, reply) => {
    const found = await reservationFor(request, reply);
    if (!found) return reply;
    const [cacheId, reservation] = found;
    reservations.delete(cacheId);
    const size = Number((request.body as { size?: unknown } | undefined)?.size);
    if (!Number.isSafeInteger(size) || size < 0) {
      await reservation.upload.abandon();
      return reply.code(400).send({ message: 'commit needs the archive size' });
    }
    try {
      await reservation.upload.commit(size);
    } catch (error) {
      if (!(error instanceof CacheKeyError)) throw error;
      return reply.code(400).send({ message: error.message });
    }
    return reply.code(204).send();
  });

  app.get(`${PREFIX}/archives/:entry`, async (request, reply) => {
    const id = (request.params as { entry: string }).entry;
    if (!signer.verify('read', `${PREFIX}/archives/${id}`, request.query as Record<string, unknown>)) {
      return reply.code(403).send({ message: 'this download URL is not signed or has expired' });
    }
    const entry = await store.entry(id);
    const handle = entry && (await openBlob(store, entry));
    if (!entry || !handle) return reply.code(404).send({ message: 'no such cache archive' });
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(entry.size))
      .send(handle.createReadStream());
  });

  app.addHook('onClose', async () => {
    for (const { upload } of reservations.values()) await upload.abandon();
    reservations.clear();
  });
}
