// `gantry run` end to end with the built-in cache and artifact actions, and a
// JavaScript action that uses the unmodified npm @actions/cache and
// @actions/artifact: both reach the same services, so each sees what the other stored.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TempRepo } from '../support/git-repo.ts';
import { dedent, gantryRun, jobLines as prefixedLines, jobOf, stepOf, workflowRepo } from '../support/run.ts';

/** A job's lines without the `| ` that marks a step's own output. */
const jobLines = (stdout: string, workflow: string, job: string) => prefixedLines(stdout, workflow, job).map((line) => line.replace(/^\s*\| /, ''));

const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
const toolkit = (name: string, file: string) => pathToFileURL(path.join(modules, '@actions', name, 'lib', file)).href;

/** A node20 action that imports the npm clients from this repository's node_modules (an action folder cannot npm install offline). */
const jsAction = {
  'actions/toolkit/action.yml': dedent(`
    name: Toolkit clients
    inputs:
      mode: { required: true }
      name: { required: true }
    runs:
      using: node20
      main: index.mjs
  `),
  'actions/toolkit/index.mjs': dedent(`
    import * as cache from '${toolkit('cache', 'cache.js')}';
    import { DefaultArtifactClient } from '${toolkit('artifact', 'artifact.js')}';
    import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
    const mode = process.env.INPUT_MODE;
    const name = process.env.INPUT_NAME;
    const output = (key, value) => appendFileSync(process.env.GITHUB_OUTPUT, key + '=' + value + '\\n');
    const client = new DefaultArtifactClient();
    console.log('token ' + process.env.ACTIONS_RUNTIME_TOKEN);
    if (mode === 'save') {
      mkdirSync('js-data', { recursive: true });
      writeFileSync('js-data/from-js.txt', 'saved by @actions/cache');
      output('cache-id', String(await cache.saveCache(['js-data'], name)));
      writeFileSync('js-artifact.txt', 'uploaded by @actions/artifact');
      const { id } = await client.uploadArtifact(name, ['js-artifact.txt'], process.cwd());
      output('artifact-id', String(id));
    } else {
      output('restored', String(await cache.restoreCache(['builtin-data'], name)));
      const { artifact } = await client.getArtifact(name);
      await client.downloadArtifact(artifact.id, { path: 'js-download' });
    }
  `),
};

describe('gantry run with caches and artifacts', () => {
  const cleanup: (() => Promise<void>)[] = [];
  let cacheDir: string;
  before(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'gantry-run-cache-'));
    cleanup.push(() => rm(cacheDir, { recursive: true, force: true }));
  });
  after(async () => {
    for (const step of cleanup) await step();
  });
  const repoWith = async (workflows: Record<string, string>, files: Record<string, string> = {}): Promise<TempRepo> => {
    const repo = await workflowRepo(workflows, files);
    cleanup.push(() => repo.remove());
    return repo;
  };

  it('one job uploads artifacts, a job that needs it downloads them by name, all, by pattern and merged', async () => {
    const repo = await repoWith({
      'ci.yml': `
        name: CI
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: mkdir -p dist/js dist/css other && echo app > dist/js/app.js && echo style > dist/css/site.css && echo x > other/x.txt && echo hidden > dist/.env
              - id: up
                uses: actions/upload-artifact@v4
                with:
                  name: site
                  path: dist/
                  retention-days: 5
              - uses: actions/upload-artifact@v4
                with:
                  name: two-roots
                  path: |
                    dist/js/app.js
                    other/
              - uses: actions/upload-artifact@v4
                with:
                  path: nothing-here/*
              - run: echo "id=\${{ steps.up.outputs.artifact-id }}"
              - run: echo first > again.txt
              - uses: actions/upload-artifact@v4
                with: { name: again, path: again.txt }
              - id: refused
                continue-on-error: true
                uses: actions/upload-artifact@v4
                with: { name: again, path: again.txt }
              - run: echo second > again.txt
              - uses: actions/upload-artifact@v4
                with: { name: again, path: again.txt, overwrite: true }
              - run: echo "refused=\${{ steps.refused.outcome }}"
          test:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - uses: actions/download-artifact@v4
                with:
                  name: site
                  path: got
              - run: cat got/js/app.js got/css/site.css && test ! -e got/.env
              - id: all
                uses: actions/download-artifact@v4
                with:
                  path: all
              - run: find all -type f | sort
              - uses: actions/download-artifact@v4
                with:
                  pattern: "two-*"
                  path: merged
                  merge-multiple: true
              - run: cat merged/dist/js/app.js merged/other/x.txt
              - run: echo "path=\${{ steps.all.outputs.download-path }}"
              - uses: actions/download-artifact@v4
                with: { name: again }
              - run: echo "again=$(cat again.txt)"
      `,
    });
    const run = await gantryRun(repo, ['--cache-dir', cacheDir]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const build = jobLines(run.stdout, 'CI', 'build').join('\n');
    assert.match(build, /No files were found with the provided path: nothing-here\/\*/);
    assert.match(build, /id=1\b/);
    assert.match(build, /refused=failure/);
    assert.match(build, /an artifact named 'again' already exists in this run/);
    const test = jobLines(run.stdout, 'CI', 'test').join('\n');
    assert.match(test, /app\nstyle/);
    assert.match(test, /all\/again\/again.txt\nall\/site\/css\/site.css\nall\/site\/js\/app.js\nall\/two-roots\/dist\/js\/app.js\nall\/two-roots\/other\/x.txt/);
    assert.match(test, /path=.*\/all$/m);
    assert.match(test, /again=second/, 'overwrite replaced it');
    const artifactsDir = path.join(run.report!.logDir, 'artifacts');
    const stored = await readdir(artifactsDir, { recursive: true });
    assert.equal(stored.filter((name) => name.endsWith('.blob')).length, 3, stored.join(', '));
    const described = await Promise.all(
      stored.filter((name) => name.endsWith('.json')).map(async (name) => JSON.parse(await readFile(path.join(artifactsDir, name), 'utf8')) as { name: string; retentionDays?: number }),
    );
    assert.equal(described.find((a) => a.name === 'site')?.retentionDays, 5);
  });

  it('actions/cache misses, saves at the end of the job, and the next run hits', async () => {
    const workflow = {
      'cache.yml': `
        name: Cache
        on: push
        jobs:
          deps:
            runs-on: ubuntu-latest
            steps:
              - id: cache
                uses: actions/cache@v4
                with:
                  path: |
                    deps
                    ~/never-there
                  key: deps-\${{ hashFiles('lock.txt') }}
                  restore-keys: deps-
              - run: echo "hit=[\${{ steps.cache.outputs.cache-hit }}]"
              - if: steps.cache.outputs.cache-hit != 'true'
                run: mkdir -p deps && echo "built once" > deps/lib.txt
              - run: cat deps/lib.txt
      `,
    };
    const repo = await repoWith(workflow, { 'lock.txt': 'v1' });
    const first = await gantryRun(repo, ['--cache-dir', cacheDir]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const firstLines = jobLines(first.stdout, 'Cache', 'deps').join('\n');
    assert.match(firstLines, /hit=\[\]/);
    assert.match(firstLines, /Cache saved with key: deps-/);
    assert.equal(stepOf(jobOf(first.report!, 'deps'), '__post_0').conclusion, 'success');

    const second = await gantryRun(repo, ['--cache-dir', cacheDir]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const secondLines = jobLines(second.stdout, 'Cache', 'deps').join('\n');
    assert.match(secondLines, /hit=\[true\]/);
    assert.match(secondLines, /built once/);
    const firstKey = /Cache saved with key: (deps-[0-9a-f]{64})/.exec(firstLines)?.[1];
    assert.ok(firstKey, 'the key holds hashFiles() of the lock file');
    assert.match(secondLines, new RegExp(`Cache hit occurred on the primary key ${firstKey}, not saving cache`));

    await repo.write('lock.txt', 'v2');
    await repo.commit('new lock');
    const third = await gantryRun(repo, ['--cache-dir', cacheDir]);
    const thirdLines = jobLines(third.stdout, 'Cache', 'deps').join('\n');
    assert.match(thirdLines, /hit=\[false\]/, 'a restore-keys match is not a hit');
    assert.match(thirdLines, new RegExp(`Cache restored from key: ${firstKey}`));
    assert.match(thirdLines, /Cache saved with key: deps-[0-9a-f]{64}/, 'and is saved under the new key');
    assert.doesNotMatch(thirdLines, new RegExp(`Cache saved with key: ${firstKey}`));
  });

  it("scopes caches as GitHub does: a branch reads its own and the default branch's, main never reads a branch's", async () => {
    const repo = await repoWith({
      'scoped.yml': `
        name: Scoped
        on: push
        jobs:
          use:
            runs-on: ubuntu-latest
            steps:
              - id: cache
                uses: actions/cache@v4
                with:
                  path: data
                  key: \${{ vars.KEY }}
              - if: steps.cache.outputs.cache-hit != 'true'
                run: mkdir -p data && echo "\${{ github.ref_name }}" > data/origin.txt
              - run: echo "hit=[\${{ steps.cache.outputs.cache-hit }}] origin=$(cat data/origin.txt)"
      `,
    });
    await repo.git('branch', 'feature');
    const scopedDir = await mkdtemp(path.join(tmpdir(), 'gantry-run-scoped-'));
    cleanup.push(() => rm(scopedDir, { recursive: true, force: true }));
    const use = async (ref: string, key: string) => {
      const run = await gantryRun(repo, ['--cache-dir', scopedDir, '--ref', ref, '--var', `KEY=${key}`]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      return /^hit=\[(\w*)\] origin=(\w+)$/m.exec(jobLines(run.stdout, 'Scoped', 'use').join('\n'))?.slice(1).join(' ');
    };
    assert.equal(await use('main', 'shared'), ' main', 'a miss on main, saved there');
    assert.equal(await use('feature', 'shared'), 'true main', "the branch restores the default branch's entry");
    assert.equal(await use('feature', 'branch-only'), ' feature', 'a miss on the branch, saved to the branch');
    assert.equal(await use('main', 'branch-only'), ' main', "main does not see the branch's entry");
    assert.equal(await use('feature', 'branch-only'), 'true feature');
  });

  it("lets a pull request restore its base branch's caches and saves to the pull request's own ref", async () => {
    const repo = await repoWith({
      'pr.yml': `
        name: PR
        on: [push, pull_request]
        jobs:
          use:
            runs-on: ubuntu-latest
            steps:
              - id: cache
                uses: actions/cache@v4
                with:
                  path: data
                  key: \${{ vars.KEY }}
              - if: steps.cache.outputs.cache-hit != 'true'
                run: mkdir -p data && echo "\${{ github.ref }}" > data/origin.txt
              - run: echo "hit=[\${{ steps.cache.outputs.cache-hit }}] origin=$(cat data/origin.txt)"
      `,
    });
    await repo.git('branch', 'develop');
    await repo.git('checkout', '-q', '-b', 'topic');
    await repo.write('change.txt', 'topic work');
    await repo.commit('topic work');
    await repo.git('checkout', '-q', 'main');
    const prDir = await mkdtemp(path.join(tmpdir(), 'gantry-run-pr-'));
    cleanup.push(() => rm(prDir, { recursive: true, force: true }));
    const use = async (args: string[], key: string) => {
      const run = await gantryRun(repo, ['--cache-dir', prDir, '--var', `KEY=${key}`, ...args]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      return /^hit=\[(\w*)\] origin=(\S+)$/m.exec(jobLines(run.stdout, 'PR', 'use').join('\n'))?.slice(1).join(' ');
    };
    assert.equal(await use(['--ref', 'develop'], 'from-base'), ' refs/heads/develop');
    const pullRequest = ['--event', 'pull_request', '--base', 'develop', '--head', 'topic'];
    assert.equal(await use(pullRequest, 'from-base'), 'true refs/heads/develop', "the base branch's entry");
    const saved = await use(pullRequest, 'pr-only');
    assert.match(saved ?? '', /^ refs\/pull\/\d+\/merge$/, 'a miss, saved to the pull request ref');
    assert.equal(await use(['--ref', 'develop'], 'pr-only'), ' refs/heads/develop', "the base branch does not see the pull request's entry");
  });

  it('does not save when the job failed, and fail-on-cache-miss fails the step', async () => {
    const repo = await repoWith({
      'fail.yml': `
        name: Fail
        on: push
        jobs:
          broken:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/cache@v4
                with:
                  path: out
                  key: failed-job-key
              - run: mkdir out && echo x > out/x && exit 3
          strict:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/cache/restore@v4
                with:
                  path: out
                  key: nobody-saved-this
                  fail-on-cache-miss: true
      `,
    });
    const run = await gantryRun(repo, ['--cache-dir', cacheDir]);
    assert.equal(run.code, 1);
    const broken = jobOf(run.report!, 'broken');
    assert.equal(stepOf(broken, '__post_0').conclusion, 'skipped');
    assert.doesNotMatch(jobLines(run.stdout, 'Fail', 'broken').join('\n'), /Cache saved/);
    assert.match(jobLines(run.stdout, 'Fail', 'strict').join('\n'), /Failed to restore cache entry\. Exiting as fail-on-cache-miss is set\. Input key: nobody-saved-this/);
  });

  it('a JavaScript action with the npm clients and the built-ins see the same caches and artifacts', async () => {
    const repo = await repoWith(
      {
        'interop.yml': `
          name: Interop
          on: push
          jobs:
            js-first:
              runs-on: ubuntu-latest
              steps:
                - id: js
                  uses: ./actions/toolkit
                  with: { mode: save, name: interop-js }
                - run: echo "saved=\${{ steps.js.outputs.cache-id }} artifact=\${{ steps.js.outputs.artifact-id }} run-step-token=[\${ACTIONS_RUNTIME_TOKEN:-}] [\${ACTIONS_CACHE_URL:-}]"
            builtin-second:
              needs: js-first
              runs-on: ubuntu-latest
              steps:
                - id: restore
                  uses: actions/cache/restore@v4
                  with:
                    path: js-data
                    key: interop-js
                - run: echo "hit=\${{ steps.restore.outputs.cache-hit }} matched=\${{ steps.restore.outputs.cache-matched-key }}" && cat js-data/from-js.txt
                - uses: actions/download-artifact@v4
                  with: { name: interop-js, path: from-js }
                - run: cat from-js/js-artifact.txt
                - run: mkdir builtin-data && echo "saved by the built-in" > builtin-data/b.txt && echo "built-in artifact" > b-art.txt
                - uses: actions/cache/save@v4
                  with:
                    path: builtin-data
                    key: interop-builtin
                - uses: actions/upload-artifact@v4
                  with: { name: interop-builtin, path: b-art.txt }
            js-third:
              needs: builtin-second
              runs-on: ubuntu-latest
              steps:
                - id: js
                  uses: ./actions/toolkit
                  with: { mode: restore, name: interop-builtin }
                - run: echo "restored=\${{ steps.js.outputs.restored }}" && cat builtin-data/b.txt js-download/b-art.txt
        `,
      },
      jsAction,
    );
    const run = await gantryRun(repo, ['--cache-dir', cacheDir]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const first = jobLines(run.stdout, 'Interop', 'js-first').join('\n');
    assert.match(first, /^token \*\*\*$/m, 'the runtime token is masked');
    assert.match(first, /saved=[1-9]\d* artifact=1 run-step-token=\[\] \[\]/, 'as on GitHub, run steps do not get the runtime variables');
    const second = jobLines(run.stdout, 'Interop', 'builtin-second').join('\n');
    assert.match(second, /hit=true matched=interop-js\nsaved by @actions\/cache/);
    assert.match(second, /uploaded by @actions\/artifact/);
    const third = jobLines(run.stdout, 'Interop', 'js-third').join('\n');
    assert.match(third, /restored=interop-builtin\nsaved by the built-in\nbuilt-in artifact/);
  });

  it('a cache folder that cannot be used fails the steps that need the services, in one line each', async () => {
    const repo = await repoWith({
      'broken-store.yml': `
        name: Store
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - run: echo "run steps do not need the services"
              - uses: actions/cache/restore@v4
                with: { path: x, key: k }
      `,
    });
    const notAFolder = path.join(cacheDir, 'a-file');
    await writeFile(notAFolder, 'not a folder');
    const run = await gantryRun(repo, ['--cache-dir', notAFolder]);
    assert.equal(run.code, 1);
    const lines = jobLines(run.stdout, 'Store', 'one').join('\n');
    assert.match(lines, /run steps do not need the services/);
    assert.match(lines, /Error: the cache and artifact services could not start: .*(ENOTDIR|EEXIST)/);
    assert.match(lines, /Error: the cache service is not available to this step: ACTIONS_CACHE_URL is not set/);
    assert.doesNotMatch(run.stdout + run.stderr, /\n {4}at /, 'no stack trace');
  });

  it('--no-builtin actions/cache turns the built-in off', async () => {
    const repo = await repoWith({
      'off.yml': `
        name: Off
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/cache@v4
                with: { path: x, key: k }
      `,
    });
    const run = await gantryRun(repo, ['--cache-dir', cacheDir, '--no-builtin', 'actions/cache']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /actions\/cache@v4/);
  });
});
