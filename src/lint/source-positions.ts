import type { Position } from '../workflow/types.ts';

/** Where `needle` first appears in `content` at or after `from`; `from` itself when it does not. */
export function locateText(content: string, from: Position, needle: string): Position {
  const lines = content.split('\n');
  for (let index = from.line - 1; index < lines.length; index++) {
    const startColumn = index === from.line - 1 ? from.column - 1 : 0;
    const column = lines[index]!.indexOf(needle, startColumn);
    if (column >= 0) return { line: index + 1, column: column + 1 };
  }
  return from;
}

/** The `${{ ... }}` expressions written in a string, with their inner text. */
export function embeddedExpressions(source: string): { text: string; inner: string }[] {
  return [...source.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((match) => ({ text: match[0], inner: match[1]!.trim() }));
}
