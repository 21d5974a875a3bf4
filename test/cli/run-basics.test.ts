// `gantry run` end to end: exit codes, the --json report, the log files, and the
// flags that pick what runs (--job, --only, --matrix) or feed it (--input, --var, --env-file).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { conclusions, gantryRun, jobLines, jobOf, logFiles, scratchDir, stepOf, workflowRepo } from '../support/run.ts';

const pipeline = `
  name: Pipeline
  on: [push, workflow_dispatch]
  jobs:
    build:
      runs-on: ubuntu-latest
      strategy:
        matrix:
          target: [linux, wasm]
      outputs:
        artifact: \${{ steps.make.outputs.artifact }}
      steps:
        - name: Make the artifact
          id: make
          run: |
            echo "building \${{ matrix.target }}"
            echo "artifact=app-\${{ matrix.target }}" >> "$GITHUB_OUTPUT"
        - run: echo second step
    test:
      needs: build
      runs-on: ubuntu-latest
      steps:
        - id: check
          run: echo "testing \${{ needs.build.outputs.artifact }}"
`;

const noRunsFolder = (repo: TempRepo) => !existsSync(path.join(repo.dir, '.gantry', 'runs'));

describe('gantry run: basics', { concurrency: true }, () => {
  describe('exit codes, report and logs', { concurrency: true }, () => {
    let repo: TempRepo;
    before(async () => {
      repo = await workflowRepo({ 'pipeline.yml': pipeline });
    });
    after(() => repo.remove());

    it('exits 0 when every job succeeds; the JSON report has one entry per matrix leg with steps and outputs', async () => {
      const run = await gantryRun(repo);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const report = run.report!;
      assert.equal(report.conclusion, 'success');
      assert.equal(report.workflows.length, 1);
      const workflow = report.workflows[0]!;
      assert.deepEqual(
        { file: workflow.file, name: workflow.name, conclusion: workflow.conclusion },
        { file: '.github/workflows/pipeline.yml', name: 'Pipeline', conclusion: 'success' },
      );
      assert.deepEqual(
        workflow.jobs.map((job) => [job.id, job.name, job.matrix, job.conclusion]),
        [
          ['build', 'build (linux)', { target: 'linux' }, 'success'],
          ['build', 'build (wasm)', { target: 'wasm' }, 'success'],
          ['test', 'test', null, 'success'],
        ],
      );
      const linux = jobOf(report, 'build', 0);
      assert.deepEqual(linux.outputs, { artifact: 'app-linux' });
      assert.deepEqual(
        linux.steps.map((step) => ({ id: step.id, name: step.name, outcome: step.outcome, conclusion: step.conclusion, outputs: step.outputs })),
        [
          { id: 'make', name: 'Make the artifact', outcome: 'success', conclusion: 'success', outputs: { artifact: 'app-linux' } },
          { id: '__run', name: 'Run echo second step', outcome: 'success', conclusion: 'success', outputs: {} },
        ],
      );
      // Both legs write the output; the job's outputs are those of the leg that finished last.
      assert.match(stepOf(jobOf(report, 'test'), 'check').name, /^Run echo "testing app-(linux|wasm)"$/);

      // stdout without a terminal: prefixed lines, and the summary.
      assert.ok(jobLines(run.stdout, 'Pipeline', 'build (wasm)').includes('  | building wasm'), run.stdout);
      assert.ok(jobLines(run.stdout, 'Pipeline', 'test').some((line) => /\| testing app-(linux|wasm)$/.test(line)), run.stdout);
      assert.match(run.stdout, /✅ 3 jobs succeeded/);
      assert.ok(run.stdout.includes(`logs: ${report.logDir}`));

      // One log file per job, <runs>/<run id>/<workflow stem>/<job name>.log, its steps one after another.
      assert.equal(report.logDir, path.join(repo.dir, '.gantry', 'runs', report.runId));
      const files = await logFiles(report);
      assert.deepEqual([...files.keys()].filter((file) => file.endsWith('.log')).sort(), ['pipeline/build_(linux).log', 'pipeline/build_(wasm).log', 'pipeline/test.log']);
      const wasm = files.get('pipeline/build_(wasm).log')!.split('\n');
      const section = (name: string) => wasm.findIndex((line) => line.endsWith(`▶ ${name}`));
      assert.ok(section('Make the artifact') >= 0 && section('Make the artifact') < section('Run echo second step'), wasm.join('\n'));
      assert.ok(wasm.slice(section('Make the artifact'), section('Run echo second step')).some((line) => line.endsWith(' building wasm')), wasm.join('\n'));
      assert.match(wasm.at(-2)!, /Z job success in \d+ ms$/);
      // A step is named as evaluated, as GitHub shows it.
      assert.match(files.get('pipeline/test.log')!, /▶ Run echo "testing app-(linux|wasm)"\n/);
    });

    it('exits 1 when a job fails, and the report and summary say which', async () => {
      const failing = await workflowRepo({
        'ci.yml': `
          name: CI
          on: push
          jobs:
            good:
              runs-on: ubuntu-latest
              steps:
                - run: 'true'
            bad:
              runs-on: ubuntu-latest
              steps:
                - id: boom
                  run: exit 3
                - id: after
                  run: echo never
        `,
      });
      try {
        const run = await gantryRun(failing);
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.report!.conclusion, 'failure');
        assert.equal(run.report!.workflows[0]!.conclusion, 'failure');
        assert.deepEqual(conclusions(run.report!), { good: 'success', bad: 'failure' });
        const bad = jobOf(run.report!, 'bad');
        assert.deepEqual(
          bad.steps.map((s) => [s.id, s.outcome, s.conclusion]),
          [
            ['boom', 'failure', 'failure'],
            ['after', 'skipped', 'skipped'],
          ],
        );
        assert.ok(jobLines(run.stdout, 'CI', 'bad').some((line) => line.includes('Process completed with exit code 3')), run.stdout);
        assert.match(run.stdout, /❌ 1 of 2 jobs failed .*\(bad\)/);
      } finally {
        await failing.remove();
      }
    });

    it('exits 2 for --jobs 0 and runs nothing', async () => {
      const run = await gantryRun(repo, ['--jobs', '0']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--jobs expects a whole number of at least 1, got "0"/);
      assert.equal(run.report, undefined);
    });

    it('exits 2, before running anything, when --json names a folder that does not exist', async () => {
      const fresh = await workflowRepo({ 'pipeline.yml': pipeline });
      try {
        const missing = path.join(fresh.dir, 'no-such-folder', 'report.json');
        const run = await gantryRun(fresh, ['--json', missing]);
        assert.equal(run.code, 2, run.stdout);
        assert.equal(run.stderr, `gantry: --json ${missing}: there is no folder ${path.dirname(missing)} to write the report in\n`);
        assert.ok(noRunsFolder(fresh));
      } finally {
        await fresh.remove();
      }
    });

    it('exits 2 for an unknown --job and names the jobs there are', async () => {
      const run = await gantryRun(repo, ['--job', 'deploy']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--job deploy: no such job in the triggered workflows \(jobs: build, test\)/);
      assert.equal(run.report, undefined);
    });

    it('exits 2 for a workflow with errors, printing the diagnostic as file:line:col, and runs none of the workflows', async () => {
      const marks = await scratchDir();
      const broken = await workflowRepo({
        'good.yml': `
          name: Good
          on: push
          jobs:
            fine:
              runs-on: ubuntu-latest
              steps:
                - run: touch "$MARKS/ran"
        `,
        'broken.yml': `
          name: Broken
          on: push
          jobs:
            build:
              runs-on: ubuntu-latest
              steps:
                - run: echo build
            deploy:
              runs-on: ubuntu-latest
              needs: [biuld]
              steps:
                - run: echo deploy
        `,
      });
      try {
        const run = await gantryRun(broken, [], { MARKS: marks.dir });
        assert.equal(run.code, 2, run.stdout);
        assert.match(run.stderr, /^\.github\/workflows\/broken\.yml:\d+:\d+: error: .*biuld/m);
        assert.doesNotMatch(run.stderr, /\n {4}at /);
        assert.equal(existsSync(path.join(marks.dir, 'ran')), false);
        assert.ok(noRunsFolder(broken));
      } finally {
        await Promise.all([broken.remove(), marks.remove()]);
      }
    });

    it('--dry-run shows the plan and runs nothing', async () => {
      const fresh = await workflowRepo({ 'pipeline.yml': pipeline });
      try {
        const run = await gantryRun(fresh, ['--dry-run']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /build \(linux\)/);
        assert.match(run.stdout, /build \(wasm\)/);
        assert.doesNotMatch(run.stdout, /building/);
        assert.equal(run.report, undefined);
        assert.ok(noRunsFolder(fresh));
      } finally {
        await fresh.remove();
      }
    });

    it('says there is nothing to run when the event triggers no workflow, and exits 0', async () => {
      const run = await gantryRun(repo, ['--event', 'pull_request', '--base', 'main']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /nothing to run: no workflow is triggered by this event/);
      assert.equal(run.report, undefined);
    });
  });

  describe('choosing what runs', { concurrency: true }, () => {
    let repo: TempRepo;
    before(async () => {
      repo = await workflowRepo({
        'chain.yml': `
          name: Chain
          on: push
          jobs:
            setup:
              runs-on: ubuntu-latest
              outputs:
                value: \${{ steps.s.outputs.value }}
              steps:
                - id: s
                  run: echo "value=from-setup" >> "$GITHUB_OUTPUT"
            build:
              needs: setup
              runs-on: ubuntu-latest
              strategy:
                matrix:
                  os: [linux, mac]
                  flavour: [plain, debug]
              steps:
                - id: b
                  run: echo "got=\${{ needs.setup.outputs.value }}" >> "$GITHUB_OUTPUT"
            deploy:
              needs: build
              runs-on: ubuntu-latest
              steps:
                - run: echo deploy
            unrelated:
              runs-on: ubuntu-latest
              steps:
                - run: echo unrelated
        `,
      });
    });
    after(() => repo.remove());

    it('--job runs the job and the jobs it needs, nothing else', async () => {
      const run = await gantryRun(repo, ['--job', 'build']);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.deepEqual(Object.keys(conclusions(run.report!)), [
        'setup',
        'build (linux, plain)',
        'build (linux, debug)',
        'build (mac, plain)',
        'build (mac, debug)',
      ]);
      assert.equal(stepOf(jobOf(run.report!, 'build', 3), 'b').outputs.got, 'from-setup');
    });

    it('--job with --only runs just that job; what it needs is absent, so needs.<id> is empty', async () => {
      const run = await gantryRun(repo, ['--job', 'build', '--only', '--matrix', 'os:mac', '--matrix', 'flavour:debug']);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.deepEqual(conclusions(run.report!), { 'build (mac, debug)': 'success' });
      assert.equal(stepOf(jobOf(run.report!, 'build'), 'b').outputs.got, '');
    });

    it('--matrix key:value keeps only the matching legs', async () => {
      const run = await gantryRun(repo, ['--matrix', 'os:linux']);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.deepEqual(Object.keys(conclusions(run.report!)).sort(), ['build (linux, debug)', 'build (linux, plain)', 'deploy', 'setup', 'unrelated']);
    });
  });

  describe('inputs, variables and --env-file', { concurrency: true }, () => {
    it('--input feeds workflow_dispatch inputs (typed, with defaults), --var the vars context, --env-file every step', async () => {
      const repo = await workflowRepo({
        'manual.yml': `
          name: Manual
          on:
            workflow_dispatch:
              inputs:
                target:
                  required: true
                  type: choice
                  options: [staging, production]
                dry:
                  type: boolean
                  default: true
                note:
                  default: nothing to say
          jobs:
            show:
              runs-on: ubuntu-latest
              env:
                FROM_JOB: job-value
              steps:
                - id: s
                  run: |
                    echo "target=\${{ inputs.target }}" >> "$GITHUB_OUTPUT"
                    echo "event-target=\${{ github.event.inputs.target }}" >> "$GITHUB_OUTPUT"
                    echo "dry=\${{ inputs.dry == true }}" >> "$GITHUB_OUTPUT"
                    echo "note=\${{ inputs.note }}" >> "$GITHUB_OUTPUT"
                    echo "region=\${{ vars.REGION }}" >> "$GITHUB_OUTPUT"
                    echo "missing=[\${{ vars.MISSING }}]" >> "$GITHUB_OUTPUT"
                    echo "from-file=$FROM_FILE" >> "$GITHUB_OUTPUT"
                    echo "quoted=$QUOTED" >> "$GITHUB_OUTPUT"
                    echo "overridden=$FROM_JOB" >> "$GITHUB_OUTPUT"
        `,
      });
      try {
        const envFile = path.join(repo.dir, '.gantry-test.env');
        await writeFile(envFile, 'FROM_FILE=file-value\nQUOTED="two words"\nFROM_JOB=file-loses\n');
        const run = await gantryRun(repo, [
          '--event',
          'workflow_dispatch',
          '--input',
          'target=production',
          '--input',
          'dry=false',
          '--var',
          'REGION=eu-west-1',
          '--env-file',
          envFile,
        ]);
        assert.equal(run.code, 0, run.stderr + run.stdout);
        assert.deepEqual(stepOf(jobOf(run.report!, 'show'), 's').outputs, {
          target: 'production',
          'event-target': 'production',
          dry: 'false',
          note: 'nothing to say',
          region: 'eu-west-1',
          missing: '[]',
          'from-file': 'file-value',
          quoted: 'two words',
          overridden: 'job-value',
        });
      } finally {
        await repo.remove();
      }
    });

    it('a workflow_dispatch without a required input is refused (exit 2, as GitHub refuses the dispatch)', async () => {
      const repo = await workflowRepo({
        'manual.yml': `
          name: Manual
          on:
            workflow_dispatch:
              inputs:
                target:
                  required: true
                  type: string
          jobs:
            show:
              runs-on: ubuntu-latest
              steps:
                - run: echo \${{ inputs.target }}
        `,
      });
      try {
        const run = await gantryRun(repo, ['--event', 'workflow_dispatch']);
        assert.equal(run.code, 2, run.stdout);
        assert.match(run.stderr, /manual\.yml:\d+:\d+: error: input 'target' is required but was not provided/);
        assert.equal(run.report, undefined);
      } finally {
        await repo.remove();
      }
    });
  });
});
