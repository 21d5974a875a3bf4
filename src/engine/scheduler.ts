// Runs the jobs of every triggered workflow from their real dependency graph:
// a job starts as soon as its own needs have finished (a ready queue, not
// layers), within the global and per-matrix limits, with fail-fast.

import type { RunPlan, PlannedJob, WorkflowPlan } from '../plan/types.ts';
import type { Job, Workflow } from '../workflow/types.ts';
import type { Conclusion, EngineListener, JobKey } from './events.ts';
import type { JobResult } from './types.ts';

export interface NeedResult {
  result: Conclusion;
  outputs: Record<string, string>;
}

export interface JobGroup {
  workflowPlan: WorkflowPlan;
  /** The planned id: the job's key, or `caller/called` for a job of a called workflow. */
  id: string;
  /** The workflow the job is written in: the triggered one, or the reusable workflow it calls. */
  workflow: Workflow;
  job: Job;
  /** Planned ids this group waits for (a caller's id stands for all its called jobs). */
  needs: string[];
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
  /** The distinct results of the jobs this one depends on, directly or not (for status functions). */
  ancestorResults: Conclusion[];
  /** Aborts when fail-fast or a concurrency group cancels this leg. */
  cancel: AbortSignal;
  /** For a job of a called workflow: the `needs` of the job that calls it (its `with` may read them). */
  callerNeeds?: Record<string, NeedResult>;
}

export interface SchedulerHooks {
  runLeg(leg: LegRun): Promise<JobResult>;
  /** A deferred matrix, expanded once the job's needs are known. */
  expandLegs(group: JobGroup, needs: Record<string, NeedResult>): PlannedJob[];
  /** The leg did not start (fail-fast cancelled it while queued). */
  notStarted(leg: LegRun, conclusion: Conclusion): JobResult;
  /** `needs.<caller>` of a job that needs a job calling a reusable workflow: its outputs and result. */
  callResult(calledGroups: readonly JobGroup[]): NeedResult;
  /**
   * Workflow-level `concurrency`: resolves whether the workflow may run; `cancel` stops it when a
   * newer member of its group preempts it. Null when the workflow has no group.
   */
  admitWorkflow(workflowPlan: WorkflowPlan, cancel: () => void): Promise<boolean> | null;
  workflowFinished(workflowPlan: WorkflowPlan): void;
  /** `concurrency` of a job that calls a reusable workflow: held from its first called job to its last. */
  admitCall(group: JobGroup, cancel: () => void): Promise<boolean> | null;
  callFinished(group: JobGroup): void;
  listener: EngineListener;
  maxParallelJobs: number;
}

/** The call a group's jobs belong to: the workflow and the calling job. */
function callKey(group: JobGroup): string | undefined {
  const call = group.legs[0]?.call;
  return call ? `${group.workflowPlan.workflow.file}#${call.callerId}` : undefined;
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

/** What the scheduler knows of a group beyond the group itself, kept so that a finished job costs O(its dependents). */
interface GroupState {
  /** Position in the plan: groups that become ready together start in this order. */
  index: number;
  /** The groups its needs name (each once). */
  needed: JobGroup[];
  /** The groups that name this one in their needs. */
  dependents: JobGroup[];
  /** How many of `needed` have not finished. */
  unfinishedNeeds: number;
  /** The distinct results of this group and every group it depends on, directly or not; set when it finishes. */
  lineage?: ReadonlySet<Conclusion>;
}

export class Scheduler {
  private readonly groups: JobGroup[] = [];
  private readonly states = new Map<JobGroup, GroupState>();
  /** Per workflow: each planned id, and each caller's id, to the groups it stands for, in plan order. */
  private readonly byNeed = new Map<WorkflowPlan, Map<string, JobGroup[]>>();
  /** Groups whose needs have all finished but that have not started (waiting for a concurrency group), in plan order. */
  private ready: JobGroup[] = [];
  private finishedGroups = 0;
  /** Unfinished groups per workflow and per reusable-workflow call. */
  private readonly unfinishedPerWorkflow = new Map<WorkflowPlan, number>();
  private readonly unfinishedPerCall = new Map<string, number>();
  private running = 0;
  private readonly queue: LegRun[] = [];
  private readonly runningPerGroup = new Map<JobGroup, number>();
  /**
   * Each leg's own cancel, which its workflow's and its call's concurrency cancels abort too (one
   * listener per workflow or call instead of an `AbortSignal.any` per leg).
   */
  private readonly legCancels = new Map<JobKey, { controller: AbortController; group: JobGroup }>();
  private finished!: () => void;
  private readonly workflowCancels = new Map<WorkflowPlan, AbortController>();
  private readonly waitingWorkflows = new Set<WorkflowPlan>();
  private readonly callCancels = new Map<string, AbortController>();
  private readonly waitingCalls = new Set<string>();

  constructor(
    plan: RunPlan,
    private readonly hooks: SchedulerHooks,
  ) {
    for (const workflowPlan of plan.workflows.filter((wp) => wp.triggered)) {
      const legsById = new Map<string, PlannedJob[]>();
      for (const planned of workflowPlan.jobs) {
        const legs = legsById.get(planned.id);
        if (legs) legs.push(planned);
        else legsById.set(planned.id, [planned]);
      }
      const byNeed = new Map<string, JobGroup[]>();
      this.byNeed.set(workflowPlan, byNeed);
      for (const [id, legs] of legsById) {
        const call = legs[0]!.call;
        const workflow = call?.workflow ?? workflowPlan.workflow;
        const job = workflow.jobs.find((candidate) => candidate.id === (call?.jobId ?? id));
        if (!job) continue;
        const group: JobGroup = { workflowPlan, id, workflow, job, needs: legs[0]!.needs, legs, results: [], done: false };
        this.groups.push(group);
        // `a/b/c` answers for `a/b/c`, `a/b` and `a`: a need of a calling job stands for all its called jobs.
        for (let end = id.length; end > 0; end = id.lastIndexOf('/', end - 1)) {
          const name = id.slice(0, end);
          const named = byNeed.get(name);
          if (named) named.push(group);
          else byNeed.set(name, [group]);
        }
      }
    }
    for (const [index, group] of this.groups.entries()) {
      const needed = [...new Set(group.needs.flatMap((need) => this.groupsOf(group.workflowPlan, need)))];
      this.states.set(group, { index, needed, dependents: [], unfinishedNeeds: needed.length });
      this.unfinishedPerWorkflow.set(group.workflowPlan, (this.unfinishedPerWorkflow.get(group.workflowPlan) ?? 0) + 1);
      const call = callKey(group);
      if (call) this.unfinishedPerCall.set(call, (this.unfinishedPerCall.get(call) ?? 0) + 1);
    }
    for (const group of this.groups) {
      const state = this.stateOf(group);
      for (const needed of state.needed) this.stateOf(needed).dependents.push(group);
      if (state.unfinishedNeeds === 0) this.ready.push(group);
    }
  }

  private stateOf(group: JobGroup): GroupState {
    return this.states.get(group)!;
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
      job: jobKey(file, group.id, index),
      workflowFile: file,
      workflowName: group.workflowPlan.workflow.name,
      jobId: group.id,
      name: leg.name,
      needs: group.needs.flatMap((need) =>
        this.groupsOf(group.workflowPlan, need).flatMap((needed) => needed.legs.map((_, i) => jobKey(file, needed.id, i))),
      ),
      at: Date.now(),
    });
  }

  private admit(workflowPlan: WorkflowPlan): void {
    this.requestAdmission(
      this.workflowCancels,
      this.waitingWorkflows,
      workflowPlan,
      (cancel) => this.hooks.admitWorkflow(workflowPlan, cancel),
      (group) => group.workflowPlan === workflowPlan,
    );
  }

  private admitCall(key: string, group: JobGroup): void {
    this.requestAdmission(
      this.callCancels,
      this.waitingCalls,
      key,
      (cancel) => this.hooks.admitCall(group, cancel),
      (other) => callKey(other) === key,
    );
  }

  /**
   * A concurrency group's answer for a workflow or a call: its jobs wait (without taking a job slot)
   * until it is admitted, and are cancelled when it is refused or preempted.
   */
  private requestAdmission<K>(
    cancels: Map<K, AbortController>,
    waiting: Set<K>,
    key: K,
    ask: (cancel: () => void) => Promise<boolean> | null,
    holds: (group: JobGroup) => boolean,
  ): void {
    const controller = new AbortController();
    cancels.set(key, controller);
    controller.signal.addEventListener(
      'abort',
      () => {
        for (const leg of this.legCancels.values()) if (holds(leg.group)) leg.controller.abort();
      },
      { once: true },
    );
    const admission = ask(() => controller.abort());
    if (!admission) return;
    waiting.add(key);
    void admission.then((admitted) => {
      if (!admitted) controller.abort();
      waiting.delete(key);
      this.advance();
    });
  }

  /** The groups a need names: the job itself, or every called job of a calling job. */
  private groupsOf(workflowPlan: WorkflowPlan, need: string): readonly JobGroup[] {
    return this.byNeed.get(workflowPlan)?.get(need) ?? [];
  }

  /** Starts every group whose needs are done, then fills free slots from the queue. */
  private advance(): void {
    // A group without legs finishes as it starts, which can make others ready: go round until none is.
    do {
      this.readyChanged = false;
      const ready = this.ready;
      this.ready = [];
      const waiting: JobGroup[] = [];
      for (const group of ready) {
        if (this.waitingWorkflows.has(group.workflowPlan)) {
          waiting.push(group);
          continue;
        }
        // A call takes its concurrency group when its first job is ready, and keeps it to its last.
        const call = callKey(group);
        if (call && !this.callCancels.has(call)) this.admitCall(call, group);
        if (call && this.waitingCalls.has(call)) {
          waiting.push(group);
          continue;
        }
        this.enqueueGroup(group);
      }
      this.addReady(waiting);
    } while (this.readyChanged);
    this.startQueued();
    if (this.finishedGroups === this.groups.length) this.finished();
  }

  /** Set when a group became ready since `advance` last took the ready list. */
  private readyChanged = false;

  /** Adds groups to the ready list, keeping it in plan order. */
  private addReady(groups: readonly JobGroup[]): void {
    if (groups.length === 0) return;
    this.ready = [...this.ready, ...groups].sort((a, b) => this.stateOf(a).index - this.stateOf(b).index);
  }

  private needsOf(group: JobGroup, names: readonly string[] = group.needs): Record<string, NeedResult> {
    const needs: Record<string, NeedResult> = {};
    for (const need of names) {
      const needed = this.groupsOf(group.workflowPlan, need);
      const name = need.slice(need.lastIndexOf('/') + 1);
      if (needed.length === 0) needs[name] = { result: 'skipped', outputs: {} };
      else if (needed.length === 1 && needed[0]!.id === need) {
        needs[name] = { result: combinedResult(needed[0]!.results), outputs: combinedOutputs(needed[0]!.results) };
      } else {
        needs[name] = this.hooks.callResult(needed);
      }
    }
    return needs;
  }

  /** Its needs' lineages: every group it depends on has finished when it starts. */
  private ancestorResults(group: JobGroup): Conclusion[] {
    const results = new Set<Conclusion>();
    for (const needed of this.stateOf(group).needed) for (const result of this.stateOf(needed).lineage ?? []) results.add(result);
    return [...results];
  }

  private enqueueGroup(group: JobGroup): void {
    const needs = this.needsOf(group);
    if (group.legs.some((leg) => leg.matrixDeferred)) group.legs = this.hooks.expandLegs(group, needs);
    const ancestorResults = this.ancestorResults(group);
    const call = group.legs[0]?.call;
    const callerNeeds = call ? this.needsOf(group, call.callerNeeds) : undefined;
    const file = group.workflowPlan.workflow.file;
    group.legs.forEach((planned, index) => {
      const key = jobKey(file, group.id, index);
      const controller = new AbortController();
      this.legCancels.set(key, { controller, group });
      const workflowCancel = this.workflowCancels.get(group.workflowPlan)!.signal;
      const callCancel = this.callCancels.get(callKey(group) ?? '')?.signal;
      if (workflowCancel.aborted || callCancel?.aborted) controller.abort();
      const cancel = controller.signal;
      this.queue.push({ key, group, planned, needs, ancestorResults, cancel, ...(callerNeeds ? { callerNeeds } : {}) });
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
    group.legs.forEach((_, index) => this.legCancels.get(jobKey(file, group.id, index))?.controller.abort());
  }

  private completeGroup(group: JobGroup): void {
    group.results.sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }));
    if (group.done) return;
    group.done = true;
    this.finishedGroups++;
    const state = this.stateOf(group);
    state.lineage = new Set([combinedResult(group.results), ...this.ancestorResults(group)]);
    const readied: JobGroup[] = [];
    for (const dependent of state.dependents) {
      if (--this.stateOf(dependent).unfinishedNeeds === 0) readied.push(dependent);
    }
    if (readied.length > 0) {
      this.addReady(readied);
      this.readyChanged = true;
    }
    const workflowPlan = group.workflowPlan;
    const call = callKey(group);
    if (call && this.countDown(this.unfinishedPerCall, call) === 0) this.hooks.callFinished(group);
    if (this.countDown(this.unfinishedPerWorkflow, workflowPlan) === 0) this.hooks.workflowFinished(workflowPlan);
  }

  private countDown<K>(counts: Map<K, number>, key: K): number {
    const left = (counts.get(key) ?? 1) - 1;
    counts.set(key, left);
    return left;
  }
}
