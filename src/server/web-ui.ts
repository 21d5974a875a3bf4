// Hands out the built web UI (web/dist) at `/`: the files themselves, and index.html for every other GET
// outside the API so the app's own routes (/runs/12, /settings) survive a reload or a shared link.

import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { errorBody } from './context.ts';

export const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../../web/dist');

/**
 * Paths the UI never answers with its page: unknown API routes keep the server's JSON 404, and a missing
 * asset (say, from a build newer than this server's start) is a 404, not HTML where a script was expected.
 */
const NOT_THE_APP = ['/api/', '/hooks/', '/healthz', '/readyz', '/metrics', '/assets/'];

// The app needs nothing from elsewhere: no inline scripts, no third-party hosts, no framing.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The page is public (it shows sign-in); everything it shows comes from the API, which checks roles. */
const PUBLIC = { config: { role: 'public' as const }, schema: { hide: true } };

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

export async function registerWebUi(app: FastifyInstance, root: string = DEFAULT_WEB_ROOT): Promise<void> {
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get('/', PUBLIC, (_request, reply) =>
      reply.code(503).send(errorBody('web_ui_not_built', `the web UI is not built (no ${path.join(root, 'index.html')}): run \`npm run web:build\``)),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders(response, file) {
      // Vite puts a content hash in every asset's name: those never change.
      if (file.includes(`${path.sep}assets${path.sep}`)) response.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else response.setHeader('cache-control', 'no-cache');
      response.setHeader('x-content-type-options', 'nosniff');
    },
  });
  const sendApp = (reply: FastifyReply) => pageHeaders(reply).type('text/html; charset=utf-8').sendFile('index.html', root, { cacheControl: false });
  app.get('/', PUBLIC, (_request, reply) => sendApp(reply));
  app.get('/*', PUBLIC, (request, reply) => {
    if (NOT_THE_APP.some((prefix) => request.url.startsWith(prefix))) return reply.callNotFound();
    return sendApp(reply);
  });
}
