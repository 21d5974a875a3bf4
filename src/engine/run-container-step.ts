// Steps that run as a container of an image: `uses: docker://image` (entrypoint and args from `with`)
// and Docker container actions (`runs.using: docker`: `image: docker://…`, or a Dockerfile built once
// per content). Each runs as a new container on the job's network, with the job's folders mounted at
// their own paths, and the job's env and the runner's variables but nothing of the host's, as on GitHub.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ExpressionError, evaluateTemplate, evaluateToString, type ExpressionContexts } from '../expr/index.ts';
import { JobContainerError } from '../executors/job-container.ts';
import { splitRunnerArguments } from '../containers/options.ts';
import type { ActionDefinition } from '../workflow/types.ts';
import { runProcessStep, type StepReport } from './run-step.ts';
import { emptyReport, processEnvironment, stepSignal, type StepFrame } from './run-steps.ts';
import { asStringRecord, inputVariables, stateVariables } from './values.ts';

type DockerRuns = Extract<ActionDefinition['runs'], { using: 'docker' }>;

export interface ContainerStepRequest {
  /** `uses: docker://image` with its evaluated `with:`. */
  image?: { uses: string; with: Record<string, string> };
  /** A Docker container action; `state` is what its `pre-entrypoint` saved (STATE_ variables). */
  action?: { uses: string; runs: DockerRuns; directory: string; inputs: Record<string, string>; scope: ExpressionContexts; state: Record<string, string> };
  frame: StepFrame;
  stepEnv: Record<string, string>;
  logStep: number;
  stop: { signal: AbortSignal; timedOut: () => boolean };
}

interface ImagePhase {
  image: string;
  entrypoint?: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The step's main run; a Docker action's `post-entrypoint` joins the job's post steps. Its
 * `pre-entrypoint` is not run here: it runs as the job's pre phase (`runContainerActionPre`).
 */
export async function runContainerStep(request: ContainerStepRequest): Promise<StepReport> {
  const phases = await phasesOf(request);
  if ('failure' in phases) return phases.failure;
  const state = request.action?.state ?? {};
  const report = await runPhase(request, phases.uses, phases.main, state, request.stop, request.logStep);
  const post = phases.post;
  if (post) {
    const postState = { ...state, ...report.state };
    request.frame.posts.push({
      name: `Post Run ${phases.uses}`,
      condition: request.action?.runs.postIf ?? 'always()',
      run: (postFrame, index) => runPhase({ ...request, frame: postFrame }, phases.uses, post, postState, stepSignal(postFrame, undefined), index),
    });
  }
  return report;
}

/** A Docker action's `pre-entrypoint`, run before the job's first step as the runner runs it; its saved state is in the report. */
export async function runContainerActionPre(request: ContainerStepRequest): Promise<StepReport> {
  const phases = await phasesOf(request);
  if ('failure' in phases) return phases.failure;
  return phases.pre ? runPhase(request, phases.uses, phases.pre, {}, request.stop, request.logStep) : emptyReport('success');
}

type Phases = { main: ImagePhase; pre?: ImagePhase; post?: ImagePhase; uses: string };

/** The step's image phases, or the failure report of a step whose image or arguments cannot be had. */
async function phasesOf(request: ContainerStepRequest): Promise<Phases | { failure: StepReport }> {
  try {
    return request.image ? imageStep(request.image) : actionPhases(request.action!, await actionImage(request.action!, request));
  } catch (error) {
    if (!(error instanceof ExpressionError || error instanceof ContainerStepError || error instanceof JobContainerError)) throw error;
    request.frame.log.system(`Error: ${error.message}`, request.logStep);
    return { failure: emptyReport('failure') };
  }
}

class ContainerStepError extends Error {}

/**
 * `docker://image`: the `entrypoint` input replaces the image's, `args` is split as the runner's
 * command line splits it; like every input, both are also INPUT_ variables.
 */
function imageStep(step: { uses: string; with: Record<string, string> }): { main: ImagePhase; uses: string } {
  const image = step.uses.slice('docker://'.length);
  if (image === '') throw new ContainerStepError(`${step.uses}: no image after docker://`);
  const input = (name: string) => Object.entries(step.with).find(([key]) => key.toLowerCase() === name)?.[1];
  const entrypoint = input('entrypoint');
  const args = input('args');
  return {
    uses: step.uses,
    main: {
      image,
      ...(entrypoint === undefined || entrypoint === '' ? {} : { entrypoint }),
      args: args === undefined ? [] : splitRunnerArguments(args),
      env: inputVariables(step.with),
    },
  };
}

/** A Docker action's image: `docker://…` as named, or built from the Dockerfile in its folder (once per content). */
async function actionImage(action: NonNullable<ContainerStepRequest['action']>, request: ContainerStepRequest): Promise<string> {
  const { runs, uses } = action;
  if (runs.image.startsWith('docker://')) return runs.image.slice('docker://'.length);
  const containers = request.frame.shared.options.containers;
  if (containers === undefined) throw new ContainerStepError(`${uses} builds its image from ${runs.image}, and this run has no container engine to build it with`);
  return containers.actionImage(action.directory, runs.image, (line) => request.frame.log.system(line, request.logStep));
}

/** A Docker action's `runs:`: its args and env evaluated with the inputs, pre and post entrypoints as their own runs. */
function actionPhases(action: NonNullable<ContainerStepRequest['action']>, image: string): Phases {
  const { runs, uses } = action;
  const scope = { ...action.scope, inputs: action.inputs };
  const args = runs.args.map((arg) => evaluateToString(arg, scope));
  const env = { ...inputVariables(action.inputs), ...asStringRecord(runs.env ? evaluateTemplate(runs.env, scope) : {}) };
  const phase = (entrypoint: string | undefined, phaseArgs: string[]): ImagePhase => ({ image, ...(entrypoint ? { entrypoint } : {}), args: phaseArgs, env });
  return {
    uses,
    main: phase(runs.entrypoint, args),
    // As the runner: the pre and post entrypoints get the same args as the main one.
    ...(runs.preEntrypoint ? { pre: phase(runs.preEntrypoint, args) } : {}),
    ...(runs.postEntrypoint ? { post: phase(runs.postEntrypoint, args) } : {}),
  };
}

async function runPhase(
  request: ContainerStepRequest,
  uses: string,
  phase: ImagePhase,
  state: Record<string, string>,
  stop: { signal: AbortSignal; timedOut: () => boolean },
  logStep: number,
): Promise<StepReport> {
  const { frame } = request;
  const { shared } = frame;
  const containers = shared.options.containers;
  if (containers === undefined) {
    frame.log.system(`Error: ${uses} runs as a container, and this run has no container engine to start it with`, logStep);
    return emptyReport('failure');
  }
  let executor;
  try {
    executor = await containers.imageExecutor(
      { image: phase.image, ...(phase.entrypoint ? { entrypoint: phase.entrypoint } : {}), mounts: frame.containers.mounts, ...(frame.containers.network ? { network: frame.containers.network } : {}), jobLabel: frame.result.name },
      (line) => frame.log.system(line, logStep),
    );
  } catch (error) {
    if (!(error instanceof JobContainerError)) throw error;
    frame.log.system(`Error: ${error.message}`, logStep);
    return emptyReport('failure');
  }
  // Nothing of the host's environment: the image's own PATH and variables apply. HOME is a folder of
  // the job's temp, as the runner's /github/home.
  const { env, files } = await processEnvironment(frame, { ...request.stepEnv, ...phase.env, ...stateVariables(state) }, uses, {});
  env.HOME = path.join(frame.facts.temp, '_github_home');
  await mkdir(env.HOME, { recursive: true });
  return runProcessStep({
    job: frame.key,
    step: logStep,
    argv: phase.args,
    env,
    cwd: frame.facts.workspace,
    files,
    readFile: (file) => frame.stepFiles.read(file),
    executor,
    signal: stop.signal,
    kill: shared.options.kill,
    timedOut: stop.timedOut,
    killGraceMs: shared.options.killGraceMs,
    isolation: frame.isolation,
    masker: shared.masker,
    debug: shared.options.debug,
    emit: shared.options.listener,
  });
}
