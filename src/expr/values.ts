import { data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';

/** What an expression can produce, as plain JavaScript. */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

/**
 * Converts a plain JavaScript value into the package's expression data.
 * `undefined` and values JSON cannot hold become null. A JS object reached
 * twice converts to the same instance, which keeps GitHub's "objects are equal
 * only when they are the same instance" rule and survives cycles.
 */
export function toExpressionData(value: unknown): data.ExpressionData {
  return convertIn(value, new Map());
}

function convertIn(value: unknown, seen: Map<object, data.ExpressionData>): data.ExpressionData {
  switch (typeof value) {
    case 'string':
      return new data.StringData(value);
    case 'number':
      return new data.NumberData(value);
    case 'bigint':
      return new data.NumberData(Number(value));
    case 'boolean':
      return new data.BooleanData(value);
    case 'object': {
      if (value === null) return new data.Null();
      const known = seen.get(value);
      if (known) return known;
      if (Array.isArray(value)) {
        const array = new data.Array();
        seen.set(value, array);
        for (const item of value) array.add(convertIn(item, seen));
        return array;
      }
      const dictionary = new data.Dictionary();
      seen.set(value, dictionary);
      for (const [key, item] of Object.entries(value)) dictionary.add(key, convertIn(item, seen));
      return dictionary;
    }
    default:
      return new data.Null();
  }
}

/** Converts expression data back into plain JavaScript (objects keep the key spelling they were given). */
export function fromExpressionData(value: data.ExpressionData): PlainValue {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
    case data.Kind.Number:
    case data.Kind.String:
      return value.value;
    case data.Kind.Array:
      return value.values().map(fromExpressionData);
    case data.Kind.Dictionary:
      return Object.fromEntries(value.pairs().map((pair) => [pair.key, fromExpressionData(pair.value)]));
  }
}

/**
 * GitHub's cast to string for function arguments (`contains`, `format`, `hashFiles`...):
 * null is '', booleans 'true'/'false', numbers in GitHub's number format,
 * arrays 'Array' and objects 'Object'.
 */
export function coerceToString(value: unknown): string {
  return toExpressionData(value).coerceString();
}

/**
 * The text a value becomes when a whole `${{ }}` value lands where a string is
 * needed (an env value, a `run:` script): like `coerceToString`, except that
 * objects and arrays become the same pretty JSON `toJSON()` prints.
 */
export function toInterpolatedString(value: unknown): string {
  const expressionData = toExpressionData(value);
  if (expressionData.primitive) return expressionData.coerceString();
  return JSON.stringify(expressionData, data.replacer, '  ');
}

/** GitHub's truthiness: false, 0, -0, NaN, '' and null are falsy; everything else (objects and arrays included) is truthy. */
export function isTruthy(value: unknown): boolean {
  return truthy(toExpressionData(value));
}
