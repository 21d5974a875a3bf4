// Runs, their attempts, jobs and steps: the queue and the record of what ran.

import type { Selectable } from 'kysely';
import type { Db } from './database.ts';
import type { AttemptRecord, JobRecord, RunConclusion, RunRecord, RunStatus, StepRecord } from './records.ts';
import type { JobTable, RunTable, StepTable } from './schema.ts';
import { now } from './time.ts';

/** What queuing a run needs: the run's own identity fields, its event and its concurrency settings. */
export interface NewRun extends Pick<RunRecord, 'repoId' | 'workflowFile' | 'workflowName' | 'event' | 'ref' | 'branch' | 'sha' | 'actor'> {
  /** The RepoEvent, as JSON-able data. */
  eventData: unknown;
  concurrencyGroup: string | null;
  cancelInProgress: boolean;
  chainDepth: number;
}

export interface RunFilter {
  repo?: string;
  workflow?: string;
  branch?: string;
  event?: string;
  status?: string;
  actor?: string;
  sha?: string;
  limit: number;
  /** The id of the last run of the previous page. */
  cursor?: number;
}

export interface NewJob {
  key: string;
  jobId: string;
  name: string;
  matrix: unknown;
  needs: string[];
  queuedAt: string;
  /** Set for a job carried over from an earlier attempt. */
  carriedFrom?: number | null;
}

/** Every column of a run but its event: lists and views never need the event payload (kilobytes per run). */
const runColumns = [
  'runs.id',
  'runs.repoId',
  'runs.workflowFile',
  'runs.workflowName',
  'runs.event',
  'runs.ref',
  'runs.branch',
  'runs.sha',
  'runs.actor',
  'runs.attempt',
  'runs.status',
  'runs.conclusion',
  'runs.createdAt',
  'runs.startedAt',
  'runs.finishedAt',
  'runs.concurrencyGroup',
  'runs.cancelInProgress',
  'runs.chainDepth',
  'runs.cancelRequested',
] as const;

type RunRow = Omit<Selectable<RunTable>, 'eventData'> & { repo: string };

function runRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    repoId: row.repoId,
    repo: row.repo,
    workflowFile: row.workflowFile,
    workflowName: row.workflowName,
    event: row.event,
    ref: row.ref,
    branch: row.branch,
    sha: row.sha,
    actor: row.actor,
    attempt: row.attempt,
    status: row.status as RunStatus,
    conclusion: row.conclusion as RunConclusion | null,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    concurrencyGroup: row.concurrencyGroup,
    cancelInProgress: row.cancelInProgress === 1,
    chainDepth: row.chainDepth,
    cancelRequested: row.cancelRequested === 1,
  };
}

function stepRecord(row: Selectable<StepTable>): StepRecord {
  return {
    number: row.number,
    name: row.name,
    status: row.status as RunStatus,
    conclusion: row.conclusion as RunConclusion | null,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
  };
}

function jobRecord(row: Selectable<JobTable>, steps: StepRecord[]): JobRecord {
  return {
    id: row.id,
    runId: row.runId,
    attempt: row.attempt,
    key: row.key,
    jobId: row.jobId,
    name: row.name,
    matrix: row.matrix === null ? null : (JSON.parse(row.matrix) as Record<string, unknown> | null),
    needs: JSON.parse(row.needs) as string[],
    status: row.status as RunStatus,
    conclusion: row.conclusion as RunConclusion | null,
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
    reason: row.reason,
    cancelRequested: row.cancelRequested === 1,
    outputs: row.outputs === null ? {} : (JSON.parse(row.outputs) as Record<string, string>),
    carriedFrom: row.carriedFrom,
    steps,
  };
}

export class RunStore {
  constructor(private readonly db: Db) {}

  private selectRuns() {
    return this.db.selectFrom('runs').innerJoin('repos', 'repos.id', 'runs.repoId').select(runColumns).select('repos.name as repo');
  }

  async create(run: NewRun): Promise<RunRecord> {
    const createdAt = now();
    const id = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('runs')
        .values({
          ...run,
          eventData: JSON.stringify(run.eventData),
          cancelInProgress: run.cancelInProgress ? 1 : 0,
          attempt: 1,
          status: 'queued',
          conclusion: null,
          createdAt,
          startedAt: null,
          finishedAt: null,
          cancelRequested: 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.insertInto('runAttempts').values({ runId: row.id, attempt: 1, status: 'queued', conclusion: null, rerunJobs: null, createdAt, startedAt: null, finishedAt: null }).execute();
      return row.id;
    });
    return (await this.get(id))!;
  }

  async get(id: number): Promise<RunRecord | undefined> {
    const row = await this.selectRuns().where('runs.id', '=', id).executeTakeFirst();
    return row ? runRecord(row) : undefined;
  }

  async list(filter: RunFilter): Promise<{ runs: RunRecord[]; nextCursor: string | null }> {
    let query = this.selectRuns();
    if (filter.repo !== undefined) query = query.where('repos.name', '=', filter.repo);
    if (filter.workflow !== undefined) query = query.where((eb) => eb.or([eb('runs.workflowFile', '=', filter.workflow!), eb('runs.workflowName', '=', filter.workflow!)]));
    if (filter.branch !== undefined) query = query.where('runs.branch', '=', filter.branch);
    if (filter.event !== undefined) query = query.where('runs.event', '=', filter.event);
    if (filter.status !== undefined) query = query.where('runs.status', '=', filter.status);
    if (filter.actor !== undefined) query = query.where('runs.actor', '=', filter.actor);
    if (filter.sha !== undefined) query = query.where('runs.sha', '=', filter.sha);
    if (filter.cursor !== undefined) query = query.where('runs.id', '<', filter.cursor);
    const rows = await query.orderBy('runs.id', 'desc').limit(filter.limit + 1).execute();
    const runs = rows.slice(0, filter.limit).map(runRecord);
    return { runs, nextCursor: rows.length > filter.limit ? String(runs[runs.length - 1]!.id) : null };
  }

  async latestForRepo(repoId: number): Promise<RunRecord | null> {
    const row = await this.selectRuns().where('runs.repoId', '=', repoId).orderBy('runs.id', 'desc').limit(1).executeTakeFirst();
    return row ? runRecord(row) : null;
  }

  /** Queued runs, oldest first. */
  async queued(limit = 100): Promise<RunRecord[]> {
    const rows = await this.selectRuns().where('runs.status', '=', 'queued').orderBy('runs.id').limit(limit).execute();
    return rows.map(runRecord);
  }

  async inGroup(group: string, status: RunStatus): Promise<RunRecord[]> {
    const rows = await this.selectRuns().where('runs.concurrencyGroup', '=', group).where('runs.status', '=', status).orderBy('runs.id').execute();
    return rows.map(runRecord);
  }

  async eventData(id: number): Promise<unknown> {
    const row = await this.db.selectFrom('runs').select('eventData').where('id', '=', id).executeTakeFirstOrThrow();
    return JSON.parse(row.eventData) as unknown;
  }

  /** Queued -> running; false when another dispatcher (or a cancel) got there first. */
  async start(id: number): Promise<boolean> {
    const at = now();
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.updateTable('runs').set({ status: 'running', startedAt: at }).where('id', '=', id).where('status', '=', 'queued').executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      const { attempt } = await tx.selectFrom('runs').select('attempt').where('id', '=', id).executeTakeFirstOrThrow();
      await tx.updateTable('runAttempts').set({ status: 'running', startedAt: at }).where('runId', '=', id).where('attempt', '=', attempt).execute();
      return true;
    });
  }

  async finish(id: number, conclusion: RunConclusion): Promise<void> {
    const at = now();
    await this.db.transaction().execute(async (tx) => {
      const run = await tx.selectFrom('runs').select(['attempt', 'startedAt']).where('id', '=', id).executeTakeFirstOrThrow();
      await tx.updateTable('runs').set({ status: 'completed', conclusion, finishedAt: at, startedAt: run.startedAt ?? at }).where('id', '=', id).execute();
      await tx
        .updateTable('runAttempts')
        .set({ status: 'completed', conclusion, finishedAt: at, startedAt: run.startedAt ?? at })
        .where('runId', '=', id)
        .where('attempt', '=', run.attempt)
        .execute();
    });
  }

  async requestCancel(id: number): Promise<void> {
    await this.db.updateTable('runs').set({ cancelRequested: 1 }).where('id', '=', id).execute();
  }

  async attempts(id: number): Promise<AttemptRecord[]> {
    const rows = await this.db.selectFrom('runAttempts').selectAll().where('runId', '=', id).orderBy('attempt').execute();
    return rows.map((row) => ({
      attempt: row.attempt,
      status: row.status as RunStatus,
      conclusion: row.conclusion as RunConclusion | null,
      rerunJobs: row.rerunJobs === null ? null : (JSON.parse(row.rerunJobs) as string[]),
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
    }));
  }

  /** A new attempt of a finished run, queued; `rerunJobs` limits it to those job ids. */
  async newAttempt(id: number, rerunJobs: string[] | null): Promise<number> {
    const at = now();
    return this.db.transaction().execute(async (tx) => {
      const run = await tx.selectFrom('runs').select('attempt').where('id', '=', id).executeTakeFirstOrThrow();
      const attempt = run.attempt + 1;
      await tx
        .updateTable('runs')
        .set({ attempt, status: 'queued', conclusion: null, startedAt: null, finishedAt: null, cancelRequested: 0 })
        .where('id', '=', id)
        .execute();
      await tx
        .insertInto('runAttempts')
        .values({ runId: id, attempt, status: 'queued', conclusion: null, rerunJobs: rerunJobs === null ? null : JSON.stringify(rerunJobs), createdAt: at, startedAt: null, finishedAt: null })
        .execute();
      return attempt;
    });
  }

  async addJob(runId: number, attempt: number, job: NewJob): Promise<number> {
    const row = await this.db
      .insertInto('jobs')
      .values({
        runId,
        attempt,
        key: job.key,
        jobId: job.jobId,
        name: job.name,
        matrix: job.matrix === null || job.matrix === undefined ? null : JSON.stringify(job.matrix),
        needs: JSON.stringify(job.needs),
        status: 'queued',
        conclusion: null,
        queuedAt: job.queuedAt,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        reason: null,
        cancelRequested: 0,
        outputs: null,
        carriedFrom: job.carriedFrom ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async jobStarted(jobRowId: number, at: string): Promise<void> {
    await this.db.updateTable('jobs').set({ status: 'running', startedAt: at }).where('id', '=', jobRowId).execute();
  }

  async jobFinished(jobRowId: number, conclusion: RunConclusion, durationMs: number, at: string, reason: string | null = null, outputs: Record<string, string> = {}): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'completed',
        conclusion,
        durationMs,
        finishedAt: at,
        startedAt: eb.fn.coalesce('startedAt', eb.val(at)),
        ...(reason ? { reason } : {}),
        ...(Object.keys(outputs).length > 0 ? { outputs: JSON.stringify(outputs) } : {}),
      }))
      .where('id', '=', jobRowId)
      .execute();
  }

  async stepStarted(jobRowId: number, number: number, name: string, at: string): Promise<void> {
    await this.db
      .insertInto('steps')
      .values({ jobRowId, number, name, status: 'running', conclusion: null, startedAt: at, finishedAt: null, durationMs: null })
      .onConflict((oc) => oc.columns(['jobRowId', 'number']).doUpdateSet({ status: 'running', startedAt: at, name }))
      .execute();
  }

  async stepFinished(jobRowId: number, number: number, name: string, conclusion: RunConclusion, durationMs: number, at: string): Promise<void> {
    await this.db
      .insertInto('steps')
      .values({ jobRowId, number, name, status: 'completed', conclusion, startedAt: new Date(Date.parse(at) - durationMs).toISOString(), finishedAt: at, durationMs })
      .onConflict((oc) => oc.columns(['jobRowId', 'number']).doUpdateSet({ status: 'completed', conclusion, finishedAt: at, durationMs }))
      .execute();
  }

  async requestJobCancel(jobRowId: number): Promise<void> {
    await this.db.updateTable('jobs').set({ cancelRequested: 1 }).where('id', '=', jobRowId).execute();
  }

  async jobs(runId: number, attempt: number): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('runId', '=', runId).where('attempt', '=', attempt).orderBy('id').execute();
    return this.withSteps(rows);
  }

  async job(jobRowId: number): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', jobRowId).executeTakeFirst();
    return row ? (await this.withSteps([row]))[0] : undefined;
  }

  private async withSteps(rows: Selectable<JobTable>[]): Promise<JobRecord[]> {
    if (rows.length === 0) return [];
    const steps = await this.db
      .selectFrom('steps')
      .selectAll()
      .where(
        'jobRowId',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('number')
      .execute();
    return rows.map((row) => jobRecord(row, steps.filter((s) => s.jobRowId === row.id).map(stepRecord)));
  }

  /**
   * After a crash: what was running cannot be finished by anyone. Running and queued jobs of
   * running runs fail with `reason`, open steps fail, and those runs complete as failed. Queued runs
   * stay queued. Answers the runs it closed.
   */
  async interruptRunning(reason: string): Promise<number[]> {
    const at = now();
    return this.db.transaction().execute(async (tx) => {
      const runs = await tx.selectFrom('runs').select(['id', 'attempt']).where('status', '=', 'running').execute();
      const open = await tx.selectFrom('jobs').select('id').where('status', '!=', 'completed').execute();
      const openIds = open.map((j) => j.id);
      if (openIds.length > 0) {
        await tx.updateTable('steps').set({ status: 'completed', conclusion: 'failure', finishedAt: at }).where('jobRowId', 'in', openIds).where('status', '!=', 'completed').execute();
        await tx
          .updateTable('jobs')
          .set((eb) => ({ status: 'completed', conclusion: 'failure', finishedAt: at, reason, startedAt: eb.fn.coalesce('startedAt', eb.val(at)) }))
          .where('id', 'in', openIds)
          .execute();
      }
      for (const run of runs) {
        await tx.updateTable('runs').set({ status: 'completed', conclusion: 'failure', finishedAt: at }).where('id', '=', run.id).execute();
        await tx.updateTable('runAttempts').set({ status: 'completed', conclusion: 'failure', finishedAt: at }).where('runId', '=', run.id).where('attempt', '=', run.attempt).execute();
      }
      return runs.map((r) => r.id);
    });
  }

  async counts(): Promise<{ queued: number; running: number; runningJobs: number }> {
    const runs = await this.db.selectFrom('runs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    const jobs = await this.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'running').executeTakeFirstOrThrow();
    const of = (status: string) => Number(runs.find((r) => r.status === status)?.n ?? 0);
    return { queued: of('queued'), running: of('running'), runningJobs: Number(jobs.n) };
  }
}
