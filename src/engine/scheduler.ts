// Runs the jobs of every triggered workflow from their real dependency graph:
// a job starts as soon as its own needs have finished (a ready queue, not
// layers), within the global and per-matrix limits, with fail-fast.

import type { RunPlan, PlannedJob, WorkflowPlan } from '../plan/types.ts';
import type { Job } from '../workflow/types.ts';
import type { Conclusion, EngineListener, JobKey } from './events.ts';
import type { JobResult } from './types.ts';

export interface NeedResult {
  result: Conclusion;
  outputs: Record<string, string>;
}

export interface JobGroup {
  workflowPlan: WorkflowPlan;
  job: Job;
  /** Legs as planned; a deferred matrix is replaced by its real legs when the group becomes ready. */
  legs: PlannedJob[];
  results: JobResult[];
  done: boolean;
}

export interface LegRun {
  key: JobKey;
  group: JobGroup;
  planned: PlannedJob;
  needs: Record<string, NeedResult>;
  /** Results of every job this one depends on, directly or not (for status functions). */
  ancestorResults: Conclusion[];
  /** Aborts when fail-fast or a concurrency group cancels this leg. */
  cancel: AbortSignal;
}

export interface SchedulerHooks {
  runLeg(leg: LegRun): Promise<JobResult>;
  /** A deferred matrix, expanded once the job's needs are known. */
  expandLegs(group: JobGroup, needs: Record<string, NeedResult>): PlannedJob[];
  /** The leg did not start (fail-fast cancelled it while queued). */
  notStarted(leg: LegRun, conclusion: Conclusion): JobResult;
  /**
   * Workflow-level `concurrency`: resolves whether the workflow may run; `cancel` stops it when a
   * newer member of its group preempts it. Null when the workflow has no group.
   */
  admitWorkflow(workflowPlan: WorkflowPlan, cancel: () => void): Promise<boolean> | null;
  workflowFinished(workflowPlan: WorkflowPlan): void;
  listener: EngineListener;
  maxParallelJobs: number;
}

export function jobKey(workflowFile: string, jobId: string, legIndex: number): JobKey {
  return `${workflowFile}#${jobId}#${legIndex}`;
}

/** A matrix job's result as `needs.<id>.result` reports it. */
export function combinedResult(results: readonly JobResult[]): Conclusion {
  const conclusions = results.map((r) => (r.continuedOnError ? 'success' : r.conclusion));
  if (conclusions.includes('failure')) return 'failure';
  if (conclusions.includes('cancelled')) return 'cancelled';
  if (conclusions.includes('success')) return 'success';
  return 'skipped';
}

/** Outputs of a matrix job: later legs overwrite earlier ones, as on GitHub. */
function combinedOutputs(results: readonly JobResult[]): Record<string, string> {
  return Object.assign({}, ...results.map((r) => r.outputs)) as Record<string, string>;
}

export class Scheduler {
  private readonly groups: JobGroup[] = [];
  private running = 0;
  private readonly queue: LegRun[] = [];
  private readonly runningPerGroup = new Map<JobGroup, number>();
  private readonly legCancels = new Map<JobKey, AbortController>();
  private finished!: () => void;
  private readonly workflowCancels = new Map<WorkflowPlan, AbortController>();
  private readonly waitingWorkflows = new Set<WorkflowPlan>();

  constructor(
    plan: RunPlan,
    private readonly hooks: SchedulerHooks,
  ) {
    for (const workflowPlan of plan.workflows.filter((wp) => wp.triggered)) {
      for (const job of workflowPlan.workflow.jobs) {
        const legs = workflowPlan.jobs.filter((planned) => planned.id === job.id);
        if (legs.length > 0) this.groups.push({ workflowPlan, job, legs, results: [], done: false });
      }
    }
  }

  get jobGroups(): readonly JobGroup[] {
    return this.groups;
  }

  async run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    for (const group of this.groups) {
      for (const [index, leg] of group.legs.entries()) this.announce(group, leg, index);
    }
    for (const workflowPlan of new Set(this.groups.map((g) => g.workflowPlan))) this.admit(workflowPlan);
    this.advance();
    await done;
  }

  private announce(group: JobGroup, leg: PlannedJob, index: number): void {
    const file = group.workflowPlan.workflow.file;
    this.hooks.listener({
      type: 'job-queued',
      job: jobKey(file, group.job.id, index),
      workflowFile: file,
      workflowName: group.workflowPlan.workflow.name,
      jobId: group.job.id,
      name: leg.name,
      needs: group.job.needs.flatMap((need) => {
        const needed = this.groupOf(group.workflowPlan, need);
        return needed ? needed.legs.map((_, i) => jobKey(file, need, i)) : [];
      }),
      at: Date.now(),
    });
  }

  private admit(workflowPlan: WorkflowPlan): void {
    const controller = new AbortController();
    this.workflowCancels.set(workflowPlan, controller);
    const admission = this.hooks.admitWorkflow(workflowPlan, () => controller.abort());
    if (!admission) return;
    this.waitingWorkflows.add(workflowPlan);
    void admission.then((admitted) => {
      if (!admitted) controller.abort();
      this.waitingWorkflows.delete(workflowPlan);
      this.advance();
    });
  }

  private groupOf(workflowPlan: WorkflowPlan, jobId: string): JobGroup | undefined {
    return this.groups.find((g) => g.workflowPlan === workflowPlan && g.job.id === jobId);
  }

  private readonly started = new Set<JobGroup>();

  /** Starts every group whose needs are done, then fills free slots from the queue. */
  private advance(): void {
    for (const group of this.groups) {
      if (this.started.has(group) || this.waitingWorkflows.has(group.workflowPlan)) continue;
      const needed = group.job.needs.map((need) => this.groupOf(group.workflowPlan, need));
      if (needed.some((g) => g && !g.done)) continue;
      this.started.add(group);
      this.enqueueGroup(group);
    }
    this.startQueued();
    if (this.groups.every((g) => g.done)) this.finished();
  }

  private needsOf(group: JobGroup): Record<string, NeedResult> {
    const needs: Record<string, NeedResult> = {};
    for (const need of group.job.needs) {
      const needed = this.groupOf(group.workflowPlan, need);
      needs[need] = needed
        ? { result: combinedResult(needed.results), outputs: combinedOutputs(needed.results) }
        : { result: 'skipped', outputs: {} };
    }
    return needs;
  }

  private ancestorResults(group: JobGroup): Conclusion[] {
    const seen = new Set<JobGroup>();
    const pending = [group];
    const results: Conclusion[] = [];
    while (pending.length > 0) {
      const current = pending.pop()!;
      for (const need of current.job.needs) {
        const needed = this.groupOf(group.workflowPlan, need);
        if (!needed || seen.has(needed)) continue;
        seen.add(needed);
        results.push(combinedResult(needed.results));
        pending.push(needed);
      }
    }
    return results;
  }

  private enqueueGroup(group: JobGroup): void {
    const needs = this.needsOf(group);
    if (group.legs.some((leg) => leg.matrixDeferred)) group.legs = this.hooks.expandLegs(group, needs);
    const ancestorResults = this.ancestorResults(group);
    const file = group.workflowPlan.workflow.file;
    group.legs.forEach((planned, index) => {
      const key = jobKey(file, group.job.id, index);
      const controller = new AbortController();
      this.legCancels.set(key, controller);
      const workflowCancel = this.workflowCancels.get(group.workflowPlan)!.signal;
      const cancel = AbortSignal.any([controller.signal, workflowCancel]);
      this.queue.push({ key, group, planned, needs, ancestorResults, cancel });
    });
    if (group.legs.length === 0) this.completeGroup(group);
  }

  private startQueued(): void {
    for (let i = 0; i < this.queue.length && this.running < this.hooks.maxParallelJobs; ) {
      const leg = this.queue[i]!;
      const limit = leg.planned.maxParallel ?? Infinity;
      if ((this.runningPerGroup.get(leg.group) ?? 0) >= limit) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.start(leg);
    }
  }

  private start(leg: LegRun): void {
    this.running++;
    this.runningPerGroup.set(leg.group, (this.runningPerGroup.get(leg.group) ?? 0) + 1);
    const result = leg.cancel.aborted
      ? Promise.resolve(this.hooks.notStarted(leg, 'cancelled'))
      : this.hooks.runLeg(leg);
    void result.then((jobResult) => this.legFinished(leg, jobResult));
  }

  private legFinished(leg: LegRun, result: JobResult): void {
    this.running--;
    this.runningPerGroup.set(leg.group, (this.runningPerGroup.get(leg.group) ?? 1) - 1);
    leg.group.results.push(result);
    const failed = result.conclusion === 'failure' && !result.continuedOnError;
    if (failed && leg.planned.failFast && leg.planned.matrix) this.failFast(leg.group);
    if (leg.group.results.length === leg.group.legs.length) this.completeGroup(leg.group);
    this.advance();
  }

  /** GitHub cancels the other legs of a matrix when one fails, unless fail-fast is off. */
  private failFast(group: JobGroup): void {
    const file = group.workflowPlan.workflow.file;
    group.legs.forEach((_, index) => this.legCancels.get(jobKey(file, group.job.id, index))?.abort());
  }

  private completeGroup(group: JobGroup): void {
    group.results.sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }));
    group.done = true;
    const workflowPlan = group.workflowPlan;
    if (this.groups.every((g) => g.workflowPlan !== workflowPlan || g.done)) this.hooks.workflowFinished(workflowPlan);
  }
}
