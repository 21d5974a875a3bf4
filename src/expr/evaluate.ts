import { data, Evaluator } from '@actions/expressions';
import type { Expr } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import type { TemplateValue } from '../workflow/types.ts';
import { ExpressionError } from './errors.ts';
import { CONTEXT_NAMES, findReferences, parseExpression } from './parse.ts';
import type { ContextName } from './parse.ts';
import { fromExpressionData, toExpressionData, toInterpolatedString } from './values.ts';

/** Context name -> its value as plain JavaScript. A missing context evaluates as null. */
export type ExpressionContexts = Partial<Record<ContextName, unknown>>;

/** A function the host provides (status functions, hashFiles), working on plain JavaScript values. */
export interface HostFunction {
  name: string;
  minArgs: number;
  maxArgs: number;
  call: (...args: unknown[]) => unknown;
}

export type HostFunctions = readonly HostFunction[];

/** Evaluates the text inside `${{ }}` and returns the result as plain JavaScript. */
export function evaluateExpression(expression: string, contexts: ExpressionContexts, host: HostFunctions = []): unknown {
  return fromExpressionData(evaluateToData(expression, contexts, host));
}

/** Evaluates a template value: mappings become objects, sequences arrays, expressions their results. */
export function evaluateTemplate(value: TemplateValue, contexts: ExpressionContexts, host: HostFunctions = []): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'sequence':
      return value.items.map((item) => evaluateTemplate(item, contexts, host));
    case 'mapping':
      return Object.fromEntries(value.entries.map((entry) => [entry.key, evaluateTemplate(entry.value, contexts, host)]));
    case 'expression':
      try {
        return evaluateExpression(value.expression, contexts, host);
      } catch (error) {
        if (error instanceof ExpressionError && error.location === undefined) error.location = value.pos;
        throw error;
      }
  }
}

/** Evaluates a template value where a string is needed (see `toInterpolatedString` for non-strings). */
export function evaluateToString(value: TemplateValue, contexts: ExpressionContexts, host: HostFunctions = []): string {
  return toInterpolatedString(evaluateTemplate(value, contexts, host));
}

/**
 * Evaluates an `if` condition (without `${{ }}`) to GitHub's truthiness.
 * The condition is taken as given: normalise it with `ensureStatusFunction` first
 * when it did not come from the workflow parser.
 */
export function evaluateCondition(condition: string, contexts: ExpressionContexts, host: HostFunctions): boolean {
  return truthy(evaluateToData(condition, contexts, host));
}

function evaluateToData(expression: string, contexts: ExpressionContexts, host: HostFunctions): data.ExpressionData {
  const { tree, named, calls } = parsed(expression, host);
  const contextData = contextDictionary(named, contexts);
  // Only the host functions the expression calls: a step's `if` evaluates for every step of every job.
  const functions = new Map<string, FunctionDefinition>();
  for (const fn of host) {
    const name = fn.name.toLowerCase();
    if (calls.has(name)) functions.set(name, toFunctionDefinition(fn));
  }
  try {
    return new Evaluator(tree, contextData, functions).evaluate();
  } catch (error) {
    throw new ExpressionError(expression, evaluationFailure(error), { cause: error });
  }
}

interface ParsedExpression {
  tree: Expr;
  /** The contexts it names, lower-cased. */
  named: ReadonlySet<string>;
  /** The functions it calls, lower-cased. */
  calls: ReadonlySet<string>;
}

/** Trees by the host's functions and the text: the same `if` is evaluated for every job and step. The evaluator does not change a tree. */
const parsedExpressions = new Map<string, ParsedExpression>();
const PARSED_KEPT = 1000;

function parsed(expression: string, host: HostFunctions): ParsedExpression {
  let key = '';
  for (const fn of host) key += `${fn.name}/${fn.minArgs}/${fn.maxArgs},`;
  key += `\0${expression}`;
  let entry = parsedExpressions.get(key);
  if (entry === undefined) {
    const tree = parseExpression(expression, CONTEXT_NAMES, host);
    const references = findReferences(tree, expression);
    const names = (kind: string) => new Set(references.filter((reference) => reference.kind === kind).map((reference) => reference.name.toLowerCase()));
    entry = { tree, named: names('context'), calls: names('function') };
    if (parsedExpressions.size >= PARSED_KEPT) parsedExpressions.clear();
    parsedExpressions.set(key, entry);
  }
  return entry;
}

/** Converts only the contexts the expression names: `github.event` can be large. */
function contextDictionary(named: ReadonlySet<string>, contexts: ExpressionContexts): data.Dictionary {
  if (named.size === 0) return noContexts();
  const dictionary = new data.Dictionary();
  for (const name of CONTEXT_NAMES) {
    dictionary.add(name, named.has(name) ? toExpressionData(contexts[name]) : new data.Null());
  }
  return dictionary;
}

let unnamed: data.Dictionary | undefined;

/** The contexts of an expression that names none (`success()`), made once: the evaluator only reads them. */
function noContexts(): data.Dictionary {
  if (unnamed === undefined) {
    unnamed = new data.Dictionary();
    for (const name of CONTEXT_NAMES) unnamed.add(name, new data.Null());
  }
  return unnamed;
}

function toFunctionDefinition(fn: HostFunction): FunctionDefinition {
  return {
    name: fn.name,
    minArgs: fn.minArgs,
    maxArgs: fn.maxArgs,
    call: (...args) => toExpressionData(fn.call(...args.map(fromExpressionData))),
  };
}

function evaluationFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message === 'empty input') return 'fromJSON was given an empty string';
  // fromJSON reports a generic message and keeps the JSON parser's detail as the cause.
  if (error.cause instanceof Error) return `${error.message}: ${error.cause.message}`;
  return error.message;
}
