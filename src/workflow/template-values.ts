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
