// A server's history of runs, written fast: repositories through the server's own store
// (storage/db, so their webhook secrets are sealed as the server expects) and then many
// finished runs with one attempt each in multi-row inserts through the same kysely schema, in
// one transaction. `gantry serve` is then started on that database.

import { sql } from 'kysely';
import type { Db } from '../../src/storage/db/database.ts';
import { openStore, type Store } from '../../src/storage/db/store.ts';
import type { RepoEvent } from '../../src/plan/types.ts';

export interface HistoryOptions {
  /** SQLite file, or a PostgreSQL URL. */
  location: { sqliteFile: string } | { url: string };
  /** GANTRY_SECRET_KEY as bytes: the server must find its own key check value. */
  secretKey: Buffer;
  runs: number;
  /** Paths of real git repositories, registered under `repoNames`. */
  repoPath: string;
  repoNames: readonly string[];
  /** Branches other than main; half of the runs are on main. */
  branches: readonly string[];
  /** A real push event, stored (with its sha changed) as each run's event data. */
  event: RepoEvent;
}

export interface History {
  runs: number;
  /** The lowest and highest run ids written. */
  firstId: number;
  lastId: number;
  /** Bytes of event data per run (JSON). */
  eventBytes: number;
  ms: number;
}

/** A small deterministic generator, so that every database gets the same history. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORKFLOWS = [
  { file: '.github/workflows/ci.yml', name: 'CI' },
  { file: '.github/workflows/deploy.yml', name: 'Deploy' },
  { file: '.github/workflows/nightly.yml', name: 'Nightly' },
];
const ACTORS = Array.from({ length: 12 }, (_, i) => `dev-${i}`);
const BATCH = 500;

/** Writes `runs` finished runs (and their attempts) spread over the repositories, branches and workflows. */
export async function writeRunHistory(options: HistoryOptions): Promise<History> {
  const started = performance.now();
  const store = await openStore(options.location, options.secretKey);
  try {
    const repoIds: number[] = [];
    for (const name of options.repoNames) {
      const existing = await store.repos.byName(name);
      const repo = existing ?? (await store.repos.create({ name, path: options.repoPath, url: null, defaultBranch: 'main', webhookSecret: `history-${name}` }));
      repoIds.push(repo.id);
    }
    const db = store.database.db;
    const before = await db.selectFrom('runs').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const firstId = Number(before?.id ?? 0) + 1;
    const eventBytes = Buffer.byteLength(JSON.stringify(options.event));
    const random = generator(8);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const epoch = Date.now() - options.runs * 60_000;
    await db.transaction().execute(async (tx) => {
      for (let offset = 0; offset < options.runs; offset += BATCH) {
        const runs = [];
        const attempts = [];
        for (let i = offset; i < Math.min(options.runs, offset + BATCH); i++) {
          const id = firstId + i;
          const branch = random() < 0.5 ? 'main' : pick(options.branches);
          const roll = random();
          const event = roll < 0.7 ? 'push' : roll < 0.9 ? 'pull_request' : roll < 0.95 ? 'schedule' : 'workflow_dispatch';
          const workflow = event === 'schedule' ? WORKFLOWS[2]! : branch === 'main' && random() < 0.3 ? WORKFLOWS[1]! : WORKFLOWS[0]!;
          const sha = Array.from({ length: 5 }, () => Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0')).join('');
          const createdAt = new Date(epoch + i * 60_000).toISOString();
          const startedAt = new Date(epoch + i * 60_000 + 3_000).toISOString();
          const finishedAt = new Date(epoch + i * 60_000 + 3_000 + Math.floor(random() * 600_000)).toISOString();
          const outcome = random();
          const conclusion = outcome < 0.8 ? 'success' : outcome < 0.95 ? 'failure' : 'cancelled';
          const ref = event === 'pull_request' ? `refs/pull/${1 + Math.floor(random() * 500)}/merge` : `refs/heads/${branch}`;
          runs.push({
            id,
            repoId: pick(repoIds),
            workflowFile: workflow.file,
            workflowName: workflow.name,
            event,
            ref,
            branch,
            sha,
            actor: pick(ACTORS),
            eventData: JSON.stringify({ ...options.event, name: event, ref, sha }),
            attempt: 1,
            status: 'completed',
            conclusion,
            createdAt,
            startedAt,
            finishedAt,
            concurrencyGroup: null,
            cancelInProgress: 0,
            chainDepth: 0,
            cancelRequested: 0,
          });
          attempts.push({ runId: id, attempt: 1, status: 'completed', conclusion, rerunJobs: null, createdAt, startedAt, finishedAt });
        }
        await tx.insertInto('runs').values(runs).execute();
        await tx.insertInto('runAttempts').values(attempts).execute();
      }
    });
    await afterExplicitIds(store, db);
    return { runs: options.runs, firstId, lastId: firstId + options.runs - 1, eventBytes, ms: performance.now() - started };
  } finally {
    await store.close();
  }
}

/**
 * PostgreSQL's serial does not see ids given explicitly: its sequence moves past them. PostgreSQL's
 * autovacuum would analyze the new rows on its own some time later; analyzing now makes that moment
 * certain. SQLite is left as the server leaves it (it never runs ANALYZE).
 */
async function afterExplicitIds(store: Store, db: Db): Promise<void> {
  if (store.database.dialect !== 'postgres') return;
  await sql`select setval(pg_get_serial_sequence('runs', 'id'), (select max(id) from runs))`.execute(db);
  await sql`analyze`.execute(db);
}
