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

describe('reusable workflows: matrix callers, nesting, inherit, caller if, other repositories', () => {
  it('runs one call per caller leg, nested calls, inherited secrets, and skips a call whose if is false', async () => {
    const repo = await workflowRepo({
      'inner.yml': `
        on:
          workflow_call:
            inputs:
              level: { type: string, required: true }
        jobs:
          deep:
            runs-on: ubuntu-latest
            steps:
              - run: echo "deep \${{ inputs.level }} secret=\${{ secrets.SHARED }}"
      `,
      'outer.yml': `
        on:
          workflow_call:
            inputs:
              os: { type: string, required: true }
        jobs:
          show:
            runs-on: ubuntu-latest
            steps:
              - run: echo "outer \${{ inputs.os }}"
          nested:
            needs: show
            uses: ./.github/workflows/inner.yml
            with:
              level: nested-\${{ inputs.os }}
            secrets: inherit
      `,
      'caller.yml': `
        on: push
        jobs:
          fan:
            strategy:
              matrix:
                os: [linux, mac]
            uses: ./.github/workflows/outer.yml
            with:
              os: \${{ matrix.os }}
            secrets: inherit
          never:
            if: github.ref == 'refs/heads/nope'
            uses: ./.github/workflows/inner.yml
            with:
              level: never
      `,
    });
    try {
      const run = await gantryRun(repo, ['--secret', 'SHARED=shared-secret-value']);
      assert.equal(run.code, 0, run.stdout);
      const jobs = run.report!.workflows[0]!.jobs.map((j) => [j.id, j.name, j.conclusion]);
      assert.deepEqual(jobs, [
        ['fan/show', 'fan (linux) / show', 'success'],
        ['fan/show', 'fan (mac) / show', 'success'],
        ['fan/nested/deep', 'fan (linux) / nested / deep', 'success'],
        ['fan/nested/deep', 'fan (mac) / nested / deep', 'success'],
        ['never/deep', 'never / deep', 'skipped'],
      ]);
      assert.match(run.stdout, /outer linux/);
      assert.match(run.stdout, /deep nested-mac secret=\*\*\*/);
      assert.doesNotMatch(run.stdout, /deep never/);
      assert.doesNotMatch(run.stdout + run.reportText, /shared-secret-value/);
    } finally {
      await repo.remove();
    }
  });

  it('fetches a reusable workflow of another repository through the action store from a loopback git server', async () => {
    const { startGitDaemon } = await import('../actions/store/git-server.ts');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { createRepo } = await import('../support/git-repo.ts');
    const root = await mkdtemp(path.join(tmpdir(), 'gantry-served-'));
    const cache = await mkdtemp(path.join(tmpdir(), 'gantry-cache-'));
    const shared = await createRepo({
      '.github/workflows/shared.yml': dedent(`
        on:
          workflow_call:
            inputs:
              name: { type: string, default: remote }
            outputs:
              said:
                value: \${{ jobs.say.outputs.said }}
        jobs:
          say:
            runs-on: ubuntu-latest
            outputs:
              said: \${{ steps.s.outputs.said }}
            steps:
              - id: s
                run: echo "said=hello \${{ inputs.name }}" >> "$GITHUB_OUTPUT"
      `),
    });
    await shared.git('tag', 'v1');
    await shared.git('clone', '-q', '--bare', shared.dir, path.join(root, 'acme', 'shared'));
    const daemon = await startGitDaemon(root);
    const repo = await workflowRepo({
      'caller.yml': `
        on: push
        jobs:
          remote:
            uses: acme/shared/.github/workflows/shared.yml@v1
            with:
              name: gantry
          after:
            needs: remote
            runs-on: ubuntu-latest
            steps:
              - run: echo "remote said \${{ needs.remote.outputs.said }}"
      `,
    });
    try {
      const run = await gantryRun(repo, ['--actions-url', daemon.url], { XDG_CACHE_HOME: cache });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /remote said hello gantry/);
      await daemon.stop();
      const plan = await runGantry(['plan', '-C', repo.dir, '--offline', '--actions-url', daemon.url], { env: { XDG_CACHE_HOME: cache } });
      assert.match(plan.stdout, /remote \/ say/);
    } finally {
      await daemon.stop();
      await repo.remove();
      await shared.remove();
      await rm(root, { recursive: true, force: true });
      await rm(cache, { recursive: true, force: true });
    }
  });
});

describe('reusable workflow limits', () => {
  it('reports calls nested more than ten levels deep and more than 50 unique called workflows', async () => {
    const files: Record<string, string> = {};
    for (let level = 1; level <= 11; level++) {
      files[`level-${level}.yml`] = `
        on: workflow_call
        jobs:
          next:
            uses: ./.github/workflows/level-${level + 1}.yml
      `;
    }
    files['level-12.yml'] = `
      on: workflow_call
      jobs:
        leaf: { runs-on: x, steps: [{ run: echo }] }
    `;
    const wide = Array.from({ length: 51 }, (_, i) => `  call${i}:\n    uses: ./.github/workflows/leaf-${i}.yml\n`).join('');
    for (let i = 0; i < 51; i++) files[`leaf-${i}.yml`] = files['level-12.yml'];
    files['deep.yml'] = `
      on: push
      jobs:
        start:
          uses: ./.github/workflows/level-1.yml
    `;
    const repo = await workflowRepo(files, { '.github/workflows/wide.yml': `on: push\njobs:\n${wide}` });
    try {
      const result = await runGantry(['lint', '.github/workflows/deep.yml', '.github/workflows/wide.yml', '--format', 'json'], { cwd: repo.dir });
      const messages = (JSON.parse(result.stdout) as { message: string }[]).map((d) => d.message);
      assert.ok(messages.some((m) => /nested more than 10 levels deep/.test(m)), messages.join('\n'));
      assert.ok(messages.some((m) => /calls 51 unique reusable workflows .* GitHub allows 50/.test(m)), messages.join('\n'));
    } finally {
      await repo.remove();
    }
  });
});

/** A call of two jobs, one after the other, that print when they start and end; the first sleeps `seconds`. */
const SLOW_CALL = `
  on:
    workflow_call:
      inputs:
        name: { type: string, required: true }
        seconds: { type: number, default: 0.3 }
  jobs:
    first:
      runs-on: ubuntu-latest
      steps:
        - run: echo "start \${{ inputs.name }} $(date +%s%N)"; sleep \${{ inputs.seconds }}
    second:
      needs: first
      runs-on: ubuntu-latest
      steps:
        - run: sleep 0.3; echo "end \${{ inputs.name }} $(date +%s%N)"
`;

describe('concurrency of a calling job', () => {
  it('holds the group for the whole call: a second call of the same group waits for the first to finish', async () => {
    const repo = await workflowRepo({
      'slow.yml': SLOW_CALL,
      'caller.yml': `
        on: push
        jobs:
          one:
            concurrency: deploy
            uses: ./.github/workflows/slow.yml
            with: { name: one }
          two:
            concurrency: deploy
            uses: ./.github/workflows/slow.yml
            with: { name: two }
      `,
    });
    try {
      const run = await gantryRun(repo);
      assert.equal(run.code, 0, run.stdout);
      const at = (what: string, name: string) => Number(run.stdout.match(new RegExp(`${what} ${name} (\\d+)`))![1]);
      const [first, second] = at('start', 'one') < at('start', 'two') ? ['one', 'two'] : ['two', 'one'];
      assert.ok(at('end', first) <= at('start', second), 'the second call started before the first call ended');
    } finally {
      await repo.remove();
    }
  });

  it('cancel-in-progress cancels the running call of the group when a later call takes it', async () => {
    const repo = await workflowRepo({
      'slow.yml': SLOW_CALL,
      'caller.yml': `
        on: push
        jobs:
          one:
            concurrency: { group: deploy, cancel-in-progress: true }
            uses: ./.github/workflows/slow.yml
            with: { name: one, seconds: 20 }
          wait:
            runs-on: ubuntu-latest
            steps:
              - run: sleep 1
          two:
            needs: wait
            concurrency: { group: deploy, cancel-in-progress: true }
            uses: ./.github/workflows/slow.yml
            with: { name: two }
      `,
    });
    const run = gantryRun(repo);
    try {
      // The second call takes the group about a second in, while the first one's first step sleeps.
      const outcome = await Promise.race([run, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 15_000).unref())]);
      assert.notEqual(outcome, 'late', 'the first call was not cancelled: the run waited for its step');
      const stdout = outcome === 'late' ? '' : outcome.stdout;
      assert.match(stdout, /\| start one \d+$/m);
      assert.doesNotMatch(stdout, /\| end one \d+$/m);
      assert.match(stdout, /\| end two \d+$/m);
    } finally {
      await run.catch(() => undefined);
      await repo.remove();
    }
  });
});

