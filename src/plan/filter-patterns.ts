// GitHub's filter patterns for branches, tags, paths and workflow names, as the
// "Filter pattern cheat sheet" defines them:
//   *   any characters except `/`        **  any characters, `/` included
//   ?   zero or one of the preceding character
//   +   one or more of the preceding character
//   []  one character from a list or range (alphanumerics and a-z, A-Z, 0-9 ranges only)
//   !   at the start: negates the pattern; patterns are checked in order and the last match wins
//   \   makes the next character literal
// Everything else is literal, so `{a,b}`, `(x)` or `@` mean themselves.
//
// picomatch is deliberately not used: its `?` matches any one character, `dir/**`
// also matches `dir` itself, and `**` inside a segment (`releases/**-alpha`,
// `v1.**`) does not cross `/`, so every one of those would need rewriting. A
// direct translation to an anchored RegExp keeps GitHub's meaning exact.

export class InvalidPatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`invalid filter pattern '${pattern}': ${reason}`);
    this.name = 'InvalidPatternError';
  }
}

export interface CompiledPattern {
  /** The pattern as written, `!` included. */
  source: string;
  negated: boolean;
  regex: RegExp;
}

/** Returns why `pattern` is invalid, or undefined when it is valid. */
export function validatePattern(pattern: string): string | undefined {
  const translated = translate(pattern);
  return 'error' in translated ? translated.error : undefined;
}

/** Compiles one pattern; throws InvalidPatternError when it is invalid. */
export function compilePattern(pattern: string): CompiledPattern {
  const cached = compiledCache.get(pattern);
  if (cached) return cached;
  const translated = translate(pattern);
  if ('error' in translated) throw new InvalidPatternError(pattern, translated.error);
  const compiled = { source: pattern, negated: translated.negated, regex: new RegExp(`^${translated.regex}$`, 'u') };
  compiledCache.set(pattern, compiled);
  return compiled;
}

const compiledCache = new Map<string, CompiledPattern>();

/**
 * The pattern that decides whether `value` is included: the last one that
 * matches it. Undefined when none matches (the value is then excluded).
 */
export function decidingPattern(value: string, patterns: readonly string[]): CompiledPattern | undefined {
  let decider: CompiledPattern | undefined;
  for (const pattern of patterns) {
    const compiled = compilePattern(pattern);
    if (compiled.regex.test(value)) decider = compiled;
  }
  return decider;
}

/** True when the last pattern matching `value` is a positive one. */
export function matchesFilters(value: string, patterns: readonly string[]): boolean {
  const decider = decidingPattern(value, patterns);
  return decider !== undefined && !decider.negated;
}

/** True when at least one file is included by `patterns` (the `paths` rule). */
export function matchesAnyPath(files: readonly string[], patterns: readonly string[]): boolean {
  return files.some((file) => matchesFilters(file, patterns));
}

/** True when every file is excluded by `ignorePatterns` (the `paths-ignore` rule that stops a run). */
export function allPathsIgnored(files: readonly string[], ignorePatterns: readonly string[]): boolean {
  return files.every((file) => matchesFilters(file, ignorePatterns));
}

type Translation = { negated: boolean; regex: string } | { error: string };

function translate(pattern: string): Translation {
  if (pattern === '') return { error: 'a pattern cannot be empty' };
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  if (body === '') return { error: "'!' must be followed by a pattern to negate" };
  const translated = translateBody(Array.from(body));
  return 'error' in translated ? translated : { negated, regex: translated.regex };
}

/**
 * Walks the pattern once. `quantifiable` records whether the previous token
 * is a single character (or class) that `?` and `+` may apply to.
 */
function translateBody(chars: string[]): { regex: string } | { error: string } {
  let regex = '';
  let quantifiable = false;
  let index = 0;
  while (index < chars.length) {
    const char = chars[index] as string;
    if (char === '\\') {
      const escaped = chars[index + 1];
      if (escaped === undefined) return { error: "'\\' at the end escapes nothing" };
      regex += escapeRegex(escaped);
      quantifiable = true;
      index += 2;
    } else if (char === '*') {
      const wildcard = translateWildcard(chars, index);
      regex += wildcard.regex;
      quantifiable = false;
      index += wildcard.length;
    } else if (char === '?' || char === '+') {
      if (!quantifiable) return { error: quantifierError(char, index) };
      regex += char;
      quantifiable = false;
      index += 1;
    } else if (char === '[') {
      const characterClass = translateCharacterClass(chars, index);
      if ('error' in characterClass) return characterClass;
      regex += characterClass.regex;
      quantifiable = true;
      index += characterClass.length;
    } else {
      regex += escapeRegex(char);
      quantifiable = true;
      index += 1;
    }
  }
  return { regex };
}

function translateWildcard(chars: string[], index: number): { regex: string; length: number } {
  if (chars[index + 1] !== '*') return { regex: '[^/]*', length: 1 };
  const startsSegment = index === 0 || chars[index - 1] === '/';
  // `**/` at the start of a segment may match no directory at all, so
  // `**/README.md` matches `README.md` and `docs/**/*.md` matches `docs/a.md`.
  if (startsSegment && chars[index + 2] === '/') return { regex: '(?:.+/)?', length: 3 };
  return { regex: '.*', length: 2 };
}

function quantifierError(quantifier: string, index: number): string {
  const meaning = quantifier === '?' ? 'zero or one' : 'one or more';
  const where = index === 0 ? 'at the start of the pattern' : 'after a wildcard or another quantifier';
  return `'${quantifier}' (${meaning} of the preceding character) cannot appear ${where}; escape it as '\\${quantifier}' to match it literally`;
}

const CLASS_RANGES = [
  ['a', 'z'],
  ['A', 'Z'],
  ['0', '9'],
] as const;

function isAlphanumeric(char: string): boolean {
  return CLASS_RANGES.some(([low, high]) => char >= low && char <= high);
}

function isValidRange(start: string, end: string): boolean {
  return CLASS_RANGES.some(([low, high]) => start >= low && end <= high && start <= end);
}

function translateCharacterClass(chars: string[], open: number): { regex: string; length: number } | { error: string } {
  const close = chars.indexOf(']', open + 1);
  if (close === -1) return { error: "'[' is never closed with ']'" };
  if (close === open + 1) return { error: "'[]' is empty: list at least one character" };
  let members = '';
  let index = open + 1;
  while (index < close) {
    const char = chars[index] as string;
    if (!isAlphanumeric(char)) {
      return { error: `'${char}' cannot appear in [...]: brackets may list only letters, digits and the ranges a-z, A-Z, 0-9` };
    }
    if (chars[index + 1] === '-' && index + 2 < close) {
      const end = chars[index + 2] as string;
      if (!isValidRange(char, end)) {
        return { error: `range '${char}-${end}' is invalid: ranges must stay within a-z, A-Z or 0-9 and go upwards` };
      }
      members += `${char}-${end}`;
      index += 3;
    } else {
      members += char;
      index += 1;
    }
  }
  return { regex: `[${members}]`, length: close - open + 1 };
}

function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/u.test(char) ? `\\${char}` : char;
}
