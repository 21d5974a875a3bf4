// Opens the database (an embedded SQLite file, or PostgreSQL from a URL) and brings its schema
// up to date with the migrations before anything else touches it.

import BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider, type DialectName } from './migrations.ts';
import type { Tables } from './schema.ts';

export type Db = Kysely<Tables>;

export interface Database {
  db: Db;
  dialect: DialectName;
  /** True once the migrations have run. */
  migrated: boolean;
  /** Answers whether the database can be reached now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class DatabaseError extends Error {}

export interface DatabaseLocation {
  /** postgres://... ; without it, SQLite in `sqliteFile`. */
  url?: string;
  sqliteFile?: string;
}

function describe(location: DatabaseLocation): string {
  if (!location.url) return location.sqliteFile ?? ':memory:';
  try {
    const url = new URL(location.url);
    url.password = url.password ? '***' : '';
    return url.toString();
  } catch {
    return 'the database URL';
  }
}

function connect(location: DatabaseLocation): { db: Db; dialect: DialectName } {
  if (location.url) {
    if (!/^postgres(ql)?:\/\//.test(location.url)) {
      throw new DatabaseError(`--database-url: expected postgres://USER@HOST:PORT/DATABASE, got "${location.url.replace(/:[^:@/]*@/, ':***@')}"`);
    }
    // bigint counts come back as strings otherwise.
    pg.types.setTypeParser(20, (value) => Number(value));
    const pool = new pg.Pool({ connectionString: location.url, max: 10 });
    pool.on('error', () => undefined);
    return { db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] }), dialect: 'postgres' };
  }
  const file = new BetterSqlite3(location.sqliteFile ?? ':memory:');
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = NORMAL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  return { db: new Kysely<Tables>({ dialect: new SqliteDialect({ database: file }), plugins: [new CamelCasePlugin()] }), dialect: 'sqlite' };
}

export async function openDatabase(location: DatabaseLocation): Promise<Database> {
  const { db, dialect } = connect(location);
  const ping = async () => {
    try {
      await sql`select 1`.execute(db);
      return true;
    } catch {
      return false;
    }
  };
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw new DatabaseError(`cannot reach ${describe(location)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'a migration';
    throw new DatabaseError(`migrating ${describe(location)} failed at ${failed}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { db, dialect, migrated: true, ping, close: () => db.destroy() };
}
