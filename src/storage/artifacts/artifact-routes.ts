// The artifact service as @actions/artifact v2+ speaks it (ACTIONS_RESULTS_URL):
// twirp JSON methods under /twirp/github.actions.results.api.v1.ArtifactService/,
// and the blob endpoint its signed URLs point at, which takes what
// @azure/storage-blob sends (Put Block, Put Block List, Put Blob) and serves downloads.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { TokenError, type JobIdentity, type TokenIssuer } from '../runtime-token.ts';
import type { UrlSigner } from '../signed-urls.ts';
import { ArtifactNameError } from './artifact-names.ts';
import { ArtifactError, type Artifact, type ArtifactStore } from './artifact-store.ts';

export interface ArtifactRoutesOptions {
  store: ArtifactStore;
  tokens: TokenIssuer;
  signer: UrlSigner;
  baseUrl: () => string;
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService';
const twirpStatus: Record<ArtifactError['code'], number> = {
  not_found: 404,
  already_exists: 409,
  invalid_argument: 400,
  permission_denied: 403,
  failed_precondition: 412,
};

type TwirpBody = Record<string, unknown>;

/** A StringValue / Int64Value wrapper as JSON: the bare value (or `{value}` from lenient clients). */
function wrapped(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}

function describe(artifact: Artifact) {
  return {
    workflow_run_backend_id: artifact.runBackendId,
    workflow_job_run_backend_id: artifact.jobBackendId,
    database_id: String(artifact.id),
    name: artifact.name,
    size: String(artifact.size),
    created_at: new Date(artifact.createdAt).toISOString(),
    ...(artifact.digest ? { digest: artifact.digest } : {}),
  };
}

export function artifactRoutes(app: FastifyInstance, options: ArtifactRoutesOptions): void {
  const { store, tokens, signer } = options;
  const blobPath = (artifact: Pick<Artifact, 'runBackendId' | 'id'>) => `/artifact-blobs/${artifact.runBackendId}/${artifact.id}`;
  const signedUrl = (operation: 'read' | 'write', artifact: Pick<Artifact, 'runBackendId' | 'id'>) =>
    new URL(signer.sign(operation, blobPath(artifact)).slice(1), options.baseUrl()).href;

  const methods: Record<string, (body: TwirpBody, identity: JobIdentity) => Promise<unknown>> = {
    CreateArtifact: async (body, identity) => {
      const expires = wrapped(body.expires_at);
      const artifact = await store.create({
        runBackendId: identity.runBackendId,
        jobBackendId: identity.jobBackendId,
        name: String(body.name ?? ''),
        ...(expires ? { expiresAt: Date.parse(expires) } : {}),
        ...(wrapped(body.mime_type) ? { mimeType: wrapped(body.mime_type) } : {}),
      });
      return { ok: true, signed_upload_url: signedUrl('write', artifact) };
    },
    FinalizeArtifact: async (body, identity) => {
      const size = body.size === undefined ? undefined : Number(body.size);
      const digest = wrapped(body.hash);
      const artifact = await store.finalize(identity.runBackendId, String(body.name ?? ''), {
        ...(size !== undefined && Number.isFinite(size) ? { size } : {}),
        ...(digest ? { digest } : {}),
      });
      return { ok: true, artifact_id: String(artifact.id) };
    },
    ListArtifacts: async (body, identity) => {
      const name = wrapped(body.name_filter);
      const id = wrapped(body.id_filter);
      const artifacts = await store.list(identity.runBackendId, {
        ...(name !== undefined ? { name } : {}),
        ...(id !== undefined ? { id: Number(id) } : {}),
      });
      return { artifacts: artifacts.map(describe) };
    },
    GetSignedArtifactURL: async (body, identity) => {
      const [artifact] = await store.list(identity.runBackendId, { name: String(body.name ?? '') });
      if (!artifact) throw new ArtifactError('not_found', `no artifact named '${String(body.name)}' in this run`);
      return { signed_url: signedUrl('read', artifact) };
    },
    DeleteArtifact: async (body, identity) => {
      const [artifact] = await store.list(identity.runBackendId, { name: String(body.name ?? '') });
      if (!artifact) throw new ArtifactError('not_found', `no artifact named '${String(body.name)}' in this run`);
      await store.remove(artifact);
      return { ok: true, artifact_id: String(artifact.id) };
    },
  };

  app.post(`${SERVICE}/:method`, async (request, reply) => {
    const method = methods[(request.params as { method: string }).method];
    if (!method) return reply.code(404).send({ code: 'bad_route', msg: `no method ${(request.params as { method: string }).method}` });
    let identity: JobIdentity;
    try {
      identity = await tokens.verify(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      return reply.code(401).send({ code: 'unauthenticated', msg: error.message });
    }
    const body = (request.body ?? {}) as TwirpBody;
    const runId = body.workflow_run_backend_id;
    if (runId !== undefined && runId !== identity.runBackendId) {
      return reply.code(403).send({ code: 'permission_denied', msg: 'this job may only use the artifacts of its own run' });
    }
    try {
      return await method(body, identity);
    } catch (error) {
      if (error instanceof ArtifactNameError) return reply.code(400).send({ code: 'invalid_argument', msg: error.message });
      if (!(error instanceof ArtifactError)) throw error;
      return reply.code(twirpStatus[error.code]).send({ code: error.code, msg: error.message });
    }
  });

  const authorized = async (request: FastifyRequest, reply: FastifyReply, operation: 'read' | 'write') => {
    const { run, id } = request.params as { run: string; id: string };
    const artifact = { runBackendId: run, id: Number(id) };
    if (!signer.verify(operation, blobPath(artifact), request.query as Record<string, unknown>)) {
      await reply.code(403).header('x-ms-error-code', 'AuthenticationFailed').send('this URL is not signed for that or has expired');
      return undefined;
    }
    return artifact;
  };

  const blobError = async (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof ArtifactError)) throw error;
    return reply.code(twirpStatus[error.code]).header('x-ms-error-code', error.code).send(error.message);
  };

  app.put('/artifact-blobs/:run/:id', async (request, reply) => {
    const artifact = await authorized(request, reply, 'write');
    if (!artifact) return reply;
    const query = request.query as { comp?: string; blockid?: string };
    try {
      if (query.comp === 'block') {
        await store.stageBlock(artifact.runBackendId, artifact.id, String(query.blockid ?? ''), request.body as Readable);
      } else if (query.comp === 'blocklist') {
        const xml = await text(request.body as Readable);
        const ids = [...xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map((match) => match[2]!);
        await store.commitBlocks(artifact.runBackendId, artifact.id, ids);
      } else if (query.comp === undefined) {
        await store.putContent(artifact.runBackendId, artifact.id, request.body as Readable);
      } else {
        return reply.code(400).header('x-ms-error-code', 'UnsupportedQueryParameter').send(`comp=${query.comp} is not supported`);
      }
    } catch (error) {
      return blobError(reply, error);
    }
    return reply.code(201).header('x-ms-request-server-encrypted', 'false').send();
  });

  app.get('/artifact-blobs/:run/:id', async (request, reply) => {
    const signed = await authorized(request, reply, 'read');
    if (!signed) return reply;
    const [artifact] = await store.list(signed.runBackendId, { id: signed.id });
    if (!artifact) return reply.code(404).header('x-ms-error-code', 'BlobNotFound').send('no such artifact');
    const fileName = artifact.mimeType === 'application/zip' ? `${artifact.name}.zip` : artifact.name;
    return reply
      .header('content-type', artifact.mimeType)
      .header('content-length', String(artifact.size))
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`)
      .send(createReadStream(store.contentFile(artifact.runBackendId, artifact.id)));
  });
}
