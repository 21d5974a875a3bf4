import type { HostFunction } from './evaluate.ts';
import { CONTEXT_NAMES, SPECIAL_FUNCTIONS, STATUS_FUNCTION_NAMES, findReferences, parseExpression } from './parse.ts';

/** `job.status`: once a run is cancelled the job is 'cancelled', whatever failed before. */
export type JobStatus = 'success' | 'failure' | 'cancelled';

/** How a finished job ended, as `needs.<job_id>.result` reports it. */
export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';

/** What status functions see in a step's `if`. */
export interface StepStatusView {
  kind: 'step';
  jobStatus: JobStatus;
  /**
   * For a step inside a composite action: the action's own status
   * (`github.action_status`), which success() and failure() use instead of the
   * job's. cancelled() always looks at the job.
   */
  actionStatus?: JobStatus;
}

/** What status functions see in a job's `if`. */
export interface JobStatusView {
  kind: 'job';
  /** Results of every job this one needs, directly or through other jobs. */
  ancestorResults: readonly JobResult[];
  /** The workflow run was cancelled. */
  cancelled: boolean;
}

export type StatusView = StepStatusView | JobStatusView;

/** success(), failure(), cancelled() and always() for the given view, as host functions. */
export function statusFunctions(view: StatusView): HostFunction[] {
  const results = view.kind === 'step' ? stepResults(view) : jobResults(view);
  return STATUS_FUNCTION_NAMES.map((name) => ({ name, minArgs: 0, maxArgs: 0, call: () => results[name] }));
}

type StatusResults = Record<(typeof STATUS_FUNCTION_NAMES)[number], boolean>;

function stepResults(view: StepStatusView): StatusResults {
  const ownStatus = view.actionStatus ?? view.jobStatus;
  return {
    success: ownStatus === 'success',
    failure: ownStatus === 'failure',
    cancelled: view.jobStatus === 'cancelled',
    always: true,
  };
}

function jobResults(view: JobStatusView): StatusResults {
  // A skipped or cancelled ancestor also rules out success(): dependents of a skipped job are skipped.
  return {
    success: !view.cancelled && view.ancestorResults.every((result) => result === 'success'),
    failure: view.ancestorResults.some((result) => result === 'failure'),
    cancelled: view.cancelled,
    always: true,
  };
}

/**
 * GitHub's default status check: an `if` that calls none of success(),
 * failure(), cancelled() or always() runs only on success, so it becomes
 * `success() && (<condition>)`; an empty one becomes `success()`. Accepts the
 * condition with or without its `${{ }}` and returns it without.
 * Throws `ExpressionError` when the condition does not parse.
 */
export function ensureStatusFunction(condition: string): string {
  const expression = unwrapExpression(condition.trim());
  if (expression === '') return 'success()';
  const tree = parseExpression(expression, CONTEXT_NAMES, SPECIAL_FUNCTIONS);
  const callsStatusFunction = findReferences(tree, expression).some(
    (reference) => reference.kind === 'function' && isStatusFunction(reference.name),
  );
  return callsStatusFunction ? expression : `success() && (${expression})`;
}

function isStatusFunction(name: string): boolean {
  return (STATUS_FUNCTION_NAMES as readonly string[]).includes(name.toLowerCase());
}

/** `${{ x }}` -> `x`, when the whole text is one expression. */
function unwrapExpression(text: string): string {
  if (!text.startsWith('${{') || !text.endsWith('}}')) return text;
  const inner = text.slice(3, -2);
  return inner.includes('${{') ? text : inner.trim();
}
