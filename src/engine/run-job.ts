// One job leg from start to end: its `if`, workspace, environment, steps with
// status functions, continue-on-error and timeouts, outputs, and clean-up.

import path from 'node:path';
import {
  ExpressionError,
  evaluateCondition,
  evaluateTemplate,
  evaluateToString,
  statusFunctions,
  type ExpressionContexts,
} from '../expr/index.ts';
import { githubContext } from '../plan/github-context.ts';
import type { RepoEvent, WorkflowPlan } from '../plan/types.ts';
import type { Step, TemplateValue } from '../workflow/types.ts';
import type { Conclusion, EngineListener, JobKey } from './events.ts';
import { defaultVariables, runnerContext, type RunnerFacts } from './runner-env.ts';
import type { SecretMasker } from './masking.ts';
import { createStepFiles, prepareScript, runProcessStep, ShellError, type StepReport } from './run-step.ts';
import type { LegRun } from './scheduler.ts';
import { defaultStepName, stepIds } from './step-ids.ts';
import { builtinAction, unsupportedActionReason, unsupportedJobFeature } from './uses-steps.ts';
import type { JobResult, RunOptions, StepResult } from './types.ts';
import { prepareWorkspace } from './workspace.ts';

export interface RunShared {
  options: RunOptions;
  event: RepoEvent;
  eventPath: string;
  sha: string;
  masker: SecretMasker;
  hostEnv: Record<string, string>;
  which: (name: string, pathValue?: string) => string | null;
}

const DEFAULT_JOB_TIMEOUT_MINUTES = 360;

/** The contexts a workflow's event defines: what `concurrency`, `strategy` and job `if` start from. */
export function workflowContexts(workflowPlan: WorkflowPlan, shared: RunShared) {
  const { workflow } = workflowPlan;
  return {
    github: githubContext(shared.event, { workflowName: workflow.name, workflowFile: workflow.file, runId: shared.options.runId }),
    inputs: workflowPlan.inputs,
    vars: shared.options.vars,
  };
}

/** A job's result before it has done anything. */
export function newJobResult(leg: LegRun, conclusion: Conclusion = 'success'): JobResult {
  return {
    key: leg.key,
    workflowFile: leg.group.workflowPlan.workflow.file,
    id: leg.group.job.id,
    name: leg.planned.name,
    matrix: leg.planned.matrix,
    conclusion,
    continuedOnError: false,
    outputs: {},
    steps: [],
    annotations: [],
    summaries: [],
    durationMs: 0,
  };
}

type StepStatus = 'success' | 'failure' | 'cancelled';

class JobLog {
  constructor(
    private readonly emit: EngineListener,
    private readonly job: JobKey,
    private readonly masker: SecretMasker,
  ) {}
  system(line: string, step: number | null = null): void {
    this.emit({ type: 'log', job: this.job, step, stream: 'system', line: this.masker.mask(line), at: Date.now() });
  }
}

function asRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  );
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true' || (typeof value === 'number' && value !== 0);
}

function minutes(value: unknown, fallback: number): number {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) && number > 0 ? number : fallback;
}

export async function runJob(leg: LegRun, shared: RunShared): Promise<JobResult> {
  const { options, masker } = shared;
  const { group, planned, key } = leg;
  const { workflow } = group.workflowPlan;
  const job = group.job;
  const emit = options.listener;
  const log = new JobLog(emit, key, masker);
  const started = Date.now();
  emit({ type: 'job-started', job: key, at: started });

  const result = newJobResult(leg);
  const finish = (conclusion: Conclusion): JobResult => {
    result.conclusion = conclusion;
    result.durationMs = Date.now() - started;
    emit({ type: 'job-finished', job: key, conclusion, durationMs: result.durationMs, at: Date.now() });
    return result;
  };

  const base = workflowContexts(group.workflowPlan, shared);
  const contexts: ExpressionContexts = {
    ...base,
    github: { ...base.github, job: job.id },
    secrets: { ...options.secrets, GITHUB_TOKEN: options.secrets.GITHUB_TOKEN ?? '' },
    needs: leg.needs,
    matrix: planned.matrix ?? {},
    strategy: {
      'fail-fast': planned.failFast,
      'job-index': planned.jobIndex,
      'job-total': planned.jobTotal,
      'max-parallel': planned.maxParallel ?? planned.jobTotal,
    },
  };
  const evaluate = (value: TemplateValue | undefined, scope: ExpressionContexts, fallback: unknown): unknown =>
    value === undefined ? fallback : evaluateTemplate(value, scope);

  const runCancelled = () => options.cancel.aborted || leg.cancel.aborted;
  if (options.kill.aborted) return finish('cancelled');
  try {
    const run = evaluateCondition(
      job.if,
      contexts,
      statusFunctions({ kind: 'job', ancestorResults: leg.ancestorResults, cancelled: runCancelled() }),
    );
    if (!run) return finish(runCancelled() ? 'cancelled' : 'skipped');
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: the job's if: ${error.message}`);
    return finish('failure');
  }

  const unsupported = unsupportedJobFeature(job);
  if (unsupported) {
    log.system(`Error: ${unsupported}`);
    return finish('failure');
  }

  const jobTimeout = new AbortController();
  const timeoutMinutes = minutes(evaluateSafely(() => evaluate(job.timeoutMinutes, contexts, DEFAULT_JOB_TIMEOUT_MINUTES), log), DEFAULT_JOB_TIMEOUT_MINUTES);
  const timer = setTimeout(() => jobTimeout.abort(), timeoutMinutes * 60_000);
  const jobCancel = AbortSignal.any([options.cancel, leg.cancel, jobTimeout.signal]);

  let workspace;
  try {
    workspace = await prepareWorkspace({
      repoDir: options.repoDir,
      projectPath: options.projectPath,
      sha: shared.sha,
      bind: options.bind,
      label: `${options.runId}-${job.id}`,
    });
  } catch (error) {
    clearTimeout(timer);
    log.system(`Error: could not prepare the workspace: ${error instanceof Error ? error.message : String(error)}`);
    return finish('failure');
  }

  try {
    const facts: RunnerFacts = {
      name: 'gantry',
      temp: workspace.temp,
      toolCache: workspace.toolCache,
      workspace: workspace.path,
      debug: options.debug,
      eventPath: shared.eventPath,
    };
    const github = { ...(contexts.github as Record<string, unknown>), workspace: workspace.path, event_path: shared.eventPath };
    const runner = runnerContext(facts);
    const workflowEnv = asRecord(evaluate(workflow.env, { ...contexts, github, runner }, {}));
    const env: Record<string, string> = { ...options.env, ...workflowEnv };
    Object.assign(env, asRecord(evaluate(job.env, { ...contexts, github, runner, env }, {})));
    const addedPaths: string[] = [];
    const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const ids = stepIds(job.steps);
    let jobStatus: StepStatus = 'success';

    for (const step of job.steps) {
      if (options.kill.aborted) break;
      if (jobCancel.aborted && jobStatus !== 'cancelled') jobStatus = 'cancelled';
      const scope: ExpressionContexts = {
        ...contexts,
        github: { ...github, action: ids[step.index] },
        runner,
        env,
        steps: stepsContext,
        job: { status: jobStatus },
      };
      const stepResult = await runOneStep(step, ids[step.index]!, scope, {
        key,
        jobStatus,
        jobCancel,
        shared,
        log,
        facts,
        env,
        addedPaths,
        job,
        workflowDefaults: workflow.defaults,
        github,
        runner,
        result,
      });
      result.steps.push(stepResult.result);
      if (step.id) {
        stepsContext[step.id] = {
          outputs: stepResult.result.outputs,
          outcome: stepResult.result.outcome,
          conclusion: stepResult.result.conclusion,
        };
      }
      if (stepResult.result.conclusion === 'failure' && jobStatus === 'success') jobStatus = 'failure';
      if (stepResult.result.outcome === 'cancelled') jobStatus = 'cancelled';
    }
    if (jobTimeout.signal.aborted) {
      log.system(`Error: The job exceeded the maximum execution time of ${timeoutMinutes} minutes.`);
      jobStatus = 'failure';
    } else if ((jobCancel.aborted || options.kill.aborted) && jobStatus !== 'failure') {
      jobStatus = 'cancelled';
    }

    result.outputs = jobOutputs(job.outputs, { ...contexts, github, runner, env, steps: stepsContext, job: { status: jobStatus } }, masker, log);
    if (jobStatus === 'failure') {
      const continueOnError = evaluateSafely(() => evaluate(job.continueOnError, contexts, false), log);
      result.continuedOnError = truthy(continueOnError);
    }
    return finish(jobStatus);
  } finally {
    clearTimeout(timer);
    await workspace.dispose();
  }
}

function evaluateSafely(evaluation: () => unknown, log: JobLog): unknown {
  try {
    return evaluation();
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: ${error.message}`);
    return undefined;
  }
}

/** Job outputs; a value that contains a secret is left out, as GitHub does. */
function jobOutputs(
  outputs: readonly { key: string; value: TemplateValue }[],
  scope: ExpressionContexts,
  masker: SecretMasker,
  log: JobLog,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const output of outputs) {
    const value = evaluateSafely(() => evaluateToString(output.value, scope), log);
    if (typeof value !== 'string') continue;
    if (masker.mask(value) !== value) {
      log.system(`Warning: Skip output '${output.key}' since it may contain secret.`);
      continue;
    }
    result[output.key] = value;
  }
  return result;
}

interface StepScope {
  key: JobKey;
  jobStatus: StepStatus;
  jobCancel: AbortSignal;
  shared: RunShared;
  log: JobLog;
  facts: RunnerFacts;
  env: Record<string, string>;
  addedPaths: string[];
  job: LegRun['group']['job'];
  workflowDefaults: { shell?: string; workingDirectory?: string } | undefined;
  github: Record<string, unknown>;
  runner: Record<string, unknown>;
  result: JobResult;
}

async function runOneStep(step: Step, id: string, jobScope: ExpressionContexts, s: StepScope): Promise<{ result: StepResult }> {
  const { shared, log } = s;
  const emit = shared.options.listener;
  const started = Date.now();
  const stepResult: StepResult = { index: step.index, id, name: '', outcome: 'skipped', conclusion: 'skipped', outputs: {}, durationMs: 0 };

  // As in the runner, the step's own env joins the env context before anything else of the
  // step is evaluated (its if, name, run, working-directory); an error in it fails the step.
  let stepEnv: Record<string, string> = {};
  let stepEnvError: string | undefined;
  try {
    stepEnv = asRecord(step.env ? evaluateTemplate(step.env, jobScope) : {});
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    stepEnvError = error.message;
  }
  const scope: ExpressionContexts = { ...jobScope, env: { ...(jobScope.env as Record<string, string>), ...stepEnv } };

  let name: string;
  let script: string | undefined;
  try {
    script = step.run ? evaluateToString(step.run, scope) : undefined;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    script = undefined;
  }
  try {
    name = step.name ? evaluateToString(step.name, scope) : defaultStepName(step, script ?? (step.run?.kind === 'expression' ? step.run.source : ''));
  } catch {
    name = defaultStepName(step, '');
  }
  stepResult.name = shared.masker.mask(name);
  if (stepEnvError !== undefined) {
    emit({ type: 'step-started', job: s.key, step: step.index, name: stepResult.name, at: started });
    log.system(`Error: the step's env: ${stepEnvError}`, step.index);
    return { result: finishStep(stepResult, 'failure', 'failure', started, s) };
  }

  let shouldRun: boolean;
  try {
    shouldRun = evaluateCondition(step.if, scope, statusFunctions({ kind: 'step', jobStatus: s.jobStatus }));
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    emit({ type: 'step-started', job: s.key, step: step.index, name: stepResult.name, at: started });
    log.system(`Error: the step's if: ${error.message}`, step.index);
    return { result: finishStep(stepResult, 'failure', 'failure', started, s) };
  }
  if (!shouldRun) {
    return { result: finishStep(stepResult, 'skipped', 'skipped', started, s) };
  }

  emit({ type: 'step-started', job: s.key, step: step.index, name: stepResult.name, at: started });
  const report = await executeStep(step, script, scope, stepEnv, s);
  const outcome: Conclusion = report.outcome;
  let conclusion: Conclusion = outcome;
  if (outcome === 'failure') {
    const continueOnError = evaluateSafely(() => (step.continueOnError ? evaluateTemplate(step.continueOnError, scope) : false), log);
    if (truthy(continueOnError)) conclusion = 'success';
  }
  stepResult.outputs = Object.fromEntries(Object.entries(report.outputs).map(([k, v]) => [k, v]));
  Object.assign(s.env, report.env);
  s.addedPaths.unshift(...[...report.paths].reverse());
  if (report.summary.trim() !== '') {
    s.result.summaries.push({ step: step.index, markdown: report.summary });
    emit({ type: 'step-summary', job: s.key, step: step.index, markdown: report.summary, at: Date.now() });
  }
  s.result.annotations.push(...report.annotations);
  return { result: finishStep(stepResult, outcome, conclusion, started, s) };
}

function finishStep(
  stepResult: StepResult,
  outcome: Conclusion,
  conclusion: Conclusion,
  started: number,
  s: StepScope,
): StepResult {
  stepResult.outcome = outcome;
  stepResult.conclusion = conclusion;
  stepResult.durationMs = Date.now() - started;
  s.shared.options.listener({
    type: 'step-finished',
    job: s.key,
    step: stepResult.index,
    name: stepResult.name,
    outcome,
    conclusion,
    durationMs: stepResult.durationMs,
    at: Date.now(),
  });
  return stepResult;
}

const emptyReport = (outcome: StepReport['outcome']): StepReport => ({
  outcome,
  outputs: {},
  env: {},
  paths: [],
  state: {},
  summary: '',
  annotations: [],
});

async function executeStep(
  step: Step,
  script: string | undefined,
  scope: ExpressionContexts,
  stepEnv: Record<string, string>,
  s: StepScope,
): Promise<StepReport> {
  const { shared, log } = s;
  const { options } = shared;
  if (step.uses) {
    const builtin = builtinAction(step.uses);
    if (builtin) {
      log.system(builtin.run({ workspace: s.facts.workspace, sha: shared.sha }), step.index);
      return emptyReport('success');
    }
    log.system(`Error: ${unsupportedActionReason(step.uses)}`, step.index);
    return emptyReport('failure');
  }
  if (script === undefined) {
    try {
      evaluateToString(step.run!, scope);
    } catch (error) {
      log.system(`Error: ${error instanceof Error ? error.message : String(error)}`, step.index);
    }
    return emptyReport('failure');
  }

  let workingDirectory: string;
  let timeoutMinutes: number | undefined;
  try {
    const written = step.workingDirectory ? evaluateToString(step.workingDirectory, scope) : undefined;
    workingDirectory = path.resolve(
      s.facts.workspace,
      written ?? s.job.defaults?.workingDirectory ?? s.workflowDefaults?.workingDirectory ?? '.',
    );
    const timeout = step.timeoutMinutes ? evaluateTemplate(step.timeoutMinutes, scope) : undefined;
    timeoutMinutes = timeout === undefined ? undefined : minutes(timeout, Infinity);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: ${error.message}`, step.index);
    return emptyReport('failure');
  }

  const files = await createStepFiles(s.facts.temp);
  const pathValue = [...s.addedPaths, shared.hostEnv.PATH ?? ''].filter(Boolean).join(path.delimiter);
  const env = {
    ...shared.hostEnv,
    ...s.env,
    ...stepEnv,
    ...defaultVariables(s.github, s.runner, s.facts, { files, action: String((scope.github as Record<string, unknown>).action), jobId: s.job.id }),
    PATH: pathValue,
  };

  let argv: string[];
  try {
    const shell = step.shell ?? s.job.defaults?.shell ?? s.workflowDefaults?.shell;
    argv = await prepareScript(script, shell, s.facts.temp, (name) => shared.which(name, pathValue));
  } catch (error) {
    if (!(error instanceof ShellError)) throw error;
    log.system(`Error: ${error.message}`, step.index);
    return emptyReport('failure');
  }

  // Once a job is cancelled, the steps that still run (always(), cancelled()) are
  // stopped only by a second interrupt or their own timeout.
  const cancellation = s.jobStatus === 'cancelled' ? options.kill : AbortSignal.any([s.jobCancel, options.kill]);
  const stepTimeout = timeoutMinutes !== undefined && Number.isFinite(timeoutMinutes) ? AbortSignal.timeout(timeoutMinutes * 60_000) : undefined;
  const signal = stepTimeout ? AbortSignal.any([cancellation, stepTimeout]) : cancellation;
  return runProcessStep({
    job: s.key,
    step: step.index,
    argv,
    env,
    cwd: workingDirectory,
    files,
    executor: options.executor,
    signal,
    kill: options.kill,
    timedOut: () => stepTimeout?.aborted === true && !cancellation.aborted,
    killGraceMs: options.killGraceMs,
    masker: shared.masker,
    debug: options.debug,
    emit: options.listener,
  });
}
