// POST /hooks/{github,gitea,gitlab,git} (also under /api/webhooks/): verify, de-duplicate, turn the
// delivery into an event and queue the runs it triggers. Every delivery is recorded; refused ones
// get a 4xx with the reason and change nothing else.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildPushEvent, eventFromPayload, ZERO_SHA } from '../../plan/events/index.ts';
import type { RepoEvent } from '../../plan/types.ts';
import type { RepoRecord } from '../../storage/db/records.ts';
import { errorBody, type ServerContext } from '../context.ts';
import { errorSchema } from '../routes/schemas.ts';
import { DeliveryError, readDelivery, type Delivery, type Provider } from './providers.ts';
import { signatureMatches, tokenMatches } from './signatures.ts';

const PROVIDERS: Provider[] = ['github', 'gitea', 'gitlab', 'git'];
/** Events that start runs; others (ping, issues, ...) are recorded and ignored. */
const RUN_EVENTS = new Set(['push', 'pull_request', 'pull_request_target', 'workflow_dispatch', 'repository_dispatch']);

const outcomeSchema = {
  type: 'object',
  properties: { result: { type: 'string', enum: ['accepted', 'ignored'] }, reason: { type: 'string' }, runs: { type: 'array', items: { type: 'integer' } } },
} as const;

interface Outcome {
  status: number;
  result: 'accepted' | 'ignored' | 'duplicate' | 'rejected';
  reason: string;
  runIds: number[];
}

export function webhookRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store } = context;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: context.webhookMaxBytes }, (_request, body, done) => done(null, body));

  const record = async (provider: Provider, request: FastifyRequest, outcome: Outcome, delivery?: Partial<Delivery>, repo?: RepoRecord) => {
    await store.deliveries.record({
      provider,
      deliveryId: delivery?.deliveryId ?? null,
      event: delivery?.event ?? null,
      repoId: repo?.id ?? null,
      result: outcome.result,
      statusCode: outcome.status,
      reason: outcome.reason,
      runIds: outcome.runIds,
    });
    context.metrics.deliveries.inc({ provider, result: outcome.result });
    request.log.info({ provider, deliveryId: delivery?.deliveryId, event: delivery?.event, result: outcome.result, runIds: outcome.runIds }, `webhook ${outcome.result}${outcome.reason ? `: ${outcome.reason}` : ''}`);
  };

  // Refusals fastify makes before a handler runs (too large, wrong content type) are recorded too.
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const provider = PROVIDERS.find((p) => request.url.split('?')[0]!.endsWith(`/${p}`)) ?? 'github';
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    await record(provider, request, { status, result: 'rejected', reason: error.message, runIds: [] }).catch(() => undefined);
    return reply.code(status).send(errorBody(status === 413 ? 'too_large' : 'rejected', error.message));
  });

  const handle = (provider: Provider) => async (request: FastifyRequest, reply: FastifyReply) => {
    const reject = async (status: number, reason: string, delivery?: Partial<Delivery>, repo?: RepoRecord) => {
      await record(provider, request, { status, result: 'rejected', reason, runIds: [] }, delivery, repo);
      return reply.code(status).send(errorBody('rejected', reason));
    };
    const body = request.body;
    if (!Buffer.isBuffer(body)) return reject(415, 'send the payload as application/json');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reject(400, `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    let delivery: Delivery;
    try {
      delivery = readDelivery(provider, request.headers, parsed);
    } catch (error) {
      if (error instanceof DeliveryError) return reject(error.status, error.message);
      throw error;
    }
    const repo = await findRepo(context, delivery.repoNames);
    if (!repo) return reject(404, `no registered repository is named ${delivery.repoNames.map((n) => `"${n}"`).join(' or ') || '(the payload names none)'}`, delivery);
    const secret = (await store.repos.webhookSecret(repo.id))!;
    if (delivery.auth.kind === 'hmac') {
      if (!delivery.auth.signature) return reject(401, 'the delivery is not signed (X-Hub-Signature-256 missing)', delivery, repo);
      if (!signatureMatches(secret, body, delivery.auth.signature)) return reject(401, 'the signature does not match the repository\'s webhook secret', delivery, repo);
    } else {
      if (!delivery.auth.token) return reject(401, 'the X-Gitlab-Token header is missing', delivery, repo);
      if (!tokenMatches(secret, delivery.auth.token)) return reject(401, 'the X-Gitlab-Token does not match the repository\'s webhook secret', delivery, repo);
    }
    if (delivery.deliveryId && (await store.deliveries.seen(provider, delivery.deliveryId))) {
      await record(provider, request, { status: 409, result: 'duplicate', reason: 'this delivery id was already received', runIds: [] }, delivery, repo);
      return reply.code(409).send(errorBody('duplicate', `delivery ${delivery.deliveryId} was already received`));
    }
    if (!RUN_EVENTS.has(delivery.event) || delivery.payload.deleted === true) {
      const reason = delivery.payload.deleted === true ? 'a deleted ref starts no runs' : `the event "${delivery.event}" starts no runs`;
      await record(provider, request, { status: 200, result: 'ignored', reason, runIds: [] }, delivery, repo);
      return reply.code(200).send({ result: 'ignored', reason, runs: [] });
    }
    let runIds: number[];
    try {
      const actor = senderOf(delivery.payload) ?? provider;
      const runs = await context.queue.enqueueFrom(repo, (dir) => eventOf(provider, delivery, dir), { actor });
      runIds = runs.map((r) => r.id);
    } catch (error) {
      return reject(422, `the event could not be read against the repository: ${error instanceof Error ? error.message : String(error)}`, delivery, repo);
    }
    context.dispatcher.wake();
    await record(provider, request, { status: 202, result: 'accepted', reason: '', runIds }, delivery, repo);
    return reply.code(202).send({ result: 'accepted', runs: runIds });
  };

  for (const provider of PROVIDERS) {
    const options = {
      config: { role: 'public' as const },
      schema: {
        tags: ['webhooks'],
        headers: { type: 'object', properties: { 'content-type': { type: 'string' } } },
        response: { 200: outcomeSchema, 202: outcomeSchema, '4xx': errorSchema, '5xx': errorSchema },
      },
    };
    app.post(`/hooks/${provider}`, options, handle(provider));
    if (provider !== 'git') app.post(`/api/webhooks/${provider}`, { ...options, schema: { ...options.schema, hide: true } }, handle(provider));
  }
}

async function findRepo(context: ServerContext, names: string[]): Promise<RepoRecord | undefined> {
  for (const name of names) {
    const repo = (await context.store.repos.byName(name)) ?? (await context.store.repos.byName(name.split('/').pop()!));
    if (repo) return repo;
  }
  return undefined;
}

function senderOf(payload: Record<string, unknown>): string | undefined {
  const sender = payload.sender;
  return sender && typeof sender === 'object' && typeof (sender as { login?: unknown }).login === 'string' ? (sender as { login: string }).login : undefined;
}

/** The RepoEvent: a gantry hook's push is rebuilt from git; forges' payloads are read as the runner reads them. */
async function eventOf(provider: Provider, delivery: Delivery, dir: string): Promise<RepoEvent> {
  if (provider === 'git') {
    const before = typeof delivery.payload.before === 'string' && !/^0+$/.test(delivery.payload.before) ? delivery.payload.before : ZERO_SHA;
    return buildPushEvent(dir, { ref: String(delivery.payload.ref), before });
  }
  return eventFromPayload(delivery.payload, delivery.event, dir);
}
