// ACTIONS_RUNTIME_TOKEN: a JWT per job, as the runner gives one. Its `scp` claim
// names the run and job the way @actions/artifact reads them
// (`Actions.Results:<runBackendId>:<jobBackendId>`); `ac` lists the cache scopes
// (refs) the job may read and the one it writes, as GitHub's token does.

import { SignJWT, jwtVerify } from 'jose';

export interface CacheScope {
  /** A ref, `refs/heads/main`. */
  scope: string;
  /** 1 read, 3 read and write (GitHub's numbers). */
  permission: 1 | 3;
}

export interface JobIdentity {
  runBackendId: string;
  jobBackendId: string;
  /** Newest first: the job's own ref (read and write), then the refs it may read. */
  cacheScopes: CacheScope[];
}

export class TokenError extends Error {}

const ISSUER = 'gantry';

export class TokenIssuer {
  private readonly key: Uint8Array;

  constructor(key: Uint8Array) {
    this.key = key;
  }

  async mint(identity: JobIdentity, lifetimeSeconds = 24 * 3600): Promise<string> {
    const { runBackendId, jobBackendId } = identity;
    return new SignJWT({
      scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId}`,
      ac: JSON.stringify(identity.cacheScopes.map((s) => ({ Scope: s.scope, Permission: s.permission }))),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${lifetimeSeconds}s`)
      .sign(this.key);
  }

  /** The identity in a bearer token; throws TokenError when it is missing, forged or expired. */
  async verify(authorization: string | undefined): Promise<JobIdentity> {
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw new TokenError('no bearer token (ACTIONS_RUNTIME_TOKEN) in the Authorization header');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] }));
    } catch (error) {
      throw new TokenError(`the runtime token is not valid here: ${error instanceof Error ? error.message : String(error)}`);
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    const results = scopes.map((s) => s.split(':')).find((parts) => parts[0] === 'Actions.Results' && parts.length === 3);
    if (!results) throw new TokenError('the runtime token has no Actions.Results scope');
    let cacheScopes: CacheScope[] = [];
    if (typeof payload.ac === 'string') {
      const parsed = JSON.parse(payload.ac) as { Scope: string; Permission: number }[];
      cacheScopes = parsed.map((s) => ({ scope: s.Scope, permission: s.Permission === 3 ? 3 : 1 }));
    }
    return { runBackendId: results[1]!, jobBackendId: results[2]!, cacheScopes };
  }
}
