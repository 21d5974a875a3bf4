import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../support/cli.ts';
import type { TempRepo } from '../support/git-repo.ts';
import { dedent, gantryRun, workflowRepo } from '../support/run.ts';

const build = `
  name: Build
  on:
    workflow_call:
      inputs:
        version: { type: string, required: true }
        target: { type: string, default: linux }
        retries: { type: number, default: 1 }
      secrets:
        token: { required: true }
  jobs:
    compile:
      runs-on: ubuntu-latest
      steps: [{ run: echo compile }]
    test:
      needs: compile
      runs-on: \${{ inputs.target == 'mac' && 'macos-latest' || 'ubuntu-latest' }}
      steps: [{ run: echo test }]
`;

describe('reusable workflows in plan and lint', () => {
  let repo: TempRepo;
  before(async () => {
    repo = await workflowRepo({
      'build.yml': build,
      'caller.yml': `
        name: Caller
        on: push
        jobs:
          prepare:
            runs-on: ubuntu-latest
            steps: [{ run: echo }]
          build:
            needs: prepare
            strategy:
              matrix:
                target: [linux, mac]
            uses: ./.github/workflows/build.yml
            with:
              version: '1.0'
              target: \${{ matrix.target }}
            secrets: inherit
          publish:
            needs: build
            runs-on: ubuntu-latest
            steps: [{ run: echo }]
      `,
    });
  });
  after(() => repo.remove());

  it('plans a call as the called jobs, per leg of the caller, named caller/called', async () => {
    const result = await runGantry(['plan', '-C', repo.dir, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const caller = (JSON.parse(result.stdout) as { workflows: { name: string; jobs: { id: string; name: string; needs: string[]; runsOn: unknown }[] }[] }).workflows.find(
      (w) => w.name === 'Caller',
    )!;
    assert.deepEqual(
      caller.jobs.map((j) => [j.id, j.name, j.needs, j.runsOn]),
      [
        ['prepare', 'prepare', [], 'ubuntu-latest'],
        ['build/compile', 'build (linux) / compile', ['prepare'], 'ubuntu-latest'],
        ['build/test', 'build (linux) / test', ['build/compile'], 'ubuntu-latest'],
        ['build/compile', 'build (mac) / compile', ['prepare'], 'ubuntu-latest'],
        ['build/test', 'build (mac) / test', ['build/compile'], 'macos-latest'],
        ['publish', 'publish', ['build'], 'ubuntu-latest'],
      ],
    );
  });

  it('lint reports wrong calls at the caller: unknown, mistyped and missing inputs, missing secrets, missing files, cycles', async () => {
    const broken = await workflowRepo({
      'build.yml': build,
      'loop-a.yml': `
        on: workflow_call
        jobs:
          again:
            uses: ./.github/workflows/loop-b.yml
      `,
      'loop-b.yml': `
        on: workflow_call
        jobs:
          back:
            uses: ./.github/workflows/loop-a.yml
      `,
      'plain.yml': `
        on: push
        jobs:
          a: { runs-on: x, steps: [{ run: echo }] }
      `,
      'caller.yml': dedent(`
        on: push
        jobs:
          wrong:
            uses: ./.github/workflows/build.yml
            with:
              retries: many
              colour: blue
          nowhere:
            uses: ./.github/workflows/missing.yml
          plain:
            uses: ./.github/workflows/plain.yml
          loop:
            uses: ./.github/workflows/loop-a.yml
      `),
    });
    try {
      const result = await runGantry(['lint', '.github/workflows/caller.yml', '--format', 'json'], { cwd: broken.dir });
      assert.equal(result.code, 1);
      const found = (JSON.parse(result.stdout) as { line: number; column: number; message: string; rule: string }[]).filter(
        (d) => d.rule === 'reusable-workflow',
      );
      const at = (pattern: RegExp) => found.find((d) => pattern.test(d.message));
      assert.deepEqual([at(/input 'retries' .* is a number, but the caller gives the string "many"/)?.line], [6]);
      assert.deepEqual([at(/input 'colour' is not defined/)?.line], [7]);
      assert.ok(at(/requires the input 'version'/), JSON.stringify(found));
      assert.ok(at(/requires the secret 'token'/));
      assert.deepEqual([at(/no reusable workflow at \.\/\.github\/workflows\/missing\.yml/)?.line], [8]);
      assert.ok(at(/plain\.yml has no on\.workflow_call/));
      assert.ok(at(/cycle: .*loop-a\.yml -> .*loop-b\.yml -> .*loop-a\.yml/));
    } finally {
      await broken.remove();
    }
  });
});

describe('gantry run with reusable workflows', () => {
  it("passes inputs (also from needs), secrets, outputs and results as GitHub does, without the caller's env", async () => {
    const repo = await workflowRepo({
      'build.yml': `
        name: Build
        on:
          workflow_call:
            inputs:
              version: { type: string, required: true }
              target: { type: string, default: linux }
              retries: { type: number, default: 1 }
            secrets:
              token: { required: true }
            outputs:
              artifact:
                value: \${{ jobs.compile.outputs.artifact }}
        env:
          CALLED_ENV: from-called
        jobs:
          compile:
            runs-on: ubuntu-latest
            outputs:
              artifact: \${{ steps.a.outputs.name }}
            steps:
              - id: a
                run: |
                  echo "name=app-\${{ inputs.target }}-\${{ inputs.version }}" >> "$GITHUB_OUTPUT"
                  echo "retries \${{ inputs.retries }} token \${{ secrets.token }} caller-env [\${CALLER_ENV:-}] called-env $CALLED_ENV"
          test:
            needs: compile
            runs-on: ubuntu-latest
            steps:
              - run: echo "test \${{ inputs.target }} \${{ needs.compile.outputs.artifact }}"
      `,
      'caller.yml': `
        name: Caller
        on: push
        env:
          CALLER_ENV: from-caller
        jobs:
          prepare:
            runs-on: ubuntu-latest
            outputs:
              version: \${{ steps.v.outputs.version }}
            steps:
              - id: v
                run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
          build:
            needs: prepare
            uses: ./.github/workflows/build.yml
            with:
              version: \${{ needs.prepare.outputs.version }}
              target: mac
            secrets:
              token: \${{ secrets.MY_TOKEN }}
          publish:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - run: echo "publish \${{ needs.build.outputs.artifact }} \${{ needs.build.result }}"
      `,
    });
    try {
      const run = await gantryRun(repo, ['--secret', 'MY_TOKEN=s3cr3t-value']);
      assert.equal(run.code, 0, run.stdout);
      const caller = run.report!.workflows.find((w) => w.name === 'Caller')!;
      assert.deepEqual(
        caller.jobs.map((j) => [j.id, j.name, j.conclusion]),
        [
          ['prepare', 'prepare', 'success'],
          ['build/compile', 'build / compile', 'success'],
          ['build/test', 'build / test', 'success'],
          ['publish', 'publish', 'success'],
        ],
      );
      assert.match(run.stdout, /retries 1 token \*\*\* caller-env \[\] called-env from-called/);
      assert.match(run.stdout, /test mac app-mac-1\.2\.3/);
      assert.match(run.stdout, /publish app-mac-1\.2\.3 success/);
      assert.doesNotMatch(run.stdout + run.reportText, /s3cr3t-value/);
    } finally {
      await repo.remove();
    }
  });

  it('a failing called job fails the caller for the jobs that need it', async () => {
    const repo = await workflowRepo({
      'fail.yml': `
        on: workflow_call
        jobs:
          boom:
            runs-on: ubuntu-latest
            steps: [{ run: exit 3 }]
      `,
      'caller.yml': `
        on: push
        jobs:
          call:
            uses: ./.github/workflows/fail.yml
          after:
            needs: call
            runs-on: ubuntu-latest
            steps: [{ run: echo never }]
          report:
            needs: call
            if: always()
            runs-on: ubuntu-latest
            steps:
              - run: echo "call was \${{ needs.call.result }}"
      `,
    });
    try {
      const run = await gantryRun(repo);
      assert.equal(run.code, 1);
      const conclusions = Object.fromEntries(run.report!.workflows.flatMap((w) => w.jobs.map((j) => [j.id, j.conclusion])));
      assert.deepEqual(conclusions, { 'call/boom': 'failure', after: 'skipped', report: 'success' });
      assert.match(run.stdout, /call was failure/);
    } finally {
      await repo.remove();
    }
  });
});
