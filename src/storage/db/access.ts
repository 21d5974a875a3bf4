// API tokens (only their SHA-256 is kept), browser sessions made from a token, and the audit log.

import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './database.ts';
import type { AuditEntry, Role, TokenRecord } from './records.ts';
import { now } from './time.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newTokenValue(): string {
  return `gantry_${randomBytes(24).toString('base64url')}`;
}

const tokenColumns = ['id', 'name', 'role', 'createdAt', 'lastUsedAt'] as const;
const SESSION_HOURS = 12;
/** A token's `lastUsedAt` is rewritten only when it is older than this. */
const LAST_USED_PRECISION_MS = 60_000;

export class AccessStore {
  constructor(private readonly db: Db) {}

  /** Stores a token's hash; the caller shows `token` once. */
  async createToken(name: string, role: Role, token = newTokenValue()): Promise<{ token: string; record: TokenRecord }> {
    const row = await this.db
      .insertInto('tokens')
      .values({ name, role, hash: hashToken(token), createdAt: now(), lastUsedAt: null, revokedAt: null })
      .returning(tokenColumns)
      .executeTakeFirstOrThrow();
    return { token, record: { ...row, role: row.role as Role } };
  }

  async hasTokens(): Promise<boolean> {
    const row = await this.db.selectFrom('tokens').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async listTokens(): Promise<TokenRecord[]> {
    const rows = await this.db.selectFrom('tokens').select(tokenColumns).where('revokedAt', 'is', null).orderBy('id').execute();
    return rows.map((row) => ({ ...row, role: row.role as Role }));
  }

  async revokeToken(id: number): Promise<boolean> {
    const result = await this.db.updateTable('tokens').set({ revokedAt: now() }).where('id', '=', id).where('revokedAt', 'is', null).executeTakeFirst();
    await this.db.deleteFrom('sessions').where('tokenId', '=', id).execute();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The live token with this value, marking it used (to the minute: not a write per request). */
  async authenticate(token: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('tokens').select(tokenColumns).where('hash', '=', hashToken(token)).where('revokedAt', 'is', null).executeTakeFirst();
    if (!row) return undefined;
    const at = new Date();
    if (row.lastUsedAt !== null && at.getTime() - Date.parse(row.lastUsedAt) < LAST_USED_PRECISION_MS) return { ...row, role: row.role as Role };
    const lastUsedAt = at.toISOString();
    await this.db.updateTable('tokens').set({ lastUsedAt }).where('id', '=', row.id).execute();
    return { ...row, role: row.role as Role, lastUsedAt };
  }

  async createSession(tokenId: number): Promise<string> {
    const value = randomBytes(32).toString('base64url');
    const created = new Date();
    await this.db
      .insertInto('sessions')
      .values({ hash: hashToken(value), tokenId, createdAt: created.toISOString(), expiresAt: new Date(created.getTime() + SESSION_HOURS * 3600_000).toISOString() })
      .execute();
    return value;
  }

  async sessionToken(value: string): Promise<TokenRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('tokens', 'tokens.id', 'sessions.tokenId')
      .select(['tokens.id', 'tokens.name', 'tokens.role', 'tokens.createdAt', 'tokens.lastUsedAt'])
      .where('sessions.hash', '=', hashToken(value))
      .where('sessions.expiresAt', '>', now())
      .where('tokens.revokedAt', 'is', null)
      .executeTakeFirst();
    return row ? { ...row, role: row.role as Role } : undefined;
  }

  async endSession(value: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('hash', '=', hashToken(value)).execute();
  }

  async audit(actor: string, action: string, target: string): Promise<void> {
    await this.db.insertInto('auditLog').values({ at: now(), actor, action, target }).execute();
  }

  async auditEntries(limit: number, cursor?: number): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('auditLog').selectAll();
    if (cursor !== undefined) query = query.where('id', '<', cursor);
    const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
    const entries = rows.slice(0, limit);
    return { entries, nextCursor: rows.length > limit ? String(entries[entries.length - 1]!.id) : null };
  }
}
