// A sequence of steps: a job's, or a composite action's. Each step's env, `if`
// with the status functions, execution, continue-on-error, and what its file
// commands change for the steps after it.

import { setMaxListeners } from 'node:events';
import path from 'node:path';
import {
  ExpressionError,
  evaluateCondition,
  evaluateTemplate,
  evaluateToString,
  hashFilesFunction,
  statusFunctions,
  type ExpressionContexts,
  type HostFunctions,
} from '../expr/index.ts';
import { TRACKING_VARIABLE } from '../executors/orphans.ts';
import type { Executor } from '../executors/types.ts';
import type { RunDefaults, Step } from '../workflow/types.ts';
import type { Conclusion, JobKey } from './events.ts';
import { executeAction, preStepsOf } from './run-action.ts';
import { prepareScript, runProcessStep, ShellError, type StepFileSet, type StepReport } from './run-step.ts';
import { defaultVariables, type RunnerFacts, type StepFiles } from './runner-env.ts';
import type { RunShared } from './run-shared.ts';
import { defaultStepName, stepIds } from './step-ids.ts';
import type { JobResult, StepResult } from './types.ts';
import { asStringRecord, minutes, truthy } from './values.ts';

export type RunStatus = 'success' | 'failure' | 'cancelled';

export interface StepsContextEntry {
  outputs: Record<string, string>;
  outcome: string;
  conclusion: string;
}

/** What a post step (an action's `post:`) needs to run at the end of the job. */
export interface PostStep {
  name: string;
  condition: string;
  run(frame: StepFrame, logStep: number): Promise<StepReport>;
}

export interface JobLog {
  system(line: string, step?: number | null): void;
}

/** Everything a step sees and changes; a composite action runs its steps in a child frame. */
export interface StepFrame {
  key: JobKey;
  jobId: string;
  shared: RunShared;
  log: JobLog;
  facts: RunnerFacts;
  /** github (with workspace), inputs, vars, secrets, needs, matrix, strategy, runner. */
  contexts: ExpressionContexts;
  /** RUNNER_TRACKING_ID of the job's processes on this machine: what is left of them when the job ends is killed. */
  trackingId: string;
  /** The env context: workflow and job env, then what GITHUB_ENV added. Shared with child frames. */
  env: Record<string, string>;
  /** GITHUB_PATH additions, newest first. Shared with child frames. */
  addedPaths: string[];
  defaults: RunDefaults;
  /** The job's cancellation, its timeout, and the run's kill. */
  jobCancel: AbortSignal;
  result: JobResult;
  /** The job's status so far, as `success()` and `failure()` at step level see it. */
  job: { status: RunStatus };
  posts: PostStep[];
  /** What each action's `pre:` saved with `save-state`, for its main and post phases. */
  preStates: Map<Step, Record<string, string>>;
  /** What a sandboxed step may write and whether it reaches the network. */
  isolation: { writable: string[]; network: boolean };
  /** Background processes steps left running: ended when the job ends, as the runner does. */
  background: { end(): void }[];
  /** The job's file-command files, emptied for each step. */
  stepFiles: StepFileSet;
  /** Inside a composite action: the job-level step whose log the nested steps write to. */
  parent?: { step: number; actionPath: string };
  /** The job's containers: its `container:` (where its steps run instead of the host) and their network. */
  containers: JobContainerPlace;
}

export interface JobContainerPlace {
  /** Set for a `container:` job. */
  job?: {
    executor: Executor;
    /** The container's environment: what a step's starts from instead of the host's. */
    env: Record<string, string>;
    /** Shell programs found inside, by name. */
    programs: Record<string, string>;
  };
  /** The job's container network (services, job container), which container steps join. */
  network?: string;
  /** What containers of the job mount at the same paths. */
  mounts: { path: string; readOnly: boolean }[];
}

/** Where a process of this job runs: in the job container, or through the run's executor. */
export function jobExecutor(frame: StepFrame): Executor {
  return frame.containers.job?.executor ?? frame.shared.options.executor;
}

export const emptyReport = (outcome: StepReport['outcome']): StepReport => ({
  outcome,
  outputs: {},
  env: {},
  paths: [],
  state: {},
  summary: '',
  annotations: [],
});

interface StepRun {
  name: string;
  outcome: Conclusion;
  conclusion: Conclusion;
  outputs: Record<string, string>;
  /** False when the step's `if` kept it from running. */
  ran: boolean;
}

/** A job's steps: each one reported as its own step. Returns the job status after them. */
export async function runJobSteps(steps: readonly Step[], frame: StepFrame): Promise<void> {
  const ids = stepIds(steps);
  const stepsContext: Record<string, StepsContextEntry> = {};
  for (const step of steps) {
    if (frame.shared.options.kill.aborted) break;
    if (frame.jobCancel.aborted) frame.job.status = 'cancelled';
    const started = Date.now();
    const run = await runStep(step, ids[step.index]!, frame, stepsContext, {
      logStep: step.index,
      onStart: (name) => frame.shared.options.listener({ type: 'step-started', job: frame.key, step: step.index, name, at: started }),
    });
    frame.result.steps.push(reportStep(frame, step.index, ids[step.index]!, run, started));
    record(step, run, stepsContext);
    updateStatus(frame.job, run);
  }
}

/** A composite action's steps, all logged under the step that uses the action. */
export async function runCompositeSteps(
  steps: readonly Step[],
  frame: StepFrame,
  logStep: number,
): Promise<{ status: RunStatus; stepsContext: Record<string, StepsContextEntry> }> {
  const ids = stepIds(steps);
  const stepsContext: Record<string, StepsContextEntry> = {};
  const action = { status: 'success' as RunStatus };
  for (const step of steps) {
    if (frame.shared.options.kill.aborted) break;
    if (frame.jobCancel.aborted) frame.job.status = 'cancelled';
    const run = await runStep(step, ids[step.index]!, frame, stepsContext, { logStep, actionStatus: action });
    if (run.ran) frame.log.system(`${run.conclusion === 'success' ? '✓' : '✗'} ${run.name}`, logStep);
    record(step, run, stepsContext);
    updateStatus(action, run);
  }
  return { status: action.status, stepsContext };
}

function record(step: Step, run: StepRun, stepsContext: Record<string, StepsContextEntry>): void {
  if (step.id) stepsContext[step.id] = { outputs: run.outputs, outcome: run.outcome, conclusion: run.conclusion };
}

function updateStatus(target: { status: RunStatus }, run: StepRun): void {
  if (run.outcome === 'cancelled') target.status = 'cancelled';
  else if (run.conclusion === 'failure' && target.status === 'success') target.status = 'failure';
}

function reportStep(frame: StepFrame, index: number, id: string, run: StepRun, started: number): StepResult {
  const durationMs = Date.now() - started;
  frame.shared.options.listener({
    type: 'step-finished',
    job: frame.key,
    step: index,
    name: run.name,
    outcome: run.outcome,
    conclusion: run.conclusion,
    durationMs,
    at: Date.now(),
  });
  return { index, id, name: run.name, outcome: run.outcome, conclusion: run.conclusion, outputs: run.outputs, durationMs };
}

/** Runs the post steps the job's actions registered, newest first, as the job's last steps. */
export async function runPostSteps(frame: StepFrame, firstIndex: number): Promise<void> {
  await runPhaseSteps(frame, [...frame.posts].reverse(), firstIndex, 'post');
}

/**
 * Runs the `pre:` of the job's actions before its first step (see `preStepsOf`).
 * Returns the next free step index.
 */
export async function runPreSteps(steps: readonly Step[], frame: StepFrame, firstIndex: number): Promise<number> {
  const pres = await preStepsOf(steps, frame);
  await runPhaseSteps(frame, pres, firstIndex, 'pre');
  return firstIndex + pres.length;
}

/** Pre or post steps: each when its condition holds against the job's status. */
async function runPhaseSteps(frame: StepFrame, phases: readonly PostStep[], firstIndex: number, kind: 'pre' | 'post'): Promise<void> {
  for (const [offset, phase] of phases.entries()) {
    if (frame.shared.options.kill.aborted) break;
    const index = firstIndex + offset;
    const started = Date.now();
    const scope = stepScope(frame, {}, kind);
    let shouldRun: boolean;
    try {
      shouldRun = evaluateCondition(phase.condition, scope, statusFunctions({ kind: 'step', jobStatus: frame.job.status }));
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      frame.log.system(`Error: the ${kind} step's condition: ${error.message}`, index);
      shouldRun = false;
    }
    const run: StepRun = { name: phase.name, outcome: 'skipped', conclusion: 'skipped', outputs: {}, ran: shouldRun };
    if (shouldRun) {
      frame.shared.options.listener({ type: 'step-started', job: frame.key, step: index, name: phase.name, at: started });
      const report = await phase.run(frame, index);
      applyReport(frame, report, index);
      run.outcome = report.outcome;
      run.conclusion = report.outcome;
    }
    frame.result.steps.push(reportStep(frame, index, `__${kind}_${offset}`, run, started));
    updateStatus(frame.job, run);
  }
}

/** The functions steps' expressions have besides the status ones: `hashFiles` over the workspace. */
export function stepFunctions(frame: StepFrame): HostFunctions {
  return [hashFilesFunction(frame.facts.workspace)];
}

export function stepScope(frame: StepFrame, stepsContext: Record<string, StepsContextEntry>, action: string): ExpressionContexts {
  const github = frame.contexts.github as Record<string, unknown>;
  return {
    ...frame.contexts,
    github: { ...github, action, ...(frame.parent ? { action_path: frame.parent.actionPath } : {}) },
    env: frame.env,
    steps: stepsContext,
    job: { ...((frame.contexts.job as Record<string, unknown> | undefined) ?? {}), status: frame.job.status },
  };
}

interface StepPlace {
  logStep: number;
  onStart?: (name: string) => void;
  /** In a composite action, success() and failure() look at the action's own steps. */
  actionStatus?: { status: RunStatus };
}

async function runStep(
  step: Step,
  id: string,
  frame: StepFrame,
  stepsContext: Record<string, StepsContextEntry>,
  place: StepPlace,
): Promise<StepRun> {
  const { log, shared } = frame;
  const base = stepScope(frame, stepsContext, id);
  const run: StepRun = { name: '', outcome: 'skipped', conclusion: 'skipped', outputs: {}, ran: false };

  // As in the runner, the step's own env joins the env context before anything else of
  // the step is evaluated (its if, name, run, working-directory).
  let stepEnv: Record<string, string> = {};
  let envError: string | undefined;
  try {
    stepEnv = asStringRecord(step.env ? evaluateTemplate(step.env, base, stepFunctions(frame)) : {});
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    envError = error.message;
  }
  const scope: ExpressionContexts = { ...base, env: { ...frame.env, ...stepEnv } };
  run.name = shared.masker.mask(stepName(step, scope, stepFunctions(frame)));

  const fail = (message: string): StepRun => {
    place.onStart?.(run.name);
    log.system(`Error: ${message}`, place.logStep);
    return { ...run, outcome: 'failure', conclusion: 'failure', ran: true };
  };
  if (envError !== undefined) return fail(`the step's env: ${envError}`);
  try {
    const status = statusFunctions({
      kind: 'step',
      jobStatus: frame.job.status,
      ...(place.actionStatus ? { actionStatus: place.actionStatus.status } : {}),
    });
    if (!evaluateCondition(step.if, scope, [...status, ...stepFunctions(frame)])) return run;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return fail(`the step's if: ${error.message}`);
  }

  place.onStart?.(run.name);
  const report = await executeStep(step, scope, stepEnv, frame, place.logStep);
  applyReport(frame, report, place.logStep);
  let conclusion: Conclusion = report.outcome;
  if (report.outcome === 'failure' && step.continueOnError) {
    try {
      if (truthy(evaluateTemplate(step.continueOnError, scope, stepFunctions(frame)))) conclusion = 'success';
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      log.system(`Error: continue-on-error: ${error.message}`, place.logStep);
    }
  }
  return { name: run.name, outcome: report.outcome, conclusion, outputs: report.outputs, ran: true };
}

function stepName(step: Step, scope: ExpressionContexts, host: HostFunctions): string {
  try {
    if (step.name) return evaluateToString(step.name, scope, host);
    const script = step.run ? evaluateToString(step.run, scope, host) : undefined;
    return defaultStepName(step, script);
  } catch {
    return defaultStepName(step, step.run?.kind === 'expression' ? step.run.source : '');
  }
}

/** What a finished step's file commands change for the steps after it. */
function applyReport(frame: StepFrame, report: StepReport, logStep: number): void {
  if (report.background) frame.background.push(report.background);
  Object.assign(frame.env, report.env);
  frame.addedPaths.unshift(...[...report.paths].reverse());
  if (report.summary.trim() !== '') {
    frame.result.summaries.push({ step: logStep, markdown: report.summary });
    frame.shared.options.listener({ type: 'step-summary', job: frame.key, step: logStep, markdown: report.summary, at: Date.now() });
  }
  frame.result.annotations.push(...report.annotations);
}

/**
 * Lets `signal` have any number of listeners without Node's leak warning: a job's services and every
 * process it runs listen to it while they run, and a built-in action starts many at once
 * (setup-python asks each interpreter on the machine for its version).
 */
export function manyListeners(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

/** The signal that stops a step: cancellation (unless the job is already cancelled) and its own timeout. */
export function stepSignal(frame: StepFrame, timeoutMinutes: number | undefined): { signal: AbortSignal; timedOut: () => boolean } {
  const { options } = frame.shared;
  // Once a job is cancelled, the steps that still run (always(), cancelled()) are
  // stopped only by a second interrupt or their own timeout.
  const cancellation = frame.job.status === 'cancelled' ? options.kill : frame.jobCancel;
  const timeout = timeoutMinutes !== undefined && Number.isFinite(timeoutMinutes) ? AbortSignal.timeout(timeoutMinutes * 60_000) : undefined;
  return {
    signal: timeout ? manyListeners(AbortSignal.any([cancellation, timeout])) : cancellation,
    timedOut: () => timeout?.aborted === true && !cancellation.aborted,
  };
}

/** The environment of a step's process: the host's, the env context, the step's env, the runner's variables. */
export async function processEnvironment(
  frame: StepFrame,
  stepEnv: Record<string, string>,
  action: string,
  /** What the environment starts from: the host's, or in a container the container's (its PATH if any). */
  base: Record<string, string> = frame.containers.job?.env ?? frame.shared.hostEnv,
): Promise<{ env: Record<string, string>; files: StepFiles; pathValue: string }> {
  const files = frame.stepFiles.forNextStep();
  const pathValue = [...frame.addedPaths, base.PATH ?? ''].filter(Boolean).join(path.delimiter);
  const env = environmentOf([
    base,
    // Only a process that starts from this machine's environment runs on it, where the job's end looks for
    // it. Set before the env context: a workflow may clear it for a process that is to outlive the job, as on GitHub.
    base === frame.shared.hostEnv ? { [TRACKING_VARIABLE]: frame.trackingId } : {},
    frame.env,
    stepEnv,
    defaultVariables(frame.contexts.github as Record<string, unknown>, frame.contexts.runner as Record<string, unknown>, frame.facts, {
      files,
      action,
      jobId: frame.jobId,
    }),
    { PATH: pathValue },
  ]);
  // An image's own PATH applies when there is nothing to add to it.
  if (pathValue === '') delete env.PATH;
  if (frame.parent) env.GITHUB_ACTION_PATH = frame.parent.actionPath;
  return { env, files, pathValue };
}

/**
 * The variables of `parts` merged, later ones winning, in an object without a prototype. Such an
 * object holds its properties in a hash table from the start; spreading five objects of about 80
 * variables into a literal instead made V8 build a hidden class per property added, at 3–4 times the
 * time (about 80 against 25 µs a step, measured) and over 100 KB of garbage a step in a run.
 */
function environmentOf(parts: readonly Record<string, string>[]): Record<string, string> {
  const env = Object.create(null) as Record<string, string>;
  for (const part of parts) for (const name in part) env[name] = part[name]!;
  return env;
}

async function executeStep(
  step: Step,
  scope: ExpressionContexts,
  stepEnv: Record<string, string>,
  frame: StepFrame,
  logStep: number,
): Promise<StepReport> {
  const { shared, log } = frame;
  let timeoutMinutes: number | undefined;
  let workingDirectory: string;
  let script: string | undefined;
  try {
    const host = stepFunctions(frame);
    const timeout = step.timeoutMinutes ? evaluateTemplate(step.timeoutMinutes, scope, host) : undefined;
    timeoutMinutes = timeout === undefined ? undefined : minutes(timeout, Infinity);
    const written = step.workingDirectory ? evaluateToString(step.workingDirectory, scope, host) : undefined;
    workingDirectory = path.resolve(frame.facts.workspace, written ?? frame.defaults.workingDirectory ?? '.');
    script = step.run ? evaluateToString(step.run, scope, host) : undefined;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: ${error.message}`, logStep);
    return emptyReport('failure');
  }
  const action = String((scope.github as Record<string, unknown>).action);
  if (step.uses) return executeAction(step, step.uses, scope, stepEnv, frame, logStep, stepSignal(frame, timeoutMinutes));
  if (script === undefined) return emptyReport('failure');

  const { env, files, pathValue } = await processEnvironment(frame, stepEnv, action);
  const shell = step.shell ?? frame.defaults.shell;
  if (frame.parent && !step.shell) {
    log.system('Error: a run step in a composite action needs shell: (GitHub requires it there)', logStep);
    return emptyReport('failure');
  }
  let argv: string[];
  try {
    const inContainer = frame.containers.job;
    argv = await prepareScript(script, shell, frame.stepFiles.scripts, (name) => (inContainer ? containerProgram(inContainer.programs, name) : shared.which(name, pathValue)));
  } catch (error) {
    if (!(error instanceof ShellError)) throw error;
    log.system(`Error: ${error.message}`, logStep);
    return emptyReport('failure');
  }
  const { signal, timedOut } = stepSignal(frame, timeoutMinutes);
  return runProcessStep({
    job: frame.key,
    step: logStep,
    argv,
    env,
    cwd: workingDirectory,
    files,
    readFile: (file) => frame.stepFiles.read(file),
    executor: jobExecutor(frame),
    signal,
    kill: shared.options.kill,
    timedOut,
    killGraceMs: shared.options.killGraceMs,
    isolation: frame.isolation,
    masker: shared.masker,
    debug: shared.options.debug,
    emit: shared.options.listener,
  });
}

/** In a job container: the shells looked up at its start, and any other program by name (its PATH finds it, or the step fails with 127). */
function containerProgram(programs: Record<string, string>, name: string): string | null {
  if (name.includes('/')) return name;
  return programs[name] ?? (knownShellPrograms.has(name) ? null : name);
}

const knownShellPrograms = new Set(['bash', 'sh', 'pwsh', 'python', 'python3', 'node']);
