// The engine's entry point: a RunPlan in, a RunResult out, typed events on the way.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { planJobLegs } from '../plan/planner.ts';
import type { RunPlan, WorkflowPlan } from '../plan/types.ts';
import { which } from '../executors/which.ts';
import type { Concurrency, Diagnostic } from '../workflow/types.ts';
import { ConcurrencyGroups } from './concurrency.ts';
import { PortLocks } from './port-locks.ts';
import type { Conclusion } from './events.ts';
import { evaluateToString, ExpressionError, type ExpressionContexts } from '../expr/index.ts';
import { SecretMasker } from './masking.ts';
import { newJobResult, runJob, workflowContexts, type RunShared } from './run-job.ts';
import { combinedResult, Scheduler, type JobGroup, type LegRun, type NeedResult } from './scheduler.ts';
import type { JobResult, ReusedJob, RunOptions, RunResult, WorkflowResult } from './types.ts';
import { Workspaces } from './workspace.ts';

/** The host's environment for steps, without the variables that carry secrets. */
function hostEnvironment(secrets: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !(name in secrets)) env[name] = value;
  }
  return env;
}

/**
 * `which` asked once per program and PATH within a run, since every step looks up its shell. Only
 * programs found are kept: a step may install a missing one for the next.
 */
function cachedWhich(): (name: string, pathValue?: string) => string | null {
  const found = new Map<string, string>();
  return (name, pathValue) => {
    const key = `${name}\0${pathValue ?? ''}`;
    const known = found.get(key);
    if (known !== undefined) return known;
    const program = which(name, pathValue);
    if (program !== null) found.set(key, program);
    return program;
  };
}

function workflowConclusion(jobs: readonly JobResult[]): Conclusion {
  const counted = jobs.filter((job) => !job.continuedOnError);
  if (counted.some((job) => job.conclusion === 'failure')) return 'failure';
  if (counted.some((job) => job.conclusion === 'cancelled')) return 'cancelled';
  return 'success';
}

function runConclusion(workflows: readonly WorkflowResult[]): Conclusion {
  if (workflows.some((w) => w.conclusion === 'failure')) return 'failure';
  if (workflows.some((w) => w.conclusion === 'cancelled')) return 'cancelled';
  return 'success';
}

export async function runWorkflows(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const emit = options.listener;
  await mkdir(options.logDir, { recursive: true });
  const eventPath = path.join(options.logDir, 'event.json');
  await writeFile(eventPath, JSON.stringify(plan.event.payload, null, 2));

  const masker = new SecretMasker();
  for (const value of Object.values(options.secrets)) masker.add(value);
  for (const environment of Object.values(options.environments ?? {})) for (const value of Object.values(environment.secrets)) masker.add(value);
  const shared: RunShared = {
    options,
    event: plan.event,
    eventPath,
    sha: plan.event.sha,
    masker,
    hostEnv: hostEnvironment(options.secrets),
    which: cachedWhich(),
    portLocks: new PortLocks(),
    workspaces: new Workspaces(),
  };
  const concurrency = options.concurrencyGroups ?? new ConcurrencyGroups();

  emit({ type: 'run-started', runId: options.runId, at: started });
  for (const wp of plan.workflows.filter((w) => w.triggered)) {
    emit({ type: 'workflow-started', workflowFile: wp.workflow.file, workflowName: wp.workflow.name, at: Date.now() });
  }

  const scheduler = new Scheduler(plan, {
    listener: emit,
    maxParallelJobs: Math.max(1, options.maxParallelJobs),
    runLeg: (leg) => {
      const reused = options.reusedJobs?.[leg.key];
      return reused ? Promise.resolve(reusedResult(leg, reused, shared)) : runInSlot(leg, shared, concurrency);
    },
    expandLegs: (group, needs) => expandDeferredMatrix(group, needs, shared),
    notStarted: (leg, conclusion) => notStartedResult(leg, conclusion, shared),
    callResult: (groups) => callResult(groups, shared),
    ...workflowConcurrency(shared, concurrency),
    ...callConcurrency(shared, concurrency),
  });
  try {
    await scheduler.run();
  } finally {
    await shared.workspaces.dispose();
  }

  const workflows: WorkflowResult[] = plan.workflows
    .filter((wp) => wp.triggered)
    .map((wp) => {
      const jobs = scheduler.jobGroups.filter((g) => g.workflowPlan === wp).flatMap((g) => g.results);
      const conclusion = workflowConclusion(jobs);
      emit({ type: 'workflow-finished', workflowFile: wp.workflow.file, conclusion, at: Date.now() });
      return { file: wp.workflow.file, name: wp.workflow.name, conclusion, jobs };
    });
  const conclusion = runConclusion(workflows);
  const durationMs = Date.now() - started;
  emit({ type: 'run-finished', runId: options.runId, conclusion, durationMs, logDir: options.logDir, at: Date.now() });
  return { runId: options.runId, conclusion, workflows, logDir: options.logDir, durationMs, mask: (text) => masker.mask(text) };
}

function expandDeferredMatrix(group: JobGroup, needs: Record<string, NeedResult>, shared: RunShared) {
  const diagnostics: Diagnostic[] = [];
  const call = group.legs[0]?.call;
  const contexts = { ...workflowContexts(group.workflowPlan, shared), ...(call ? { inputs: call.inputs } : {}), needs };
  const legs = planJobLegs(group.workflow, group.job, contexts, diagnostics, true).map((leg) => ({
    ...leg,
    id: group.id,
    ...(call ? { call, name: `${group.legs[0]!.name.split(' / ').slice(0, -1).join(' / ')} / ${leg.name}`, needs: group.needs } : {}),
  }));
  for (const d of diagnostics) {
    shared.options.listener({ type: 'log', job: `${group.workflowPlan.workflow.file}#${group.id}#0`, step: null, stream: 'system', line: `Error: ${d.file}:${d.line}:${d.column}: ${d.message}`, at: Date.now() });
  }
  return diagnostics.length > 0 ? legs.map((leg) => ({ ...leg, matrix: null })) : legs;
}

/**
 * `needs.<caller>` for a job that calls a reusable workflow: the result of all its called jobs, and
 * the called workflow's `on.workflow_call.outputs` evaluated from their `jobs` context.
 */
function callResult(groups: readonly JobGroup[], shared: RunShared): NeedResult {
  const result = combinedResult(groups.flatMap((g) => g.results));
  const first = groups[0];
  const call = first?.legs[0]?.call;
  if (!first || !call) return { result, outputs: {} };
  const prefix = first.id.slice(0, first.id.indexOf('/') + 1);
  const jobs: Record<string, NeedResult> = {};
  for (const group of groups) {
    const rest = group.id.slice(prefix.length);
    const name = rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : rest;
    if (jobs[name]) continue;
    jobs[name] = rest.includes('/')
      ? callResult(groups.filter((g) => g.id.startsWith(`${prefix}${name}/`)).map((g) => ({ ...g, id: g.id.slice(prefix.length) })), shared)
      : { result: combinedResult(group.results), outputs: Object.assign({}, ...group.results.map((r) => r.outputs)) as Record<string, string> };
  }
  const direct = groups.find((g) => !g.id.slice(prefix.length).includes('/'))?.legs[0]?.call?.workflow ?? call.workflow;
  const outputs: Record<string, string> = {};
  const definitions = direct.triggers.find((t) => t.event === 'workflow_call')?.outputs ?? [];
  const scope = { ...workflowContexts(first.workflowPlan, shared), inputs: call.inputs, jobs };
  for (const output of definitions) {
    try {
      const value = output.value.kind === 'mapping' ? output.value.entries.find((e) => e.key === 'value')?.value : output.value;
      if (value) outputs[output.key] = evaluateToString(value, scope);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
    }
  }
  return { result, outputs };
}

function notStartedResult(leg: LegRun, conclusion: Conclusion, shared: RunShared): JobResult {
  const at = Date.now();
  shared.options.listener({ type: 'job-started', job: leg.key, at });
  shared.options.listener({ type: 'job-finished', job: leg.key, conclusion, durationMs: 0, at });
  return newJobResult(leg, conclusion);
}

/** A job of a previous attempt carried over as it was: no workspace, no step. */
function reusedResult(leg: LegRun, reused: ReusedJob, shared: RunShared): JobResult {
  const at = Date.now();
  shared.options.listener({ type: 'job-started', job: leg.key, at });
  shared.options.listener({ type: 'job-finished', job: leg.key, conclusion: reused.conclusion, durationMs: 0, outputs: reused.outputs, at });
  return { ...newJobResult(leg, reused.conclusion), outputs: { ...reused.outputs } };
}

/** A `concurrency:` setting's group name and cancel-in-progress; undefined when it cannot be evaluated. */
function evaluateConcurrency(setting: Concurrency, scope: ExpressionContexts): { name: string; cancelInProgress: boolean } | undefined {
  try {
    const name = evaluateToString(setting.group, scope);
    const cancelInProgress = setting.cancelInProgress ? evaluateToString(setting.cancelInProgress, scope) === 'true' : false;
    return { name, cancelInProgress };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return undefined;
  }
}

/** Workflow-level `concurrency` within this invocation: workflows of one group run one after another. */
function workflowConcurrency(shared: RunShared, groups: ConcurrencyGroups) {
  const members = new Map<WorkflowPlan, { name: string; member: { cancel(): void } }>();
  return {
    admitWorkflow(workflowPlan: WorkflowPlan, cancel: () => void): Promise<boolean> | null {
      const setting = workflowPlan.workflow.concurrency;
      if (!setting) return null;
      const group = evaluateConcurrency(setting, workflowContexts(workflowPlan, shared));
      if (!group) return null;
      const member = { cancel };
      members.set(workflowPlan, { name: group.name, member });
      return groups.acquire(`workflow:${group.name}`, member, group.cancelInProgress);
    },
    workflowFinished(workflowPlan: WorkflowPlan): void {
      const entry = members.get(workflowPlan);
      if (entry) groups.release(`workflow:${entry.name}`, entry.member);
    },
  };
}

/** `concurrency` of a job that calls a reusable workflow: one group held for the whole call. */
function callConcurrency(shared: RunShared, groups: ConcurrencyGroups) {
  const members = new Map<string, { name: string; member: { cancel(): void } }>();
  const keyOf = (group: JobGroup) => `${group.workflowPlan.workflow.file}#${group.legs[0]?.call?.callerId ?? ''}`;
  return {
    admitCall(group: JobGroup, cancel: () => void): Promise<boolean> | null {
      const call = group.legs[0]?.call;
      const caller = call && group.workflowPlan.workflow.jobs.find((job) => job.id === call.callerId);
      const setting = caller?.concurrency;
      if (!call || !setting) return null;
      const scope = { ...workflowContexts(group.workflowPlan, shared), inputs: call.callerInputs, matrix: call.callerMatrix ?? {} };
      const evaluated = evaluateConcurrency(setting, scope);
      if (!evaluated) return null;
      const member = { cancel };
      members.set(keyOf(group), { name: evaluated.name, member });
      return groups.acquire(evaluated.name, member, evaluated.cancelInProgress);
    },
    callFinished(group: JobGroup): void {
      const entry = members.get(keyOf(group));
      if (entry) groups.release(entry.name, entry.member);
    },
  };
}

/** A job of a run with a shared pool of slots (`jobSlots`) or its own cancel signal (`jobCancel`). */
async function runInSlot(leg: LegRun, shared: RunShared, groups: ConcurrencyGroups): Promise<JobResult> {
  const ownCancel = shared.options.jobCancel?.(leg.key);
  const own = ownCancel ? { ...leg, cancel: AbortSignal.any([leg.cancel, ownCancel]) } : leg;
  const slots = shared.options.jobSlots;
  if (!slots) return runWithConcurrency(own, shared, groups);
  const release = await slots.acquire(own.cancel);
  if (!release) return notStartedResult(own, 'cancelled', shared);
  try {
    return await runWithConcurrency(own, shared, groups);
  } finally {
    release();
  }
}

/** `jobs.<id>.concurrency` within this invocation. */
async function runWithConcurrency(leg: LegRun, shared: RunShared, groups: ConcurrencyGroups): Promise<JobResult> {
  const setting = leg.group.job.concurrency;
  if (!setting) return runJob(leg, shared);
  const scope = { ...workflowContexts(leg.group.workflowPlan, shared), needs: leg.needs, matrix: leg.planned.matrix ?? {} };
  const evaluated = evaluateConcurrency(setting, scope);
  if (!evaluated) return runJob(leg, shared);
  const { name, cancelInProgress } = evaluated;
  const preempted = new AbortController();
  const member = { cancel: () => preempted.abort() };
  const admitted = await groups.acquire(name, member, cancelInProgress);
  if (!admitted) return notStartedResult(leg, 'cancelled', shared);
  try {
    return await runJob({ ...leg, cancel: AbortSignal.any([leg.cancel, preempted.signal]) }, shared);
  } finally {
    groups.release(name, member);
  }
}
