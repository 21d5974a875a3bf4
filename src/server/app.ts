// The HTTP server: fastify with JSON-schema validated routes, each declaring its role, an OpenAPI
// document from those schemas, health, readiness and Prometheus metrics.

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { installAuth } from './auth.ts';
import { ApiError, errorBody, type ServerContext } from './context.ts';
import { accessRoutes } from './routes/access.ts';
import { logRoutes } from './routes/logs.ts';
import { repoRoutes } from './routes/repos.ts';
import { runRoutes } from './routes/runs.ts';
import { valueRoutes } from './routes/values.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { registerWebUi } from './web-ui.ts';

export async function buildApp(context: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Server-Sent Event streams never go idle: closing the server ends them.
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, allowUnionTypes: true } },
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Gantry server API', version: '0.1.0', description: 'See docs/server-api.md for the short form.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'gantry_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  // Every route's role goes into its OpenAPI operation as `x-gantry-role`.
  app.addHook('onRoute', (route) => {
    const role = route.config?.role;
    if (role && route.schema) (route.schema as Record<string, unknown>)['x-gantry-role'] = role;
  });

  // An empty body with Content-Type: application/json is no body (browsers' fetch sends it for bare POSTs).
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return jsonParser(request, text, done);
  });

  installAuth(app, context.store);

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send(errorBody(error.code, error.message));
    if ('validation' in error && error.validation) {
      return reply.code(400).send(errorBody('invalid_request', `${error.validationContext ?? 'request'}${error.message.replace(/^(body|querystring|params|headers)/, '')}`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send(status >= 500 ? errorBody('internal', 'internal server error') : errorBody((error.code ?? 'bad_request').toLowerCase(), error.message));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));

  app.get('/healthz', { config: { role: 'public' }, schema: { tags: ['health'] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { role: 'public' }, schema: { tags: ['health'] } }, async (_request, reply) => {
    const reachable = await context.store.database.ping();
    const ready = reachable && context.store.database.migrated;
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', database: reachable ? 'reachable' : 'unreachable', migrations: context.store.database.migrated ? 'done' : 'pending' };
  });
  app.get('/metrics', { config: { role: 'public' }, schema: { tags: ['health'] } }, async (_request, reply) => {
    reply.type(context.metrics.registry.contentType);
    return context.metrics.registry.metrics();
  });
  app.get('/api/openapi.json', { config: { role: 'public' }, schema: { hide: true } }, async () => app.swagger());

  repoRoutes(app, context);
  runRoutes(app, context);
  logRoutes(app, context);
  valueRoutes(app, context);
  accessRoutes(app, context);
  await app.register(async (scope) => webhookRoutes(scope, context));
  await registerWebUi(app);
  return app;
}
