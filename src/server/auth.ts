// Who is asking: a bearer token, or the session cookie made from one (writes through the cookie
// must carry X-Gantry-CSRF: 1). Every route declares the least role it needs.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role, TokenRecord } from '../storage/db/records.ts';
import type { Store } from '../storage/db/store.ts';
import { ApiError } from './context.ts';

export type RouteRole = Role | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    role?: RouteRole;
  }
  interface FastifyRequest {
    caller?: TokenRecord;
  }
}

export const SESSION_COOKIE = 'gantry_session';
const RANK: Record<Role, number> = { viewer: 1, maintainer: 2, admin: 3 };

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

export function installAuth(app: FastifyInstance, store: Store): void {
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const role = request.routeOptions.config.role;
    if (role === undefined || role === 'public') return;
    const header = request.headers.authorization;
    let caller: TokenRecord | undefined;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new ApiError(401, 'unauthorized', 'Authorization must be "Bearer <token>"');
      caller = await store.access.authenticate(match[1]!);
    } else {
      const session = cookieValue(request, SESSION_COOKIE);
      if (session !== undefined) {
        caller = await store.access.sessionToken(session);
        if (caller && request.method !== 'GET' && request.method !== 'HEAD' && request.headers['x-gantry-csrf'] !== '1') {
          throw new ApiError(403, 'csrf', 'writes with the session cookie need the header X-Gantry-CSRF: 1');
        }
      }
    }
    if (!caller) throw new ApiError(401, 'unauthorized', 'a valid token is needed: Authorization: Bearer <token>, or sign in');
    if (RANK[caller.role] < RANK[role]) throw new ApiError(403, 'forbidden', `this needs the ${role} role; the token "${caller.name}" is ${caller.role}`);
    request.caller = caller;
  });
}

/** The caller's name for the audit log. */
export function actorOf(request: FastifyRequest): string {
  return request.caller ? `token:${request.caller.name}` : 'anonymous';
}
