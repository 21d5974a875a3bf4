import { ExpressionError } from './errors.ts';
import { CONTEXT_NAMES, SPECIAL_FUNCTIONS, findReferences, parseExpression } from './parse.ts';

/** Which contexts and special functions (status functions, hashFiles) an expression may use at a key. */
export interface Availability {
  contexts: string[];
  functions: string[];
}

interface Row extends Availability {
  /** The key as GitHub's table writes it, e.g. `jobs.<job_id>.steps.if`. */
  key: string;
}

const STATUS = 'always, cancelled, success, failure';
const STEP_CONTEXTS = 'github, needs, strategy, matrix, job, runner, env, vars, secrets, steps, inputs';

function row(key: string, contexts: string, functions = ''): Row {
  const list = (text: string): string[] => (text === '' ? [] : text.split(', '));
  return { key, contexts: list(contexts), functions: list(functions) };
}

/** GitHub's "Context availability" table (Contexts reference). Built-in functions are allowed everywhere. */
const WORKFLOW_ROWS: readonly Row[] = [
  row('run-name', 'github, inputs, vars'),
  row('concurrency', 'github, inputs, vars'),
  row('env', 'github, secrets, inputs, vars'),
  row('jobs.<job_id>.concurrency', 'github, needs, strategy, matrix, inputs, vars'),
  row('jobs.<job_id>.container', 'github, needs, strategy, matrix, vars, inputs'),
  row('jobs.<job_id>.container.credentials', 'github, needs, strategy, matrix, env, vars, secrets, inputs'),
  row('jobs.<job_id>.container.env.<env_id>', 'github, needs, strategy, matrix, job, runner, env, vars, secrets, inputs'),
  row('jobs.<job_id>.container.image', 'github, needs, strategy, matrix, vars, inputs'),
  row('jobs.<job_id>.continue-on-error', 'github, needs, strategy, vars, matrix, inputs'),
  row('jobs.<job_id>.defaults.run', 'github, needs, strategy, matrix, env, vars, inputs'),
  row('jobs.<job_id>.env', 'github, needs, strategy, matrix, vars, secrets, inputs'),
  row('jobs.<job_id>.environment', 'github, needs, strategy, matrix, vars, inputs'),
  row('jobs.<job_id>.environment.url', 'github, needs, strategy, matrix, job, runner, env, vars, steps, inputs'),
  row('jobs.<job_id>.if', 'github, needs, vars, inputs', STATUS),
  row('jobs.<job_id>.name', 'github, needs, strategy, matrix, vars, inputs'),
  row('jobs.<job_id>.outputs.<output_id>', 'github, needs, strategy, matrix, job, runner, env, vars, secrets, steps, inputs'),
  row('jobs.<job_id>.runs-on', 'github, needs, strategy, matrix, vars, inputs'),
  row('jobs.<job_id>.secrets.<secrets_id>', 'github, needs, strategy, matrix, secrets, inputs, vars'),
  row('jobs.<job_id>.services', 'github, needs, strategy, matrix, vars, inputs'),
  row('jobs.<job_id>.services.<service_id>.credentials', 'github, needs, strategy, matrix, env, vars, secrets, inputs'),
  row(
    'jobs.<job_id>.services.<service_id>.env.<env_id>',
    'github, needs, strategy, matrix, job, runner, env, vars, secrets, inputs',
  ),
  row('jobs.<job_id>.steps.continue-on-error', STEP_CONTEXTS, 'hashFiles'),
  row('jobs.<job_id>.steps.env', STEP_CONTEXTS, 'hashFiles'),
  row('jobs.<job_id>.steps.if', 'github, needs, strategy, matrix, job, runner, env, vars, steps, inputs', `${STATUS}, hashFiles`),
  row('jobs.<job_id>.steps.name', STEP_CONTEXTS, 'hashFiles'),
  row('jobs.<job_id>.steps.run', STEP_CONTEXTS, 'hashFiles'),
  row('jobs.<job_id>.steps.timeout-minutes', STEP_CONTEXTS, 'hashFiles'),
  row('jobs.<job_id>.steps.with', STEP_CONTEXTS, 'hashFiles'),
  row('jobs.<job_id>.steps.working-directory', STEP_CONTEXTS, 'hashFiles'),
  row('jobs.<job_id>.strategy', 'github, needs, vars, inputs'),
  row('jobs.<job_id>.timeout-minutes', 'github, needs, strategy, matrix, vars, inputs'),
  row('jobs.<job_id>.with.<with_id>', 'github, needs, strategy, matrix, inputs, vars'),
  row('on.workflow_call.inputs.<inputs_id>.default', 'github, inputs, vars'),
  row('on.workflow_call.outputs.<output_id>.value', 'github, jobs, vars, inputs'),
];

const ACTION_STEP_CONTEXTS = 'github, inputs, strategy, matrix, steps, job, runner, env';

/** action.yml keys, from the action metadata schema GitHub ships in @actions/workflow-parser. */
const ACTION_ROWS: readonly Row[] = [
  row('inputs.<input_id>.default', 'github, strategy, matrix, job, runner', 'hashFiles'),
  row('outputs.<output_id>.value', 'github, strategy, matrix, steps, inputs, job, runner, env'),
  row('runs.args', 'inputs'),
  row('runs.env', 'inputs'),
  row('runs.pre-if', 'github, strategy, matrix, job, runner, env, inputs', `${STATUS}, hashFiles`),
  row('runs.post-if', 'github, strategy, matrix, job, runner, env, inputs', `${STATUS}, hashFiles`),
  row('runs.steps.if', ACTION_STEP_CONTEXTS, `${STATUS}, hashFiles`),
  row('runs.steps.name', ACTION_STEP_CONTEXTS, 'hashFiles'),
  row('runs.steps.run', ACTION_STEP_CONTEXTS, 'hashFiles'),
  row('runs.steps.shell', ACTION_STEP_CONTEXTS, 'hashFiles'),
  row('runs.steps.env', ACTION_STEP_CONTEXTS, 'hashFiles'),
  row('runs.steps.with', ACTION_STEP_CONTEXTS, 'hashFiles'),
  row('runs.steps.continue-on-error', ACTION_STEP_CONTEXTS, 'hashFiles'),
  row('runs.steps.working-directory', ACTION_STEP_CONTEXTS, 'hashFiles'),
];

const ROWS = [...WORKFLOW_ROWS, ...ACTION_ROWS];

/**
 * What an expression may use at `keyPath`: either a key as GitHub's table
 * writes it (`jobs.<job_id>.steps.if`) or a concrete path (`jobs.build.steps[2].if`,
 * `jobs.build.steps.2.env.TOKEN`). A key below a listed one follows the listed
 * one (`jobs.build.strategy.matrix` follows `jobs.<job_id>.strategy`).
 * Throws for a key where no expression can appear.
 */
export function allowedIn(keyPath: string): Availability {
  const { contexts, functions } = findRow(keyPath);
  return { contexts: [...contexts], functions: [...functions] };
}

/**
 * Checks that `expression` (the text inside `${{ }}`) parses and uses only the
 * contexts and special functions available at `keyPath`; returns the problem, or
 * undefined when there is none.
 */
export function checkExpression(expression: string, keyPath: string): string | undefined {
  const { key, contexts, functions } = findRow(keyPath);
  let references;
  try {
    references = findReferences(parseExpression(expression, CONTEXT_NAMES, SPECIAL_FUNCTIONS), expression);
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
  const allowedContexts = new Set(contexts.map((name) => name.toLowerCase()));
  const allowedFunctions = new Set(functions.map((name) => name.toLowerCase()));
  const specialFunctions = new Set(SPECIAL_FUNCTIONS.map((fn) => fn.name.toLowerCase()));
  for (const { kind, name, offset } of references) {
    const lowerName = name.toLowerCase();
    if (kind === 'context' && !allowedContexts.has(lowerName)) {
      const located = new ExpressionError(expression, `Unrecognized named-value: '${name}'`, { offset }).message;
      return `${located}. The '${lowerName}' context is not available in '${key}'; available there: ${contexts.join(', ')}.`;
    }
    if (kind === 'function' && specialFunctions.has(lowerName) && !allowedFunctions.has(lowerName)) {
      const located = new ExpressionError(expression, `Unrecognized function: '${name}'`, { offset }).message;
      const available = functions.length === 0 ? 'none' : functions.map((fn) => `${fn}()`).join(', ');
      return `${located}. ${name}() is not available in '${key}'; special functions available there: ${available}.`;
    }
  }
  return undefined;
}

function findRow(keyPath: string): Row {
  const pathSegments = keyPath
    .replaceAll(/\[[^\]]*\]/g, '')
    .split('.')
    .filter((segment) => segment !== '' && !/^\d+$/.test(segment));
  let best: { row: Row; length: number } | undefined;
  for (const candidate of ROWS) {
    const keySegments = candidate.key.split('.');
    if (keyMatches(keySegments, pathSegments) && (!best || keySegments.length > best.length)) {
      best = { row: candidate, length: keySegments.length };
    }
  }
  if (!best) throw new Error(`No expression can appear at '${keyPath}': it is not in GitHub's context availability table`);
  return best.row;
}

/** The key's segments cover the start of the path; a missing tail is fine only where the key has placeholders. */
function keyMatches(keySegments: readonly string[], pathSegments: readonly string[]): boolean {
  return keySegments.every((keySegment, index) => {
    const isPlaceholder = keySegment.startsWith('<');
    const pathSegment = pathSegments[index];
    if (pathSegment === undefined) return isPlaceholder;
    return isPlaceholder || keySegment === pathSegment;
  });
}
