// Names and hints for the parser's error messages, so that every diagnostic has
// a stable rule id and, where we know the fix, says what would be right.

const rules: readonly [RegExp, string][] = [
  [/depends on|at least one job with no dependencies|dependency graph/i, 'job-graph'],
  [/named-value|expression|function|Unexpected symbol|Unexpected end/i, 'expression'],
  [/at line \d+, column \d+|Implicit map keys|Nested mappings|must be sufficiently indented|Map keys must be unique/i, 'syntax'],
];

export function ruleFor(message: string): string {
  return rules.find(([pattern]) => pattern.test(message))?.[1] ?? 'schema';
}

const hints: readonly [RegExp, (match: RegExpMatchArray) => string][] = [
  [
    /Unrecognized named-value: '(\w+)'/,
    ([, name]) =>
      `'${name}' is not a context available here; see GitHub's context availability table ` +
      '(e.g. `matrix` and `secrets` are not available in workflow-level `env` or job `if`)',
  ],
  [
    /Unexpected value '(uses|run)'/,
    () => 'a step has either `run:` or `uses:`, not both',
  ],
  [
    /Unexpected value '([^']+)'/,
    ([, key]) => `'${key}' is not a key GitHub's workflow syntax allows here; check its spelling and indentation`,
  ],
  [/depends on unknown job '([^']+)'/, ([, job]) => `define a job '${job}' or remove it from needs`],
  [/creates a cycle/, () => 'remove one of the needs on the cycle'],
  [/Required property is missing: (\S+)/, ([, key]) => `add \`${key}:\``],
];

export function hintFor(message: string): string | undefined {
  for (const [pattern, hint] of hints) {
    const match = message.match(pattern);
    if (match) return hint(match);
  }
  return undefined;
}
