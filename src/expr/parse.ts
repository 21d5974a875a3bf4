import { ExpressionError as PackageParseError, Lexer, Parser } from '@actions/expressions';
import type { Expr } from '@actions/expressions';
import {
  Binary,
  ContextAccess,
  FunctionCall,
  Grouping,
  IndexAccess,
  Logical,
  Star,
  Unary,
} from '@actions/expressions/ast';
import { MAX_EXPRESSION_LENGTH } from '@actions/expressions/errors';
import type { FunctionInfo } from '@actions/expressions/funcs/info';
import { TokenType } from '@actions/expressions/lexer';
import type { Pos, Token } from '@actions/expressions/lexer';
import { ExpressionError } from './errors.ts';

/** Every context GitHub Actions defines; which of them a workflow key may use is `availability.ts`'s business. */
export const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs',
] as const;

export type ContextName = (typeof CONTEXT_NAMES)[number];

export const STATUS_FUNCTION_NAMES = ['success', 'failure', 'cancelled', 'always'] as const;

/** Functions that exist only where GitHub allows them (see `availability.ts`); all others are built in. */
export const SPECIAL_FUNCTIONS: readonly FunctionInfo[] = [
  ...STATUS_FUNCTION_NAMES.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];

/** A context or function named in an expression, with its one-based position. */
export interface Reference {
  kind: 'context' | 'function';
  /** As written by the user (contexts and functions are case-insensitive). */
  name: string;
  offset: number;
}

/**
 * Lexes and parses `expression`, accepting only the given context names and,
 * beyond the built-in functions, the given extra functions.
 * Throws our `ExpressionError` for anything the user got wrong.
 */
export function parseExpression(
  expression: string,
  contextNames: readonly string[],
  extraFunctions: readonly FunctionInfo[],
): Expr {
  let tree: Expr | undefined;
  try {
    const tokens = lexWithFullQuoteUnescaping(expression);
    tree = new Parser(tokens, [...contextNames], [...extraFunctions]).parse();
  } catch (error) {
    throw toExpressionError(expression, error);
  }
  // The parser returns nothing (typed as a tree) for an expression with no tokens.
  if (tree === undefined) {
    throw new ExpressionError(expression, 'An expression was expected');
  }
  return tree;
}

/** Contexts and functions the expression names, in source order. */
export function findReferences(tree: Expr, expression: string): Reference[] {
  const references: Reference[] = [];
  const visit = (node: Expr): void => {
    if (node instanceof ContextAccess) {
      references.push({ kind: 'context', name: node.name.lexeme, offset: offsetOf(expression, node.name.range.start) });
    } else if (node instanceof FunctionCall) {
      references.push({
        kind: 'function',
        name: node.functionName.lexeme,
        offset: offsetOf(expression, node.functionName.range.start),
      });
      node.args.forEach(visit);
    } else if (node instanceof IndexAccess) {
      visit(node.expr);
      if (!(node.index instanceof Star)) visit(node.index);
    } else if (node instanceof Binary) {
      visit(node.left);
      visit(node.right);
    } else if (node instanceof Logical) {
      node.args.forEach(visit);
    } else if (node instanceof Unary) {
      visit(node.expr);
    } else if (node instanceof Grouping) {
      visit(node.group);
    }
  };
  visit(tree);
  return references.sort((a, b) => a.offset - b.offset);
}

/**
 * The package's lexer unescapes only the first `''` of a string literal; GitHub
 * unescapes all of them (`'It''s ''quoted'''` is `It's 'quoted'`).
 */
function lexWithFullQuoteUnescaping(expression: string): Token[] {
  const { tokens } = new Lexer(expression).lex();
  return tokens.map((token) =>
    token.type === TokenType.STRING ? { ...token, value: token.lexeme.slice(1, -1).replaceAll("''", "'") } : token,
  );
}

const LOCATED_SUFFIX = /^(.*)\. Located at position (\d+) within expression: /s;

function toExpressionError(expression: string, error: unknown): ExpressionError {
  if (error instanceof PackageParseError) {
    return new ExpressionError(expression, error.message, { offset: offsetOf(expression, error.pos), cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'ErrorExceededMaxLength') {
    return new ExpressionError(expression, `Exceeded max expression length ${MAX_EXPRESSION_LENGTH}`, { cause: error });
  }
  // The lexer already words its errors the way GitHub does, position included.
  const located = LOCATED_SUFFIX.exec(message);
  if (located?.[1] !== undefined && located[2] !== undefined) {
    return new ExpressionError(expression, located[1], { offset: Number(located[2]), cause: error });
  }
  return new ExpressionError(expression, message, { cause: error });
}

/** Converts the lexer's zero-based line and column into GitHub's one-based position in the whole text. */
function offsetOf(expression: string, pos: Pos): number {
  const lines = expression.split('\n');
  let offset = 0;
  for (let line = 0; line < pos.line && line < lines.length; line++) {
    offset += (lines[line]?.length ?? 0) + 1;
  }
  return offset + pos.column + 1;
}
