// Hundreds of damaged workflow files through lint and plan: each one gives
// diagnostics or a plan, never an exception.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lintRules, orderDiagnostics } from '../../src/lint/index.ts';
import { planRun } from '../../src/plan/planner.ts';
import type { RepoEvent } from '../../src/plan/types.ts';
import { parseWorkflowText } from '../../src/workflow/load.ts';
import { runGantry } from '../support/cli.ts';

const seedFiles = ['ci.yml', 'deploy.yml'];

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fragments = [
  '${{', '}}', '${{ matrix.x }}', '${{ secrets.X }}', '${{ needs.nope.outputs.a }}', ':', '- ', '[', ']', '{', '}',
  '"', "'", '&anchor', '*anchor', '!!binary', 'needs: [ghost]', 'needs: security-scan', 'if: ${{ foo( }}',
  'strategy: { matrix: { a: [] } }', 'strategy: { matrix: ${{ fromJSON(needs.a.outputs.m) }} }',
  'runs-on: ${{ matrix.os }}', 'on: { push: { branches: [main], branches-ignore: [x] } }', '\t', '\u0000', 'é', '🚀',
  'schedule: [{ cron: "61 * * * *" }]', 'uses: ./', 'uses: a/b@', 'continue-on-error: maybe', 'timeout-minutes: -1',
];

function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const pick = (n: number) => Math.floor(rand() * n);
  const operations = 1 + pick(3);
  for (let i = 0; i < operations; i++) {
    const at = pick(lines.length);
    const line = lines[at] ?? '';
    switch (pick(7)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, line);
        break;
      case 2:
        lines[at] = ' '.repeat(pick(6)) + line.trimStart();
        break;
      case 3: {
        const column = pick(line.length + 1);
        lines[at] = line.slice(0, column) + fragments[pick(fragments.length)] + line.slice(column);
        break;
      }
      case 4:
        lines[at] = line.replace(/[a-z-]+:/, fragments[pick(fragments.length)]!);
        break;
      case 5:
        lines.length = Math.max(1, at);
        break;
      default:
        lines[at] = line.slice(0, pick(line.length + 1));
    }
  }
  return lines.join('\n');
}

const pushToMain: RepoEvent = {
  name: 'push',
  ref: 'refs/heads/main',
  sha: 'a'.repeat(40),
  changedFiles: ['backend/app.py'],
  payload: { ref: 'refs/heads/main', repository: { full_name: 'acme/etl' }, sender: { login: 'dev' } },
};

async function mutants(count: number, seed: number): Promise<{ name: string; text: string }[]> {
  const sources = await Promise.all(
    seedFiles.map((file) => readFile(new URL(`../../../shared/seed/workflows/${file}`, import.meta.url), 'utf8')),
  );
  const rand = random(seed);
  return Array.from({ length: count }, (_, index) => ({
    name: `mutant-${seed}-${index}.yml`,
    text: mutate(sources[index % sources.length]!, rand),
  }));
}

describe('fuzzing lint and plan with mutated seed workflows', () => {
  it('gives diagnostics with positions or a plan for 400 mutants, never an exception', async () => {
    let broken = 0;
    for (const { name, text } of await mutants(400, 20261128)) {
      const loaded = await parseWorkflowText(name, text);
      const diagnostics = [...loaded.diagnostics];
      if (loaded.workflow) {
        for (const rule of lintRules) diagnostics.push(...rule.check({ workflow: loaded.workflow, content: text }));
        const plan = planRun([loaded], pushToMain);
        diagnostics.push(...plan.workflows[0]!.diagnostics);
      } else {
        assert.ok(diagnostics.length > 0, `${name}: no model and no diagnostic`);
      }
      for (const d of orderDiagnostics(diagnostics)) {
        assert.ok(d.line >= 1 && d.column >= 1, `${name}: diagnostic without a position: ${d.message}`);
        assert.ok(d.message.length > 0 && !/\n\s+at /.test(d.message), `${name}: ${d.message}`);
        assert.doesNotMatch(d.message, /Cannot read properties|is not a function|undefined \(reading/, name);
      }
      if (diagnostics.some((d) => d.severity === 'error')) broken++;
    }
    assert.ok(broken > 200, `most mutants should be broken, got ${broken}`);
  });

  it('the CLI answers 40 mutants with exit 0, 1 or 2 and no stack trace', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gantry-fuzz-'));
    try {
      const folder = path.join(dir, 'workflows');
      await mkdir(folder);
      for (const { name, text } of await mutants(40, 7)) await writeFile(path.join(folder, name), text);
      const lint = await runGantry(['lint', folder]);
      assert.ok([0, 1].includes(lint.code), lint.stderr);
      assert.doesNotMatch(lint.stdout + lint.stderr, /\n\s+at .*\(.*:\d+:\d+\)/);
      const plan = await runGantry(['plan', '-C', dir, '--workflows', folder, '--eventpath', path.join(dir, 'event.json')], {
        cwd: dir,
      });
      // No event file: a usage error, reported in one line.
      assert.equal(plan.code, 2);
      assert.equal(plan.stderr.trim().split('\n').length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
