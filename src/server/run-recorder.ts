// An engine run's events -> the database: jobs, steps, annotations, summaries and log lines
// (buffered, flushed at least every second, append-only), with change notifications.

import type { EngineEvent } from '../engine/events.ts';
import type { LogLine, RunConclusion, RunRecord } from '../storage/db/records.ts';
import type { Store } from '../storage/db/store.ts';
import type { ChangeBus } from './bus.ts';
import type { ServerMetrics } from './metrics.ts';
import { apiJob, type ApiStep } from './shapes.ts';
import { jobContext, statusState } from './statuses.ts';

const FLUSH_MS = 500;

interface JobState {
  rowId: number;
  name: string;
  nextLine: number;
  pending: Omit<LogLine, 'line'>[];
  pendingFrom: number;
  queuedAt: number;
}

export interface JobFacts {
  /** The matrix leg of a job key. */
  matrixOf?: (key: string) => Record<string, unknown> | null;
  /** For a job carried over from an earlier attempt, that attempt. */
  carriedFrom?: (key: string) => number | null;
}

export class RunRecorder {
  private chain: Promise<void> = Promise.resolve();
  private readonly jobs = new Map<string, JobState>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly bus: ChangeBus,
    private readonly metrics: ServerMetrics,
    private readonly run: RunRecord,
    private readonly onError: (error: unknown) => void,
    /** What the plan knows of a job key and the engine's events do not carry. */
    private readonly plan: JobFacts = {},
  ) {
    this.timer = setInterval(() => this.enqueue(() => this.flushAll()), FLUSH_MS);
    this.timer.unref();
  }

  readonly listener = (event: EngineEvent): void => {
    if (event.type === 'log' || event.type === 'group') {
      // A `::group::` is kept as the runner's `##[group]` / `##[endgroup]` line, so log readers can fold it.
      const text = event.type === 'log' ? event.line : event.action === 'start' ? `##[group]${event.title ?? ''}` : '##[endgroup]';
      const stream = event.type === 'log' ? event.stream : 'system';
      // Numbered at once so the order is the engine's even before the job's row exists.
      this.enqueue(async () => {
        const job = this.jobs.get(event.job);
        if (!job) return;
        if (job.pending.length === 0) job.pendingFrom = job.nextLine;
        job.pending.push({ step: event.step, stream, text, at: new Date(event.at).toISOString() });
        job.nextLine++;
      });
      return;
    }
    this.enqueue(() => this.record(event));
  };

  /** The job row of a job key, once its job was queued. */
  jobRowId(key: string): number | undefined {
    return this.jobs.get(key)?.rowId;
  }

  jobKeyOf(rowId: number): string | undefined {
    for (const [key, job] of this.jobs) if (job.rowId === rowId) return key;
    return undefined;
  }

  /** Writes everything received so far and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.enqueue(() => this.flushAll());
    await this.chain;
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch(this.onError);
  }

  private async record(event: EngineEvent): Promise<void> {
    const at = new Date(event.at).toISOString();
    switch (event.type) {
      case 'job-queued': {
        const job = { key: event.job, jobId: event.jobId, name: event.name, needs: event.needs, queuedAt: at };
        const rowId = await this.store.runs.addJob(this.run.id, this.run.attempt, { ...job, matrix: this.plan.matrixOf?.(event.job) ?? null, carriedFrom: this.plan.carriedFrom?.(event.job) ?? null });
        this.jobs.set(event.job, { rowId, name: event.name, nextLine: 1, pending: [], pendingFrom: 1, queuedAt: event.at });
        await this.publishJob(rowId);
        await this.store.statuses.set(this.run.repoId, this.run.sha, { context: jobContext(this.run, event.name), state: 'pending', runId: this.run.id, description: 'queued' });
        return;
      }
      case 'job-started': {
        const job = this.jobs.get(event.job);
        if (!job) return;
        await this.store.runs.jobStarted(job.rowId, at);
        this.metrics.queueWait.observe(Math.max(0, event.at - job.queuedAt) / 1000);
        await this.publishJob(job.rowId);
        return;
      }
      case 'step-started': {
        const job = this.jobs.get(event.job);
        if (!job) return;
        await this.store.runs.stepStarted(job.rowId, event.step, event.name, at);
        this.publishStep(job.rowId, { number: event.step, name: event.name, status: 'running', conclusion: null, startedAt: at, finishedAt: null, durationMs: null });
        return;
      }
      case 'step-finished': {
        const job = this.jobs.get(event.job);
        if (!job) return;
        await this.store.runs.stepFinished(job.rowId, event.step, event.name, event.conclusion, event.durationMs, at);
        this.publishStep(job.rowId, {
          number: event.step,
          name: event.name,
          status: 'completed',
          conclusion: event.conclusion,
          startedAt: new Date(event.at - event.durationMs).toISOString(),
          finishedAt: at,
          durationMs: event.durationMs,
        });
        return;
      }
      case 'annotation': {
        const job = this.jobs.get(event.job);
        if (job) await this.store.logs.addAnnotation(job.rowId, event.step, event.annotation);
        return;
      }
      case 'step-summary': {
        const job = this.jobs.get(event.job);
        if (job) await this.store.logs.addSummary(job.rowId, event.step, event.markdown);
        return;
      }
      case 'job-finished': {
        const job = this.jobs.get(event.job);
        if (!job) return;
        await this.flush(job);
        await this.finishJob(job, event.conclusion, event.durationMs, at, event.outputs);
        return;
      }
      default:
        return;
    }
  }

  private async finishJob(job: JobState, conclusion: RunConclusion, durationMs: number, at: string, outputs?: Record<string, string>): Promise<void> {
    await this.store.runs.jobFinished(job.rowId, conclusion, durationMs, at, null, outputs);
    this.metrics.jobs.inc({ conclusion });
    this.metrics.jobDuration.observe(durationMs / 1000);
    await this.store.statuses.set(this.run.repoId, this.run.sha, { context: jobContext(this.run, job.name), state: statusState(conclusion), runId: this.run.id, description: conclusion });
    await this.publishJob(job.rowId);
  }

  private async flushAll(): Promise<void> {
    for (const job of this.jobs.values()) await this.flush(job);
  }

  private async flush(job: JobState): Promise<void> {
    if (job.pending.length === 0) return;
    const lines = job.pending;
    const from = job.pendingFrom;
    job.pending = [];
    await this.store.logs.append(job.rowId, from, lines);
  }

  private async publishJob(rowId: number): Promise<void> {
    const job = await this.store.runs.job(rowId);
    if (job) this.bus.publish({ type: 'job', data: { runId: this.run.id, job: apiJob(job) } });
  }

  private publishStep(jobRowId: number, step: ApiStep): void {
    this.bus.publish({ type: 'step', data: { runId: this.run.id, jobId: jobRowId, step } });
  }
}
