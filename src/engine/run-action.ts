// `uses:` steps: built-in actions, JavaScript actions (main, and post at the end
// of the job) and composite actions, with inputs as the runner passes them.

import { createHash } from 'node:crypto';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { ActionResolutionError, type BuiltinAction } from '../actions/types.ts';
import { ExpressionError, evaluateTemplate, evaluateToString, type ExpressionContexts, type HostFunctions } from '../expr/index.ts';
import type { ActionDefinition, Step } from '../workflow/types.ts';
import { runProcessStep, type StepReport } from './run-step.ts';
import { runContainerActionPre, runContainerStep } from './run-container-step.ts';
import {
  emptyReport,
  jobExecutor,
  processEnvironment,
  runCompositeSteps,
  stepFunctions,
  stepScope,
  stepSignal,
  type PostStep,
  type StepFrame,
} from './run-steps.ts';
import { asString, asStringRecord, inputVariables, stateVariables } from './values.ts';

type NodeRuns = Extract<ActionDefinition['runs'], { using: `node${string}` }>;

export async function executeAction(
  step: Step,
  uses: string,
  scope: ExpressionContexts,
  stepEnv: Record<string, string>,
  frame: StepFrame,
  logStep: number,
  stop: { signal: AbortSignal; timedOut: () => boolean },
): Promise<StepReport> {
  const { log } = frame;
  let given: Record<string, string>;
  try {
    given = withInputs(step, scope, stepFunctions(frame));
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: with: ${error.message}`, logStep);
    return emptyReport('failure');
  }
  if (uses.startsWith('docker://')) return runContainerStep({ image: { uses, with: given }, frame, stepEnv, logStep, stop });
  let resolved;
  try {
    resolved = await frame.shared.options.actions.resolve(uses, frame.facts.workspace);
  } catch (error) {
    if (!(error instanceof ActionResolutionError)) throw error;
    log.system(`Error: ${error.message}`, logStep);
    return emptyReport('failure');
  }
  if (resolved.kind === 'builtin') return runBuiltin(resolved.action, given, stepEnv, frame, logStep, stop.signal, phaseName('Post', step, uses));

  const { definition, directory } = resolved;
  let inputs: Record<string, string>;
  try {
    inputs = actionInputs(definition, given, scope, (line) => log.system(line, logStep));
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    log.system(`Error: ${definition.file}: an input's default: ${error.message}`, logStep);
    return emptyReport('failure');
  }
  const runs = definition.runs;
  switch (runs.using) {
    case 'composite':
      return runComposite(definition, runs.steps, directory, inputs, stepEnv, frame, logStep);
    case 'docker':
      return runContainerStep({ action: { uses, runs, directory, inputs, scope, state: frame.preStates.get(step) ?? {} }, frame, stepEnv, logStep, stop });
    default:
      return runNodeAction(uses, runs, directory, inputs, stepEnv, frame, logStep, stop, step);
  }
}

/** `with:`, where hashFiles() is available (actions/cache keys use it). */
function withInputs(step: Step, scope: ExpressionContexts, host: HostFunctions): Record<string, string> {
  if (step.with?.kind !== 'mapping') return {};
  return Object.fromEntries(step.with.entries.map((entry) => [entry.key, evaluateToString(entry.value, scope, host)]));
}

/** The action's inputs: given values, then defaults; unknown inputs are warned about, as the runner does. */
function actionInputs(
  definition: ActionDefinition,
  given: Record<string, string>,
  scope: ExpressionContexts,
  log: (line: string) => void,
): Record<string, string> {
  const declared = new Map(definition.inputs.map((input) => [input.id.toLowerCase(), input]));
  const unexpected = Object.keys(given).filter((name) => !declared.has(name.toLowerCase()));
  if (unexpected.length > 0) {
    log(`Warning: Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${definition.inputs.map((i) => i.id).join("', '")}']`);
  }
  const inputs: Record<string, string> = {};
  for (const input of definition.inputs) {
    const key = Object.keys(given).find((name) => name.toLowerCase() === input.id.toLowerCase());
    if (key !== undefined) {
      inputs[input.id] = given[key]!;
      if (input.deprecationMessage) log(`Warning: Input '${input.id}' has been deprecated with message: ${input.deprecationMessage}`);
    } else if (input.default) {
      inputs[input.id] = evaluateToString(input.default, scope);
    } else {
      inputs[input.id] = '';
    }
  }
  for (const name of unexpected) inputs[name] = given[name]!;
  return inputs;
}

function phaseName(phase: 'Pre' | 'Post', step: Step, uses: string): string {
  return `${phase} ${step.name?.kind === 'literal' ? asString(step.name.value) : `Run ${uses}`}`;
}

async function runBuiltin(
  action: BuiltinAction,
  inputs: Record<string, string>,
  stepEnv: Record<string, string>,
  frame: StepFrame,
  logStep: number,
  signal: AbortSignal,
  name: string,
): Promise<StepReport> {
  const state: Record<string, string> = {};
  const phase = async (run: BuiltinAction['run'], place: number, phaseSignal: AbortSignal, given: Record<string, string>) => {
    const report = emptyReport('success');
    const { env } = await processEnvironment(frame, stepEnv, action.name);
    Object.assign(env, await frame.facts.runtime?.());
    try {
      await run({
        inputs,
        env,
        workspace: frame.facts.workspace,
        sha: frame.shared.sha,
        repository: { dir: frame.shared.options.repoDir, ref: frame.shared.event.ref, name: env.GITHUB_REPOSITORY ?? '' },
        signal: phaseSignal,
        state: given,
        log: (line) => frame.log.system(line, place),
        setOutput: (output, value) => void (report.outputs[output] = value),
        exportVariable: (variable, value) => void (report.env[variable] = value),
        addPath: (folder) => void report.paths.push(folder),
        saveState: (key, value) => void (state[key] = value),
      });
    } catch (error) {
      frame.log.system(`Error: ${error instanceof Error ? error.message : String(error)}`, place);
      report.outcome = 'failure';
    }
    return report;
  };
  const report = await phase(action.run, logStep, signal, {});
  const post = action.post;
  if (post) {
    frame.posts.push({
      name,
      condition: action.postIf ?? 'always()',
      run: (postFrame, index) => phase(post, index, stepSignal(postFrame, undefined).signal, { ...state }),
    });
  }
  return report;
}

async function runComposite(
  definition: ActionDefinition,
  steps: readonly Step[],
  directory: string,
  inputs: Record<string, string>,
  stepEnv: Record<string, string>,
  frame: StepFrame,
  logStep: number,
): Promise<StepReport> {
  // The composite's steps see the calling step's env, its inputs and their own steps;
  // what their file commands add to env and PATH stays for the job's later steps.
  const inherited = { ...frame.env, ...stepEnv };
  const child: StepFrame = {
    ...frame,
    env: { ...inherited },
    contexts: { ...frame.contexts, inputs },
    defaults: {},
    parent: { step: logStep, actionPath: directory },
  };
  const { status, stepsContext } = await runCompositeSteps(steps, child, logStep);
  for (const [name, value] of Object.entries(child.env)) {
    if (inherited[name] !== value) frame.env[name] = value;
  }

  const outputs: Record<string, string> = {};
  const scope = { ...stepScope(child, stepsContext, 'composite'), inputs };
  for (const output of definition.outputs) {
    if (!output.value) continue;
    try {
      outputs[output.id] = evaluateToString(output.value, scope);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      frame.log.system(`Error: ${definition.file}: output '${output.id}': ${error.message}`, logStep);
    }
  }
  return { ...emptyReport(status), outputs };
}

const hostNodeMajor = Number(process.versions.node.split('.')[0]);

async function runNodeAction(
  uses: string,
  runs: NodeRuns,
  actionDirectory: string,
  inputs: Record<string, string>,
  stepEnv: Record<string, string>,
  frame: StepFrame,
  logStep: number,
  stop: { signal: AbortSignal; timedOut: () => boolean },
  step: Step,
): Promise<StepReport> {
  const directory = await reachableFromContainer(actionDirectory, frame);
  const wanted = Number(runs.using.slice(4));
  if (wanted !== hostNodeMajor) {
    frame.log.system(`Warning: ${uses} asks for ${runs.using}; running it with this machine's Node.js ${process.versions.node}`, logStep);
  }
  const phase = nodePhase(uses, directory, inputs, stepEnv, frame);
  const preState = frame.preStates.get(step) ?? {};
  const report = await phase(runs.main, preState, stop.signal, stop.timedOut, logStep);
  if (runs.post) {
    const post = runs.post;
    const state = { ...preState, ...report.state };
    frame.posts.push({
      name: phaseName('Post', step, uses),
      condition: runs.postIf,
      run: (postFrame, index) => {
        const { signal, timedOut } = stepSignal(postFrame, undefined);
        return phase(post, state, signal, timedOut, index);
      },
    });
  }
  return report;
}

/** One phase (pre, main or post) of a JavaScript action: its script run with the host's Node.js. */
function nodePhase(uses: string, directory: string, inputs: Record<string, string>, stepEnv: Record<string, string>, frame: StepFrame) {
  return async (script: string, state: Record<string, string>, signal: AbortSignal, timedOut: () => boolean, place: number): Promise<StepReport> => {
    const { env, files } = await processEnvironment(frame, { ...stepEnv, ...inputVariables(inputs), ...stateVariables(state) }, uses);
    Object.assign(env, await frame.facts.runtime?.());
    env.GITHUB_ACTION_PATH = directory;
    env.GITHUB_ACTION_REPOSITORY = uses.startsWith('./') ? '' : uses.replace(/@.*$/, '');
    return runProcessStep({
      job: frame.key,
      step: place,
      argv: [process.execPath, path.join(directory, script)],
      env,
      cwd: frame.facts.workspace,
      files,
      readFile: (file) => frame.stepFiles.read(file),
      executor: jobExecutor(frame),
      signal,
      kill: frame.shared.options.kill,
      timedOut,
      killGraceMs: frame.shared.options.killGraceMs,
      isolation: frame.isolation,
      masker: frame.shared.masker,
      debug: frame.shared.options.debug,
      emit: frame.shared.options.listener,
    });
  };
}

/**
 * The pre phases of the job's actions, as the runner adds them at job set-up: a
 * JavaScript action's `pre:`, a Docker action's `pre-entrypoint:`, for top-level
 * steps naming an action from the store (a local `./` action is not there before
 * the checkout, so its pre phase never runs), in step order, each under its
 * `pre-if` (default `always()`), with the step's env and inputs as they evaluate
 * before any step ran. What a pre phase saves with `save-state` reaches the main
 * and post phases.
 */
export async function preStepsOf(steps: readonly Step[], frame: StepFrame): Promise<PostStep[]> {
  const pres: PostStep[] = [];
  for (const step of steps) {
    const uses = step.uses;
    if (!uses || uses.startsWith('./') || uses.startsWith('docker://')) continue;
    let resolved;
    try {
      resolved = await frame.shared.options.actions.resolve(uses, frame.facts.workspace);
    } catch (error) {
      // The step itself reports it when its turn comes.
      if (error instanceof ActionResolutionError) continue;
      throw error;
    }
    if (resolved.kind !== 'definition') continue;
    const { definition } = resolved;
    const runs = definition.runs;
    if (runs.using === 'composite' || (runs.using === 'docker' ? !runs.preEntrypoint : !runs.pre)) continue;
    pres.push({
      name: phaseName('Pre', step, uses),
      condition: runs.preIf,
      run: async (preFrame, index) => {
        const scope = stepScope(preFrame, {}, step.id ?? '');
        let stepEnv: Record<string, string>;
        let inputs: Record<string, string>;
        try {
          stepEnv = asStringRecord(step.env ? evaluateTemplate(step.env, scope) : {});
          inputs = actionInputs(definition, withInputs(step, scope, stepFunctions(preFrame)), scope, (line) => preFrame.log.system(line, index));
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          preFrame.log.system(`Error: ${error.message}`, index);
          return emptyReport('failure');
        }
        const stop = stepSignal(preFrame, undefined);
        const report =
          runs.using === 'docker'
            ? await runContainerActionPre({ action: { uses, runs, directory: resolved.directory, inputs, scope, state: {} }, frame: preFrame, stepEnv, logStep: index, stop })
            : await nodePhase(uses, await reachableFromContainer(resolved.directory, preFrame), inputs, stepEnv, preFrame)(runs.pre!, {}, stop.signal, stop.timedOut, index);
        preFrame.preStates.set(step, report.state);
        return report;
      },
    });
  }
  return pres;
}

/**
 * In a `container:` job, an action's folder the container does not mount (the action store's) is
 * copied into the job's temp folder, which it does, as the runner keeps actions under its work folder.
 */
async function reachableFromContainer(directory: string, frame: StepFrame): Promise<string> {
  const { containers } = frame;
  if (containers.job === undefined) return directory;
  if (containers.mounts.some((mount) => directory === mount.path || directory.startsWith(`${mount.path}${path.sep}`))) return directory;
  const copy = path.join(frame.facts.temp, '_actions', `${path.basename(directory)}-${createHash('sha256').update(directory).digest('hex').slice(0, 12)}`);
  await cp(directory, copy, { recursive: true, force: false, errorOnExist: false });
  return copy;
}
