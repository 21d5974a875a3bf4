import type { Position, TemplateValue } from './types.ts';

export interface WrittenExpression {
  expression: string;
  pos?: Position;
}

/** Every expression inside a template value, depth first. */
export function expressionsIn(value: TemplateValue | undefined): WrittenExpression[] {
  if (!value) return [];
  switch (value.kind) {
    case 'literal':
      return [];
    case 'expression':
      return [{ expression: value.expression, pos: value.pos }];
    case 'sequence':
      return value.items.flatMap(expressionsIn);
    case 'mapping':
      return value.entries.flatMap((entry) => expressionsIn(entry.value));
  }
}

/** The plain value of a template that holds no expression; undefined when it holds one. */
export function literalValue(value: TemplateValue): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'expression':
      return undefined;
    case 'sequence': {
      const items = value.items.map(literalValue);
      return items.includes(undefined) ? undefined : items;
    }
    case 'mapping': {
      const entries = value.entries.map((entry) => [entry.key, literalValue(entry.value)] as const);
      return entries.some(([, v]) => v === undefined) ? undefined : Object.fromEntries(entries);
    }
  }
}
