// Registered repositories and their webhook secrets.

import type { Db } from './database.ts';
import type { RepoRecord } from './records.ts';
import type { SecretBox } from './secret-key.ts';
import { now } from './time.ts';

export interface NewRepo {
  name: string;
  path: string | null;
  url: string | null;
  defaultBranch: string;
  webhookSecret: string;
}

const columns = ['id', 'name', 'path', 'url', 'defaultBranch', 'createdAt'] as const;

export class RepoStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async create(repo: NewRepo): Promise<RepoRecord> {
    const row = await this.db
      .insertInto('repos')
      .values({ ...repo, webhookSecret: this.box.encrypt(repo.webhookSecret), createdAt: now() })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return row;
  }

  list(): Promise<RepoRecord[]> {
    return this.db.selectFrom('repos').select(columns).orderBy('name').execute();
  }

  async byName(name: string): Promise<RepoRecord | undefined> {
    return this.db.selectFrom('repos').select(columns).where('name', '=', name).executeTakeFirst();
  }

  async byId(id: number): Promise<RepoRecord | undefined> {
    return this.db.selectFrom('repos').select(columns).where('id', '=', id).executeTakeFirst();
  }

  async webhookSecret(id: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('repos').select('webhookSecret').where('id', '=', id).executeTakeFirst();
    return row ? this.box.decrypt(row.webhookSecret) : undefined;
  }

  async remove(id: number): Promise<void> {
    await this.db.deleteFrom('repos').where('id', '=', id).execute();
  }
}
