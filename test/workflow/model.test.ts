import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseWorkflowText } from '../../src/workflow/load.ts';
import type { TemplateValue } from '../../src/workflow/types.ts';

const seedDir = new URL('../../../shared/seed/workflows/', import.meta.url);

async function parse(text: string) {
  return parseWorkflowText('wf.yml', text);
}

function literal(value: TemplateValue | undefined) {
  assert.equal(value?.kind, 'literal');
  return value.value;
}

describe('workflow model', () => {
  it('models the seed CI workflow with its jobs, needs, matrix and services', async () => {
    const loaded = await parseWorkflowText('ci.yml', await readFile(new URL('ci.yml', seedDir), 'utf8'));
    assert.deepEqual(loaded.diagnostics, []);
    const workflow = loaded.workflow!;
    assert.equal(workflow.name, 'Continuous Integration');
    assert.deepEqual(
      workflow.triggers.map((t) => [t.event, t.branches]),
      [
        ['push', ['main', 'develop']],
        ['pull_request', ['main']],
      ],
    );
    assert.deepEqual(
      workflow.jobs.map((j) => [j.id, j.needs]),
      [
        ['backend-test', []],
        ['frontend-test', []],
        ['llm-gateway-test', []],
        ['docker-build', ['backend-test', 'frontend-test', 'llm-gateway-test']],
        ['security-scan', ['docker-build']],
      ],
    );
    const backend = workflow.jobs[0]!;
    assert.equal(backend.strategy?.matrix?.kind, 'mapping');
    assert.equal(backend.services?.kind, 'mapping');
    const setupPython = backend.steps[1]!;
    assert.equal(setupPython.uses, 'actions/setup-python@v4');
    assert.equal(setupPython.with?.kind, 'mapping');
    assert.equal(setupPython.with.entries[0]!.key, 'python-version');
    assert.deepEqual(setupPython.with.entries[0]!.value, {
      kind: 'expression',
      expression: 'matrix.python-version',
      source: '${{ matrix.python-version }}',
      pos: { line: 51, column: 27 },
    });
    const docker = workflow.jobs[3]!;
    assert.deepEqual(
      docker.outputs.map((o) => o.key),
      ['backend-digest', 'frontend-digest', 'llm-gateway-digest'],
    );
  });

  it('keeps every key the converter drops: with, shell, working-directory, timeouts, defaults, permissions', async () => {
    const { workflow, diagnostics } = await parse(`
name: keys
on: push
permissions: read-all
defaults:
  run:
    shell: bash
    working-directory: app
concurrency:
  group: ci-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 7
    continue-on-error: true
    permissions:
      contents: read
      packages: write
    defaults:
      run:
        shell: sh
    environment:
      name: production
      url: https://example.invalid
    steps:
      - id: first
        run: echo hi
        shell: python
        working-directory: sub
        timeout-minutes: 3
        continue-on-error: \${{ github.ref == 'refs/heads/main' }}
        env:
          A: b
`);
    assert.deepEqual(diagnostics, []);
    const job = workflow!.jobs[0]!;
    assert.deepEqual(workflow!.defaults, { shell: 'bash', workingDirectory: 'app' });
    assert.equal(workflow!.permissions, 'read-all');
    assert.equal(workflow!.concurrency?.group.kind, 'expression');
    assert.equal(literal(workflow!.concurrency?.cancelInProgress), true);
    assert.equal(literal(job.timeoutMinutes), 7);
    assert.equal(literal(job.continueOnError), true);
    assert.deepEqual(job.permissions, { contents: 'read', packages: 'write' });
    assert.equal(job.defaults?.shell, 'sh');
    assert.equal(literal(job.environment?.name), 'production');
    assert.equal(literal(job.environment?.url), 'https://example.invalid');
    const step = job.steps[0]!;
    assert.equal(step.id, 'first');
    assert.equal(step.shell, 'python');
    assert.equal(literal(step.workingDirectory), 'sub');
    assert.equal(literal(step.timeoutMinutes), 3);
    assert.equal(step.continueOnError?.kind, 'expression');
  });

  it("applies GitHub's implicit success() to conditions without a status function", async () => {
    const { workflow } = await parse(`
on: push
jobs:
  a:
    runs-on: x
    if: github.ref == 'refs/heads/main'
    steps:
      - run: echo 1
      - run: echo 2
        if: always()
      - run: echo 3
        if: \${{ failure() || github.event_name == 'push' }}
`);
    const job = workflow!.jobs[0]!;
    assert.equal(job.if, "success() && (github.ref == 'refs/heads/main')");
    assert.deepEqual(
      job.steps.map((s) => s.if),
      ['success()', 'always()', "failure() || github.event_name == 'push'"],
    );
  });

  it('decodes block scalars that contain expressions without their YAML indentation', async () => {
    const { workflow } = await parse(`
on: push
jobs:
  a:
    runs-on: x
    steps:
      - run: |
          cat <<EOF
          sha \${{ github.sha }} 'quoted' {braces}
            indented
          EOF
`);
    const run = workflow!.jobs[0]!.steps[0]!.run;
    assert.equal(run?.kind, 'expression');
    assert.equal(
      run.expression,
      "format('cat <<EOF\nsha {0} ''quoted'' {{braces}}\n  indented\nEOF\n', github.sha)",
    );
  });

  it('reads workflow_dispatch inputs with types, defaults, options and required', async () => {
    const { workflow, diagnostics } = await parse(`
on:
  workflow_dispatch:
    inputs:
      level:
        type: choice
        options: [info, debug]
        default: info
        required: true
      dry:
        type: boolean
        default: false
      name:
        description: who
jobs:
  a: { runs-on: x, steps: [{ run: echo }] }
`);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(workflow!.triggers[0]!.inputs, [
      { name: 'level', type: 'choice', required: true, default: 'info', options: ['info', 'debug'] },
      { name: 'dry', type: 'boolean', required: false, default: false },
      { name: 'name', type: 'string', description: 'who', required: false },
    ]);
  });

  it('models reusable-workflow calls with secrets: inherit', async () => {
    const { workflow } = await parse(`
on: push
jobs:
  call:
    uses: ./.github/workflows/reusable.yml
    with: { level: 3 }
    secrets: inherit
`);
    const job = workflow!.jobs[0]!;
    assert.equal(job.call?.uses, './.github/workflows/reusable.yml');
    assert.equal(job.call?.secrets, 'inherit');
    assert.deepEqual(job.steps, []);
  });

  it('reports YAML and schema errors with their line and column, and no model for a non-mapping', async () => {
    const broken = await parse('on: push\njobs:\n  a: [\n');
    assert.equal(broken.workflow, undefined);
    assert.equal(broken.diagnostics[0]?.rule, 'syntax');
    assert.equal(broken.diagnostics[0]?.line, 4);

    const empty = await parse('');
    assert.equal(empty.workflow, undefined);
    assert.equal(empty.diagnostics.length, 1);

    const unknownKey = await parse('on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n');
    const stepz = unknownKey.diagnostics.find((d) => d.message.includes("'stepz'"));
    assert.deepEqual([stepz?.line, stepz?.column, stepz?.rule], [5, 5, 'schema']);
    assert.match(stepz?.hint ?? '', /not a key/);
  });
});
