// The one place that reads @actions/workflow-parser's token tree. Everything it
// returns is our own TemplateValue, so no parser type leaks above this file.

import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
} from '@actions/workflow-parser';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { decodeBlockScalarExpression } from './block-scalars.ts';
import type { MappingEntry, Position, TemplateValue } from './types.ts';

export type { MappingToken, TemplateToken };

export function positionOf(token: TemplateToken | undefined): Position {
  const start = token?.range?.start;
  return start ? { line: start.line, column: start.column } : { line: 1, column: 1 };
}

export function toTemplateValue(token: TemplateToken): TemplateValue {
  const pos = positionOf(token);
  if (isBasicExpression(token)) {
    const expression =
      (token.blockScalarHeader && token.source
        ? decodeBlockScalarExpression(token.blockScalarHeader, token.source)
        : undefined) ?? token.expression;
    return { kind: 'expression', expression, source: token.source, pos };
  }
  if (isString(token)) return { kind: 'literal', value: token.value, pos };
  if (isNumber(token)) return { kind: 'literal', value: token.value, pos };
  if (isBoolean(token)) return { kind: 'literal', value: token.value, pos };
  if (isSequence(token)) return { kind: 'sequence', items: [...token].map(toTemplateValue), pos };
  if (isMapping(token)) return { kind: 'mapping', entries: mappingEntries(token), pos };
  // Null tokens and `${{ insert }}` directives carry no value of their own.
  return { kind: 'literal', value: null, pos };
}

export function mappingEntries(token: MappingToken): MappingEntry[] {
  return [...token].map((pair) => ({
    key: scalarText(pair.key),
    value: toTemplateValue(pair.value),
    pos: positionOf(pair.key),
  }));
}

/** Text of a scalar token; expressions keep their `${{ }}` form. */
export function scalarText(token: TemplateToken): string {
  if (isBasicExpression(token)) return token.source ?? `\${{ ${token.expression} }}`;
  if (isString(token) || isNumber(token) || isBoolean(token)) return String(token.value);
  return '';
}

/** The value of `key` in a mapping token, if the mapping has it. */
export function field(mapping: MappingToken, key: string): TemplateToken | undefined {
  for (const pair of mapping) {
    if (isString(pair.key) && pair.key.value === key) return pair.value;
  }
  return undefined;
}

export function mappingField(mapping: MappingToken, key: string): MappingToken | undefined {
  const value = field(mapping, key);
  return value && isMapping(value) ? value : undefined;
}

export function stringField(mapping: MappingToken, key: string): string | undefined {
  const value = field(mapping, key);
  return value && isString(value) ? value.value : undefined;
}

export function valueField(mapping: MappingToken, key: string): TemplateValue | undefined {
  const value = field(mapping, key);
  return value ? toTemplateValue(value) : undefined;
}

export function stringList(token: TemplateToken | undefined): string[] {
  if (!token) return [];
  if (isSequence(token)) return [...token].map(scalarText);
  return [scalarText(token)];
}

export function listPositions(token: TemplateToken | undefined): Position[] {
  if (!token) return [];
  return isSequence(token) ? [...token].map(positionOf) : [positionOf(token)];
}
