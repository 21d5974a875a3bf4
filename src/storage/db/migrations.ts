// Versioned schema changes, in code, run at start by kysely's Migrator. A migration, once
// released, never changes: add the next one instead.

import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

type Db = Kysely<unknown>;

function initial(dialect: DialectName): Migration {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  // A table with the auto-numbered `id` both dialects understand.
  const table = (db: Db, name: string) =>
    db.schema.createTable(name).addColumn('id', idType, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()));
  return {
    async up(db: Db) {
      await table(db, 'repos')
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('path', 'text')
        .addColumn('url', 'text')
        .addColumn('defaultBranch', 'text', (c) => c.notNull())
        .addColumn('webhookSecret', 'text', (c) => c.notNull())
        .addColumn('createdAt', 'text', (c) => c.notNull())
        .execute();
      await table(db, 'runs')
        .addColumn('repoId', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
        .addColumn('workflowFile', 'text', (c) => c.notNull())
        .addColumn('workflowName', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('branch', 'text')
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('eventData', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('conclusion', 'text')
        .addColumn('createdAt', 'text', (c) => c.notNull())
        .addColumn('startedAt', 'text')
        .addColumn('finishedAt', 'text')
        .addColumn('concurrencyGroup', 'text')
        .addColumn('cancelInProgress', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('chainDepth', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cancelRequested', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('runsByStatus').on('runs').columns(['status', 'id']).execute();
      await db.schema.createIndex('runsByRepo').on('runs').columns(['repoId', 'id']).execute();
      await table(db, 'runAttempts')
        .addColumn('runId', 'integer', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('conclusion', 'text')
        .addColumn('rerunJobs', 'text')
        .addColumn('createdAt', 'text', (c) => c.notNull())
        .addColumn('startedAt', 'text')
        .addColumn('finishedAt', 'text')
        .addUniqueConstraint('runAttemptsUnique', ['runId', 'attempt'])
        .execute();
      await table(db, 'jobs')
        .addColumn('runId', 'integer', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('jobId', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('matrix', 'text')
        .addColumn('needs', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('conclusion', 'text')
        .addColumn('queuedAt', 'text', (c) => c.notNull())
        .addColumn('startedAt', 'text')
        .addColumn('finishedAt', 'text')
        .addColumn('durationMs', 'integer')
        .addColumn('reason', 'text')
        .addColumn('cancelRequested', 'integer', (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint('jobsUnique', ['runId', 'attempt', 'key'])
        .execute();
      await db.schema.createIndex('jobsByStatus').on('jobs').columns(['status']).execute();
      await table(db, 'steps')
        .addColumn('jobRowId', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('conclusion', 'text')
        .addColumn('startedAt', 'text')
        .addColumn('finishedAt', 'text')
        .addColumn('durationMs', 'integer')
        .addUniqueConstraint('stepsUnique', ['jobRowId', 'number'])
        .execute();
      await table(db, 'logChunks')
        .addColumn('jobRowId', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('firstLine', 'integer', (c) => c.notNull())
        .addColumn('lineCount', 'integer', (c) => c.notNull())
        .addColumn('lines', 'text', (c) => c.notNull())
        .addUniqueConstraint('logChunksUnique', ['jobRowId', 'firstLine'])
        .execute();
      for (const name of ['annotations', 'summaries']) {
        let builder = table(db, name)
          .addColumn('jobRowId', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
          .addColumn('step', 'integer', (c) => c.notNull());
        builder =
          name === 'annotations'
            ? builder.addColumn('level', 'text', (c) => c.notNull()).addColumn('message', 'text', (c) => c.notNull()).addColumn('location', 'text', (c) => c.notNull())
            : builder.addColumn('markdown', 'text', (c) => c.notNull());
        await builder.execute();
        await db.schema.createIndex(`${name}ByJob`).on(name).column('jobRowId').execute();
      }
      for (const name of ['secrets', 'variables']) {
        await table(db, name)
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updatedAt', 'text', (c) => c.notNull())
          .addUniqueConstraint(`${name}Unique`, ['scope', 'name'])
          .execute();
      }
      await table(db, 'tokens')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('createdAt', 'text', (c) => c.notNull())
        .addColumn('lastUsedAt', 'text')
        .addColumn('revokedAt', 'text')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('tokenId', 'integer', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
        .addColumn('createdAt', 'text', (c) => c.notNull())
        .addColumn('expiresAt', 'text', (c) => c.notNull())
        .execute();
      await table(db, 'webhookDeliveries')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('deliveryId', 'text')
        .addColumn('event', 'text')
        .addColumn('repoId', 'integer')
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('statusCode', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('runIds', 'text', (c) => c.notNull())
        .addColumn('receivedAt', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhookDeliveriesById').on('webhookDeliveries').columns(['provider', 'deliveryId']).execute();
      await table(db, 'auditLog')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .execute();
      await table(db, 'commitStatuses')
        .addColumn('repoId', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('context', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('runId', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('updatedAt', 'text', (c) => c.notNull())
        .addUniqueConstraint('commitStatusesUnique', ['repoId', 'sha', 'context'])
        .execute();
      await table(db, 'schedules')
        .addColumn('repoId', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
        .addColumn('workflowFile', 'text', (c) => c.notNull())
        .addColumn('cron', 'text', (c) => c.notNull())
        .addColumn('lastTick', 'text', (c) => c.notNull())
        .addUniqueConstraint('schedulesUnique', ['repoId', 'workflowFile', 'cron'])
        .execute();
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      if (dialect === 'sqlite') await sql`pragma foreign_keys = on`.execute(db);
    },
  };
}

/** A job's outputs (JSON), so a re-run of failed jobs can carry the successful jobs over. */
const jobOutputs: Migration = {
  async up(db) {
    await db.schema.alterTable('jobs').addColumn('outputs', 'text').execute();
  },
};

/** The run list filtered by branch (the web UI's branch filter, `gantry runs list --branch`), newest first. */
const runsByBranch: Migration = {
  async up(db) {
    await db.schema.createIndex('runsByBranch').on('runs').columns(['branch', 'id']).execute();
  },
};

/** Which attempt a carried-over job's result comes from, so a run view can say so and link to it. */
const jobCarriedFrom: Migration = {
  async up(db) {
    await db.schema.alterTable('jobs').addColumn('carriedFrom', 'integer').execute();
  },
};

/** Every migration, by name; names sort in the order they run. */
export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    getMigrations: async () => ({ '0001_initial': initial(dialect), '0002_job_outputs': jobOutputs, '0003_runs_by_branch': runsByBranch, '0004_job_carried_from': jobCarriedFrom }),
  };
}
