// One job leg from start to end: its `if`, workspace, environment, steps with
// status functions, continue-on-error and timeouts, outputs, and clean-up.

import {
  ExpressionError,
  evaluateCondition,
  evaluateTemplate,
  evaluateToString,
  statusFunctions,
  type ExpressionContexts,
} from '../expr/index.ts';
import { endTrackedProcesses, newTrackingId, recentProcessMark } from '../executors/orphans.ts';
import { givenInputs } from '../plan/calls.ts';
import { githubContext } from '../plan/github-context.ts';
import { resolveInputs } from '../plan/triggers/index.ts';
import type { CallContext, WorkflowPlan } from '../plan/types.ts';
import { ServiceError, type RunningServices, type ServiceSpec } from '../services/types.ts';
import type { TemplateValue } from '../workflow/types.ts';
import type { Conclusion, EngineListener, JobKey } from './events.ts';
import { jobRuntime } from './job-runtime.ts';
import { serviceSpecs } from './job-services.ts';
import type { SecretMasker } from './masking.ts';
import { fixedHostPorts } from './port-locks.ts';
import type { RunShared } from './run-shared.ts';
import { StepFileSet } from './run-step.ts';
import { manyListeners, runJobSteps, runPostSteps, runPreSteps, type RunStatus, type StepFrame } from './run-steps.ts';
import { runnerContext, type RunnerFacts } from './runner-env.ts';
import type { LegRun } from './scheduler.ts';
import type { JobResult } from './types.ts';
import { unsupportedJobFeature } from './unsupported.ts';
import { asStringRecord, minutes, truthy } from './values.ts';
import { jobMounts, startJobContainer } from './job-container.ts';

export type { RunShared };

const DEFAULT_JOB_TIMEOUT_MINUTES = 360;

/** The contexts a workflow's event defines: what `concurrency`, `strategy` and job `if` start from. */
export function workflowContexts(workflowPlan: WorkflowPlan, shared: RunShared) {
  const { workflow } = workflowPlan;
  return {
    github: githubContext(shared.event, {
      workflowName: workflow.name,
      workflowFile: workflow.file,
      runId: shared.options.runId,
      ...(shared.options.runAttempt === undefined ? {} : { runAttempt: shared.options.runAttempt }),
    }),
    inputs: workflowPlan.inputs,
    vars: shared.options.vars,
  };
}

/** The secrets a called workflow sees: each call level inherits them all or maps names from expressions. */
function calledSecrets(
  chain: CallContext['secrets'],
  secrets: Record<string, string>,
  contexts: ExpressionContexts,
): Record<string, string> {
  let current = secrets;
  for (const level of chain) {
    if (level === 'inherit') continue;
    const scope = { ...contexts, secrets: current };
    current = {
      GITHUB_TOKEN: current.GITHUB_TOKEN ?? '',
      ...Object.fromEntries(level.map((entry) => [entry.key, evaluateToString(entry.value, scope)])),
    };
  }
  return current;
}

/** A job's result before it has done anything. */
export function newJobResult(leg: LegRun, conclusion: Conclusion = 'success'): JobResult {
  return {
    key: leg.key,
    workflowFile: leg.group.workflowPlan.workflow.file,
    id: leg.group.id,
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

export async function runJob(leg: LegRun, shared: RunShared): Promise<JobResult> {
  const { options, masker } = shared;
  const { group, planned, key } = leg;
  const { workflow } = group;
  const job = group.job;
  const emit = options.listener;
  const log = new JobLog(emit, key, masker);
  const started = Date.now();
  emit({ type: 'job-started', job: key, at: started });

  const result = newJobResult(leg);
  /** Ends what the job's steps left running: part of the job, as GitHub's "Complete job" is, so before it is reported finished. */
  let endLeftovers: (() => void) | undefined;
  const finish = (conclusion: Conclusion): JobResult => {
    endLeftovers?.();
    endLeftovers = undefined;
    result.conclusion = conclusion;
    result.durationMs = Date.now() - started;
    emit({ type: 'job-finished', job: key, conclusion, durationMs: result.durationMs, outputs: result.outputs, at: Date.now() });
    return result;
  };

  const environment = planned.environment ? options.environments?.[planned.environment] : undefined;
  const workflowBase = workflowContexts(group.workflowPlan, shared);
  const base = environment ? { ...workflowBase, vars: { ...workflowBase.vars, ...environment.vars } } : workflowBase;
  const runSecrets = { ...options.secrets, ...environment?.secrets, GITHUB_TOKEN: environment?.secrets.GITHUB_TOKEN ?? options.secrets.GITHUB_TOKEN ?? '' };
  let secrets: Record<string, string>;
  try {
    secrets = planned.call ? calledSecrets(planned.call.secrets, runSecrets, { ...base, needs: leg.needs }) : runSecrets;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: the secrets passed to ${workflow.file}: ${error.message}`);
    return finish('failure');
  }
  let inputs = base.inputs;
  if (planned.call) {
    const call = planned.call;
    const scope = { ...base, inputs: call.callerInputs, needs: leg.callerNeeds ?? {}, matrix: call.callerMatrix ?? {} };
    let resolved: ReturnType<typeof resolveInputs>;
    try {
      resolved = resolveInputs(call.inputDefinitions, givenInputs(call.with, scope, true), 'workflow_call');
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      log.system(`Error: with: ${error.message}`);
      return finish('failure');
    }
    if ('errors' in resolved) {
      for (const message of resolved.errors) log.system(`Error: ${message}`);
      return finish('failure');
    }
    inputs = resolved.inputs;
  }
  const contexts: ExpressionContexts = {
    ...base,
    inputs,
    github: { ...base.github, job: job.id },
    secrets,
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
    const status = statusFunctions({ kind: 'job', ancestorResults: leg.ancestorResults, cancelled: runCancelled() });
    const callerScope = { ...base, inputs: planned.call?.callerInputs ?? base.inputs, needs: leg.callerNeeds ?? {}, matrix: planned.call?.callerMatrix ?? {} };
    const callersRun = (planned.call?.callerIfs ?? []).every((condition) => evaluateCondition(condition, callerScope, status));
    if (!callersRun || !evaluateCondition(job.if, contexts, status)) return finish(runCancelled() ? 'cancelled' : 'skipped');
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
  // The run's kill too, which comes only with or after a cancel (a second interrupt, a server stopping):
  // then the job's steps need one signal, not one made per job from this and the kill.
  const jobCancel = AbortSignal.any([options.cancel, leg.cancel, jobTimeout.signal, options.kill]);
  manyListeners(jobCancel);

  let workspace;
  try {
    workspace = await shared.workspaces.prepare({
      repoDir: options.repoDir,
      projectPath: options.projectPath,
      sha: shared.sha,
      bind: options.bind,
    });
  } catch (error) {
    clearTimeout(timer);
    log.system(`Error: could not prepare the workspace: ${error instanceof Error ? error.message : String(error)}`);
    return finish('failure');
  }

  const stepFiles = new StepFileSet(workspace.stepFiles, workspace.temp, workspace.scripts);
  let stopServices: (() => Promise<void>) | undefined;
  let stopContainer: (() => Promise<void>) | undefined;
  const trackingId = newTrackingId();
  try {
    const facts: RunnerFacts = {
      name: 'gantry',
      temp: workspace.temp,
      toolCache: workspace.toolCache,
      workspace: workspace.path,
      debug: options.debug,
      eventPath: shared.eventPath,
      ...jobRuntime(shared, key, contexts.github as Record<string, unknown>, (line) => log.system(line)),
    };
    const github = { ...(contexts.github as Record<string, unknown>), workspace: workspace.path, event_path: shared.eventPath };
    const runner = runnerContext(facts);
    const workflowEnv = asStringRecord(evaluate(workflow.env, { ...contexts, github, runner }, {}));
    const env: Record<string, string> = { ...options.env, ...workflowEnv };
    Object.assign(env, asStringRecord(evaluate(job.env, { ...contexts, github, runner, env }, {})));
    const services = await startServices(job.services, { ...contexts, github, runner, env }, `${planned.name}`, shared, log, jobCancel);
    if (services === 'failed') return finish('failure');
    if (services === 'cancelled') return finish('cancelled');
    stopServices = services ? () => services.stop() : undefined;
    if (services && services.containerNetwork === undefined && job.container !== undefined) {
      log.system(
        `Warning: this job runs in a container, but its services run on this machine (${shared.options.services.name} services) and listen on its loopback, ` +
          'which the container cannot reach by the services\' names or on localhost. Run with --services container (or auto, with a container engine) to put them on the job container\'s network.',
      );
    }
    const mounts = jobMounts(workspace.writable, shared.eventPath);
    const jobContainer = await startJobContainer(job.container, { ...contexts, github, runner, env }, {
      label: planned.name,
      mounts,
      network: services?.containerNetwork,
      shared,
      log: (line) => log.system(line),
      signal: jobCancel,
    });
    if (jobContainer === 'failed') return finish('failure');
    if (jobContainer === 'cancelled') return finish('cancelled');
    stopContainer = jobContainer ? () => jobContainer.stop() : undefined;
    const frame: StepFrame = {
      key,
      jobId: job.id,
      shared,
      log,
      facts,
      contexts: {
        ...contexts,
        github,
        runner,
        job: { services: services ? services.context : {}, ...(jobContainer ? { container: { id: jobContainer.id, network: jobContainer.network } } : {}) },
      },
      env,
      addedPaths: [],
      defaults: {
        shell: job.defaults?.shell ?? workflow.defaults?.shell,
        workingDirectory: job.defaults?.workingDirectory ?? workflow.defaults?.workingDirectory,
      },
      jobCancel,
      trackingId,
      result,
      job: { status: 'success' },
      posts: [],
      preStates: new Map(),
      stepFiles,
      background: [],
      // Services listen on this machine's loopback: a sandboxed job that has them needs the network.
      isolation: { writable: workspace.writable, network: options.sandboxNetwork || services !== undefined },
      containers: {
        ...(jobContainer ? { job: jobContainer } : {}),
        ...(jobContainer?.network ?? services?.containerNetwork ? { network: jobContainer?.network ?? services?.containerNetwork } : {}),
        mounts,
      },
    };
    const processesBefore = recentProcessMark();
    endLeftovers = () => {
      if (frame.background.length > 0) log.system(`Cleaning up ${frame.background.length} background process group(s) the steps left running`);
      for (const group of frame.background.splice(0)) group.end();
      const ended = endTrackedProcesses(trackingId, processesBefore);
      if (ended.length > 0) log.system('Cleaning up orphan processes');
      for (const { pid, name } of ended) log.system(`Terminate orphan process: pid (${pid}) (${name})`);
    };
    const afterPre = await runPreSteps(job.steps, frame, job.steps.length);
    await runJobSteps(job.steps, frame);
    await runPostSteps(frame, afterPre);
    let jobStatus: RunStatus = frame.job.status;
    if (jobTimeout.signal.aborted) {
      log.system(`Error: The job exceeded the maximum execution time of ${timeoutMinutes} minutes.`);
      jobStatus = 'failure';
    } else if (jobCancel.aborted && jobStatus !== 'failure') {
      jobStatus = 'cancelled';
    }

    const stepsContext = Object.fromEntries(
      job.steps.flatMap((step) => {
        const done = result.steps.find((r) => r.index === step.index);
        return step.id && done ? [[step.id, { outputs: done.outputs, outcome: done.outcome, conclusion: done.conclusion }]] : [];
      }),
    );
    result.outputs = jobOutputs(job.outputs, { ...frame.contexts, env, steps: stepsContext, job: { status: jobStatus } }, masker, log);
    if (jobStatus === 'failure') {
      const continueOnError = evaluateSafely(() => evaluate(job.continueOnError, contexts, false), log);
      result.continuedOnError = truthy(continueOnError);
    }
    return finish(jobStatus);
  } finally {
    clearTimeout(timer);
    // When the job ended by an error instead of through finish().
    endLeftovers?.();
    await stopContainer?.();
    await stopServices?.();
    // A script file still being made would land in the folder while it is removed.
    await stepFiles.settled();
    await workspace.dispose();
  }
}

/** Starts the job's services; 'failed' (with the reason logged) when one cannot start. */
async function startServices(
  written: TemplateValue | undefined,
  contexts: ExpressionContexts,
  jobLabel: string,
  shared: RunShared,
  log: JobLog,
  signal: AbortSignal,
): Promise<RunningServices | undefined | 'failed' | 'cancelled'> {
  let specs: ServiceSpec[];
  try {
    specs = serviceSpecs(written, contexts);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: services: ${error.message}`);
    return 'failed';
  }
  if (specs.length === 0) return undefined;
  const ports = specs.flatMap((spec) => fixedHostPorts(spec.ports));
  let releasePorts = () => {};
  try {
    if (ports.length > 0) {
      log.system(`Host port(s) ${ports.join(', ')} belong to this job while it runs; other jobs of this run that bind them wait`);
      releasePorts = await shared.portLocks.acquire(ports, signal);
    }
    const running = await shared.options.services.start(specs, { jobLabel, signal, log: (line) => log.system(line) });
    return {
      ...running,
      stop: async () => {
        await running.stop();
        releasePorts();
      },
    };
  } catch (error) {
    releasePorts();
    if (signal.aborted) {
      log.system('The job was cancelled while its services were starting.');
      return 'cancelled';
    }
    if (!(error instanceof ServiceError)) throw error;
    log.system(`Error: ${error.message}`);
    return 'failed';
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
