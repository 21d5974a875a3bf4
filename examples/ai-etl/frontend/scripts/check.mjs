// `npm run lint` (node scripts/check.mjs lint) and `npm run type-check`
// (node scripts/check.mjs syntax). The seed runs ESLint and tsc; this frontend has no
// dependencies, so lint checks a few rules of its own, and type-check runs
// `node --check` on every file: syntax only, nothing checks the JSDoc types.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @type {[string, (line: string, file: string) => boolean][]} */
const LINT_RULES = [
  ['trailing whitespace', (line) => /\s$/.test(line)],
  ['tab indentation', (line) => line.startsWith('\t')],
  ['use const or let, not var', (line) => /^\s*var\s/.test(line)],
  ['line longer than 100 characters', (line) => line.length > 100],
  ['console.log in src/', (line, file) => file.startsWith('src') && line.includes('console.log')],
];

/** @param {string} file @returns {string[]} */
function lint(file) {
  const text = readFileSync(file, 'utf8');
  const problems = text.endsWith('\n') ? [] : [`${file}: no newline at end of file`];
  text.split('\n').forEach((line, index) => {
    for (const [message, applies] of LINT_RULES) {
      if (applies(line, file)) problems.push(`${file}:${index + 1}: ${message}`);
    }
  });
  return problems;
}

/** @param {string} file @returns {string[]} */
function checkSyntax(file) {
  const result = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
  return result.status === 0 ? [] : [result.stderr.trim()];
}

const mode = process.argv[2];
const check = { lint, syntax: checkSyntax }[mode ?? ''];
if (!check) throw new Error('usage: node scripts/check.mjs lint|syntax');
const roots = ['src', 'test', 'e2e', 'scripts'];
const files = roots
  .flatMap((root) => readdirSync(root, { recursive: true }).map((name) => join(root, String(name))))
  .filter((file) => /\.m?js$/.test(file))
  .sort();
const problems = files.flatMap(check);
for (const problem of problems) console.error(problem);
console.log(`${mode}: ${files.length} files, ${problems.length} problems`);
process.exitCode = problems.length ? 1 : 0;
