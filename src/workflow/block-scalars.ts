// @actions/workflow-parser 0.3.x builds the format() call of a block scalar
// (`run: |`) that contains `${{ }}` from the raw source lines, so every line keeps
// its YAML indentation and folding (`>`) is not applied. A step script with a
// heredoc or Python code would then break. We decode the block with `yaml` and
// rebuild the format() call from the decoded text.

import { parse } from 'yaml';

const expressionPattern = /\$\{\{([\s\S]*?)\}\}/g;

export function decodeBlockScalarExpression(header: string, source: string): string | undefined {
  let decoded: unknown;
  try {
    decoded = (parse(`value: ${header}\n${source}`) as { value?: unknown }).value;
  } catch {
    return undefined;
  }
  return typeof decoded === 'string' ? toFormatCall(decoded) : undefined;
}

/** `a ${{ x }} b` -> `format('a {0} b', x)`; a lone expression stays as it is. */
export function toFormatCall(text: string): string {
  const args: string[] = [];
  let literal = '';
  let last = 0;
  for (const match of text.matchAll(expressionPattern)) {
    literal += escapeFormatLiteral(text.slice(last, match.index));
    literal += `{${args.length}}`;
    args.push(match[1]!.trim());
    last = match.index! + match[0].length;
  }
  literal += escapeFormatLiteral(text.slice(last));
  if (args.length === 1 && literal === '{0}') return args[0]!;
  return `format('${literal}'${args.map((arg) => `, ${arg}`).join('')})`;
}

function escapeFormatLiteral(text: string): string {
  return text.replaceAll("'", "''").replaceAll('{', '{{').replaceAll('}', '}}');
}
