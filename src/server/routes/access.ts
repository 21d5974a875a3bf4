// Sessions, the caller, tokens (admin only) and the audit log.

import type { FastifyInstance } from 'fastify';
import { actorOf, SESSION_COOKIE } from '../auth.ts';
import { ApiError, notFound, type ServerContext } from '../context.ts';
import type { Role } from '../../storage/db/records.ts';
import { cookieValue } from '../auth.ts';
import { errorSchema } from './schemas.ts';

const ROLES = ['admin', 'maintainer', 'viewer'];
const tokenSchema = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string' }, createdAt: { type: 'string' }, lastUsedAt: { type: ['string', 'null'] } } };

export function accessRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store } = context;

  app.post<{ Body: { token: string } }>('/api/session', {
    config: { role: 'public' },
    schema: { tags: ['access'], body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 204: { type: 'null' }, 401: errorSchema } },
    handler: async (request, reply) => {
      const token = await store.access.authenticate(request.body.token);
      if (!token) throw new ApiError(401, 'unauthorized', 'that token is not valid');
      const session = await store.access.createSession(token.id);
      reply.header('set-cookie', `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`);
      reply.code(204);
    },
  });

  app.delete('/api/session', {
    config: { role: 'public' },
    schema: { tags: ['access'], response: { 204: { type: 'null' } } },
    handler: async (request, reply) => {
      const session = cookieValue(request, SESSION_COOKIE);
      if (session) await store.access.endSession(session);
      reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      reply.code(204);
    },
  });

  app.get('/api/me', {
    config: { role: 'viewer' },
    schema: { tags: ['access'], response: { 200: { type: 'object', properties: { name: { type: 'string' }, role: { type: 'string' } } } } },
    handler: async (request) => ({ name: request.caller!.name, role: request.caller!.role }),
  });

  app.get('/api/tokens', {
    config: { role: 'admin' },
    schema: { tags: ['access'], response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenSchema } } } } },
    handler: async () => ({ tokens: await store.access.listTokens() }),
  });

  app.post<{ Body: { name: string; role: Role } }>('/api/tokens', {
    config: { role: 'admin' },
    schema: {
      tags: ['access'],
      body: { type: 'object', additionalProperties: false, required: ['name', 'role'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, role: { type: 'string', enum: ROLES } } },
      response: { 201: { type: 'object', properties: { token: { type: 'string' }, ...tokenSchema.properties } }, 400: errorSchema },
    },
    handler: async (request, reply) => {
      const { token, record } = await store.access.createToken(request.body.name, request.body.role);
      await store.access.audit(actorOf(request), 'token.create', `token/${record.id} (${record.name}, ${record.role})`);
      reply.code(201);
      return { token, ...record };
    },
  });

  app.delete<{ Params: { id: number } }>('/api/tokens/:id', {
    config: { role: 'admin' },
    schema: { tags: ['access'], params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] }, response: { 204: { type: 'null' }, 404: errorSchema } },
    handler: async (request, reply) => {
      if (!(await store.access.revokeToken(request.params.id))) throw notFound(`token ${request.params.id}`);
      await store.access.audit(actorOf(request), 'token.revoke', `token/${request.params.id}`);
      reply.code(204);
    },
  });

  app.get<{ Querystring: { limit: number; cursor?: string } }>('/api/audit', {
    config: { role: 'admin' },
    schema: {
      tags: ['access'],
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, cursor: { type: 'string', pattern: '^[0-9]+$' } } },
    },
    handler: async (request) => {
      const page = await store.access.auditEntries(request.query.limit, request.query.cursor ? Number(request.query.cursor) : undefined);
      return { entries: page.entries.map(({ at, actor, action, target }) => ({ at, actor, action, target })), nextCursor: page.nextCursor };
    },
  });

  app.get<{ Querystring: { limit: number } }>('/api/webhooks/deliveries', {
    config: { role: 'admin' },
    schema: { tags: ['webhooks'], querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } } },
    handler: async (request) => ({ deliveries: await store.deliveries.list(request.query.limit) }),
  });
}
