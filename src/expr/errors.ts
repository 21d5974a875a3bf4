import type { Position } from '../workflow/types.ts';

export interface ExpressionErrorOptions {
  /** One-based character position within the expression, when the problem has one. */
  offset?: number;
  /** Where the expression sits in the workflow file, when known. */
  location?: Position;
  cause?: unknown;
}

/**
 * A problem in an expression that the user caused: a syntax error, an unknown
 * function or context, or a failure while evaluating (bad JSON, bad format string).
 */
export class ExpressionError extends Error {
  readonly expression: string;
  /** The problem without the expression text, e.g. `Unrecognized named-value: 'foo'`. */
  readonly reason: string;
  readonly offset?: number;
  location?: Position;

  constructor(expression: string, reason: string, options: ExpressionErrorOptions = {}) {
    super(describe(expression, reason, options.offset), { cause: options.cause });
    this.name = 'ExpressionError';
    this.expression = expression;
    this.reason = reason;
    this.offset = options.offset;
    this.location = options.location;
  }
}

function describe(expression: string, reason: string, offset: number | undefined): string {
  if (expression.trim() === '') return reason;
  if (offset !== undefined) {
    return `${reason}. Located at position ${offset} within expression: ${expression}`;
  }
  return `${reason} (in expression: ${expression})`;
}
