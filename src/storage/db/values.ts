// Secrets (encrypted, never read back by routes) and variables at server, repository and
// environment level.

import type { Db } from './database.ts';
import type { NamedValue } from './records.ts';
import type { SecretBox } from './secret-key.ts';
import { now } from './time.ts';

/** Where a secret or variable is set. */
export type Scope = { level: 'server' } | { level: 'repo'; repoId: number } | { level: 'environment'; repoId: number; environment: string };

export function scopeKey(scope: Scope): string {
  switch (scope.level) {
    case 'server':
      return 'server';
    case 'repo':
      return `repo:${scope.repoId}`;
    case 'environment':
      return `env:${scope.repoId}:${scope.environment}`;
  }
}

class NamedValueStore {
  constructor(
    protected readonly db: Db,
    private readonly table: 'secrets' | 'variables',
    private readonly seal: (value: string) => string,
    private readonly open: (value: string) => string,
  ) {}

  async set(scope: Scope, name: string, value: string): Promise<void> {
    const sealed = this.seal(value);
    const at = now();
    await this.db
      .insertInto(this.table)
      .values({ scope: scopeKey(scope), name, value: sealed, updatedAt: at })
      .onConflict((oc) => oc.columns(['scope', 'name']).doUpdateSet({ value: sealed, updatedAt: at }))
      .execute();
  }

  /** False when there was no such name. */
  async remove(scope: Scope, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom(this.table).where('scope', '=', scopeKey(scope)).where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  names(scope: Scope): Promise<NamedValue[]> {
    return this.db.selectFrom(this.table).select(['name', 'updatedAt']).where('scope', '=', scopeKey(scope)).orderBy('name').execute();
  }

  /**
   * The values a job sees: server level, overridden by the repository's, overridden by the
   * environment's, as GitHub ranks them.
   */
  async resolved(repoId: number, environment: string | null): Promise<Record<string, string>> {
    const scopes: Scope[] = [{ level: 'server' }, { level: 'repo', repoId }];
    if (environment) scopes.push({ level: 'environment', repoId, environment });
    const rows = await this.db.selectFrom(this.table).select(['scope', 'name', 'value']).where('scope', 'in', scopes.map(scopeKey)).execute();
    const values: Record<string, string> = {};
    for (const key of scopes.map(scopeKey)) {
      for (const row of rows.filter((r) => r.scope === key)) values[row.name] = this.open(row.value);
    }
    return values;
  }
}

export class SecretStore extends NamedValueStore {
  constructor(db: Db, box: SecretBox) {
    super(db, 'secrets', (v) => box.encrypt(v), (v) => box.decrypt(v));
  }
}

export class VariableStore extends NamedValueStore {
  constructor(db: Db) {
    super(db, 'variables', (v) => v, (v) => v);
  }

  async list(scope: Scope): Promise<(NamedValue & { value: string })[]> {
    return this.db.selectFrom('variables').select(['name', 'value', 'updatedAt']).where('scope', '=', scopeKey(scope)).orderBy('name').execute();
  }
}
