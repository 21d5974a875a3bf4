// Secrets (names only, never values) and variables at server, repository and environment level.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Scope } from '../../storage/db/values.ts';
import { actorOf } from '../auth.ts';
import { notFound, type ServerContext } from '../context.ts';
import { errorSchema, NAME_PATTERN, SECRET_NAME_PATTERN } from './schemas.ts';
import { repoByName } from './repos.ts';

type Params = { repo?: string; env?: string; name?: string };

const LEVELS = [
  { prefix: '/api', params: {} },
  { prefix: '/api/repos/:repo', params: { repo: { type: 'string', pattern: NAME_PATTERN } } },
  { prefix: '/api/repos/:repo/environments/:env', params: { repo: { type: 'string', pattern: NAME_PATTERN }, env: { type: 'string', pattern: NAME_PATTERN } } },
] as const;

async function scopeOf(context: ServerContext, params: Params): Promise<{ scope: Scope; label: string }> {
  if (params.repo === undefined) return { scope: { level: 'server' }, label: 'server' };
  const repo = await repoByName(context, params.repo);
  if (params.env === undefined) return { scope: { level: 'repo', repoId: repo.id }, label: `repo/${repo.name}` };
  return { scope: { level: 'environment', repoId: repo.id, environment: params.env }, label: `repo/${repo.name}/environment/${params.env}` };
}

export function valueRoutes(app: FastifyInstance, context: ServerContext): void {
  for (const kind of ['secrets', 'variables'] as const) {
    const store = kind === 'secrets' ? context.store.secrets : context.store.variables;
    const singular = kind === 'secrets' ? 'secret' : 'variable';
    for (const level of LEVELS) {
      const listParams = { type: 'object', properties: level.params, required: Object.keys(level.params) };
      const nameParams = { type: 'object', properties: { ...level.params, name: { type: 'string', pattern: SECRET_NAME_PATTERN } }, required: [...Object.keys(level.params), 'name'] };
      const item = kind === 'secrets'
        ? { type: 'object', properties: { name: { type: 'string' }, updatedAt: { type: 'string' } } }
        : { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' }, updatedAt: { type: 'string' } } };

      app.get(`${level.prefix}/${kind}`, {
        config: { role: 'viewer' },
        schema: { tags: [kind], params: listParams, response: { 200: { type: 'object', properties: { [kind]: { type: 'array', items: item } } }, 404: errorSchema } },
        handler: async (request: FastifyRequest) => {
          const { scope } = await scopeOf(context, request.params as Params);
          const list = kind === 'secrets' ? await context.store.secrets.names(scope) : await context.store.variables.list(scope);
          return { [kind]: list };
        },
      });

      app.put(`${level.prefix}/${kind}/:name`, {
        config: { role: 'maintainer' },
        schema: {
          tags: [kind],
          params: nameParams,
          body: { type: 'object', additionalProperties: false, required: ['value'], properties: { value: { type: 'string', maxLength: 48 * 1024 } } },
          response: { 204: { type: 'null' }, 400: errorSchema, 404: errorSchema },
        },
        handler: async (request: FastifyRequest, reply) => {
          const params = request.params as Params;
          const { scope, label } = await scopeOf(context, params);
          await store.set(scope, params.name!, (request.body as { value: string }).value);
          await context.store.access.audit(actorOf(request), `${singular}.set`, `${label}/${kind}/${params.name}`);
          reply.code(204);
        },
      });

      app.delete(`${level.prefix}/${kind}/:name`, {
        config: { role: 'maintainer' },
        schema: { tags: [kind], params: nameParams, response: { 204: { type: 'null' }, 404: errorSchema } },
        handler: async (request: FastifyRequest, reply) => {
          const params = request.params as Params;
          const { scope, label } = await scopeOf(context, params);
          if (!(await store.remove(scope, params.name!))) throw notFound(`the ${singular} ${params.name} (${label})`);
          await context.store.access.audit(actorOf(request), `${singular}.delete`, `${label}/${kind}/${params.name}`);
          reply.code(204);
        },
      });
    }
  }
}
