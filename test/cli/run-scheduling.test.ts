// How `gantry run` orders jobs, as GitHub documents it: a job starts once its
// needs have ended (and not later), is skipped when a need failed unless its `if`
// says otherwise, sees needs.<id>.result and outputs; matrix legs with strategy,
// fail-fast, max-parallel; and job-level continue-on-error.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { conclusions, gantryRun, jobOf, processAlive, scratchDir, stepOf, workflowOf, workflowRepo, type RunOutcome } from '../support/run.ts';

type Scratch = Awaited<ReturnType<typeof scratchDir>>;

/** Nanoseconds since the epoch, as `date +%s%N` wrote them. */
const stamp = async (marks: Scratch, name: string) => BigInt((await marks.read(name)).trim());

describe('gantry run: scheduling', { concurrency: true }, () => {
  describe('needs, the ready queue and job continue-on-error', () => {
    let repo: TempRepo;
    let marks: Scratch;
    let run: RunOutcome;
    before(async () => {
      marks = await scratchDir();
      repo = await workflowRepo({
        // a -> c and b -> d. b keeps running until c has started: c must not wait for b.
        'graph.yml': `
          name: Graph
          on: push
          jobs:
            a:
              runs-on: ubuntu-latest
              steps:
                - run: sleep 0.3; date +%s%N > "$MARKS/a.end"
            b:
              runs-on: ubuntu-latest
              steps:
                - run: |
                    for i in $(seq 1 150); do test -e "$MARKS/c.start" && break; sleep 0.1; done
                    test -e "$MARKS/c.start" || { echo "c did not start while b was running"; exit 1; }
                    sleep 0.2
                    date +%s%N > "$MARKS/b.end"
            c:
              needs: a
              runs-on: ubuntu-latest
              steps:
                - run: date +%s%N > "$MARKS/c.start"
            d:
              needs: b
              runs-on: ubuntu-latest
              steps:
                - run: date +%s%N > "$MARKS/d.start"
        `,
        'allowed.yml': `
          name: Allowed
          on: push
          jobs:
            flaky:
              runs-on: ubuntu-latest
              continue-on-error: true
              outputs:
                note: \${{ steps.n.outputs.note }}
              steps:
                - id: n
                  run: echo "note=before the failure" >> "$GITHUB_OUTPUT"
                - run: exit 1
            after-flaky:
              needs: flaky
              runs-on: ubuntu-latest
              steps:
                - id: seen
                  run: |
                    echo "result=\${{ needs.flaky.result }}" >> "$GITHUB_OUTPUT"
                    echo "note=\${{ needs.flaky.outputs.note }}" >> "$GITHUB_OUTPUT"
        `,
      });
      run = await gantryRun(repo, [], { MARKS: marks.dir });
    });
    after(() => Promise.all([repo.remove(), marks.remove()]));

    it('succeeds, with every job run', () => {
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.deepEqual(conclusions(run.report!, 'Graph'), { a: 'success', b: 'success', c: 'success', d: 'success' });
    });

    it('starts a job only after its needs have ended', async () => {
      assert.ok((await stamp(marks, 'c.start')) >= (await stamp(marks, 'a.end')), 'c started before a ended');
      assert.ok((await stamp(marks, 'd.start')) >= (await stamp(marks, 'b.end')), 'd started before b ended');
    });

    it('starts a job as soon as its own needs have ended, not when every earlier job has (c ran while b was still running)', async () => {
      assert.ok((await stamp(marks, 'c.start')) < (await stamp(marks, 'b.end')));
    });

    it('a failed job with continue-on-error does not fail the workflow, and needs sees success', () => {
      const allowed = workflowOf(run.report!, 'Allowed');
      assert.equal(allowed.conclusion, 'success');
      assert.equal(allowed.jobs[0]!.conclusion, 'failure');
      assert.equal(allowed.jobs[0]!.continuedOnError, true);
      assert.deepEqual(stepOf(jobOf(run.report!, 'after-flaky', 0, 'Allowed'), 'seen').outputs, { result: 'success', note: 'before the failure' });
    });
  });

  describe('jobs after a failed job', () => {
    let repo: TempRepo;
    let run: RunOutcome;
    before(async () => {
      repo = await workflowRepo({
        'ci.yml': `
          name: CI
          on: push
          jobs:
            ok:
              runs-on: ubuntu-latest
              outputs:
                version: \${{ steps.v.outputs.version }}
                empty: \${{ steps.v.outputs.nothing }}
              steps:
                - id: v
                  run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
            broken:
              runs-on: ubuntu-latest
              steps:
                - run: exit 1
            dependent:
              needs: broken
              runs-on: ubuntu-latest
              steps:
                - run: echo must not run
            grandchild:
              needs: dependent
              runs-on: ubuntu-latest
              steps:
                - run: echo must not run
            conditional:
              needs: broken
              if: needs.broken.result == 'failure'
              runs-on: ubuntu-latest
              steps:
                - run: echo the implicit success() still applies
            always:
              needs: [ok, broken]
              if: always()
              runs-on: ubuntu-latest
              steps:
                - id: seen
                  run: |
                    echo "ok=\${{ needs.ok.result }}" >> "$GITHUB_OUTPUT"
                    echo "broken=\${{ needs.broken.result }}" >> "$GITHUB_OUTPUT"
                    echo "version=\${{ needs.ok.outputs.version }}" >> "$GITHUB_OUTPUT"
                    echo "empty=[\${{ needs.ok.outputs.empty }}]" >> "$GITHUB_OUTPUT"
            on-failure:
              needs: grandchild
              if: failure()
              runs-on: ubuntu-latest
              steps:
                - id: seen
                  run: echo "grandchild=\${{ needs.grandchild.result }}" >> "$GITHUB_OUTPUT"
            on-success:
              needs: ok
              if: success()
              runs-on: ubuntu-latest
              steps:
                - run: echo ran
            not-on-failure:
              needs: ok
              if: failure()
              runs-on: ubuntu-latest
              steps:
                - run: echo must not run
        `,
      });
      run = await gantryRun(repo);
    });
    after(() => repo.remove());

    it('exits 1', () => {
      assert.equal(run.code, 1, run.stderr + run.stdout);
      assert.equal(run.report!.conclusion, 'failure');
    });

    it('skips the jobs that need a failed job, directly or not, unless their if says otherwise', () => {
      assert.deepEqual(conclusions(run.report!), {
        ok: 'success',
        broken: 'failure',
        dependent: 'skipped',
        grandchild: 'skipped',
        conditional: 'skipped',
        always: 'success',
        'on-failure': 'success',
        'on-success': 'success',
        'not-on-failure': 'skipped',
      });
      assert.deepEqual(jobOf(run.report!, 'dependent').steps, []);
    });

    it('gives needs.<id>.result and needs.<id>.outputs', () => {
      assert.deepEqual(stepOf(jobOf(run.report!, 'always'), 'seen').outputs, { ok: 'success', broken: 'failure', version: '1.2.3', empty: '[]' });
      assert.deepEqual(jobOf(run.report!, 'ok').outputs, { version: '1.2.3', empty: '' });
    });

    it('failure() is true when any ancestor failed, even through skipped jobs', () => {
      assert.deepEqual(stepOf(jobOf(run.report!, 'on-failure'), 'seen').outputs, { grandchild: 'skipped' });
    });
  });

  describe('matrix strategy', () => {
    let repo: TempRepo;
    let marks: Scratch;
    let run: RunOutcome;
    before(async () => {
      marks = await scratchDir();
      repo = await workflowRepo({
        'matrix.yml': `
          name: Matrix
          on: push
          jobs:
            one-at-a-time:
              runs-on: ubuntu-latest
              strategy:
                max-parallel: 1
                matrix:
                  n: [x, y, z]
              steps:
                - id: leg
                  run: |
                    mkdir "$MARKS/lock" || { echo "another leg is running"; exit 1; }
                    date +%s%N > "$MARKS/\${{ matrix.n }}.start"
                    sleep 0.3
                    date +%s%N > "$MARKS/\${{ matrix.n }}.end"
                    rmdir "$MARKS/lock"
                    echo "index=\${{ strategy.job-index }}" >> "$GITHUB_OUTPUT"
                    echo "total=\${{ strategy.job-total }}" >> "$GITHUB_OUTPUT"
                    echo "fail-fast=\${{ strategy.fail-fast }}" >> "$GITHUB_OUTPUT"
                    echo "max-parallel=\${{ strategy.max-parallel }}" >> "$GITHUB_OUTPUT"
            setup:
              runs-on: ubuntu-latest
              outputs:
                legs: \${{ steps.s.outputs.legs }}
              steps:
                - id: s
                  run: echo 'legs={"fruit":["apple","pear"]}' >> "$GITHUB_OUTPUT"
            from-outputs:
              needs: setup
              runs-on: ubuntu-latest
              strategy:
                matrix: \${{ fromJSON(needs.setup.outputs.legs) }}
              steps:
                - id: s
                  run: echo "fruit=\${{ matrix.fruit }}" >> "$GITHUB_OUTPUT"
        `,
        'fail-fast.yml': `
          name: FailFast
          on: push
          jobs:
            legs:
              runs-on: ubuntu-latest
              strategy:
                matrix:
                  role: [fails, sleeps]
              steps:
                - run: |
                    if [ "\${{ matrix.role }}" = fails ]; then
                      for i in $(seq 1 100); do test -e "$MARKS/sleeper-started" && break; sleep 0.1; done
                      exit 1
                    fi
                    echo $$ > "$MARKS/sleeper.pid"
                    touch "$MARKS/sleeper-started"
                    exec sleep 30
        `,
        'no-fail-fast.yml': `
          name: NoFailFast
          on: push
          jobs:
            legs:
              runs-on: ubuntu-latest
              strategy:
                fail-fast: false
                matrix:
                  role: [fails, sleeps]
              steps:
                - run: |
                    if [ "\${{ matrix.role }}" = fails ]; then exit 1; fi
                    sleep 1
                    touch "$MARKS/patient-finished"
        `,
      });
      run = await gantryRun(repo, [], { MARKS: marks.dir });
    });
    after(() => Promise.all([repo.remove(), marks.remove()]));

    const workflow = (name: string) => workflowOf(run.report!, name);

    it('expands strategy.job-index and job-total for each leg', () => {
      assert.equal(workflow('Matrix').conclusion, 'success', run.stdout);
      const legs = workflow('Matrix').jobs.filter((job) => job.id === 'one-at-a-time');
      assert.deepEqual(
        legs.map((leg) => [leg.name, leg.conclusion, leg.steps[0]!.outputs]),
        [
          ['one-at-a-time (x)', 'success', { index: '0', total: '3', 'fail-fast': 'true', 'max-parallel': '1' }],
          ['one-at-a-time (y)', 'success', { index: '1', total: '3', 'fail-fast': 'true', 'max-parallel': '1' }],
          ['one-at-a-time (z)', 'success', { index: '2', total: '3', 'fail-fast': 'true', 'max-parallel': '1' }],
        ],
      );
    });

    it('never runs two legs at once with max-parallel: 1', async () => {
      const intervals = await Promise.all(['x', 'y', 'z'].map(async (n) => [await stamp(marks, `${n}.start`), await stamp(marks, `${n}.end`)] as const));
      intervals.sort((p, q) => (p[0] < q[0] ? -1 : 1));
      for (let i = 1; i < intervals.length; i++) assert.ok(intervals[i]![0] >= intervals[i - 1]![1], 'two legs overlapped');
    });

    it('expands a matrix from the outputs of a needed job', () => {
      const legs = workflow('Matrix').jobs.filter((job) => job.id === 'from-outputs');
      assert.deepEqual(
        legs.map((leg) => [leg.name, leg.matrix, leg.steps[0]!.outputs.fruit]),
        [
          ['from-outputs (apple)', { fruit: 'apple' }, 'apple'],
          ['from-outputs (pear)', { fruit: 'pear' }, 'pear'],
        ],
      );
    });

    it('fail-fast cancels the legs still running when one fails, and stops their processes', async () => {
      assert.equal(run.code, 1);
      assert.equal(workflow('FailFast').conclusion, 'failure');
      assert.deepEqual(conclusions(run.report!, 'FailFast'), { 'legs (fails)': 'failure', 'legs (sleeps)': 'cancelled' });
      const sleeper = workflow('FailFast').jobs[1]!;
      assert.deepEqual([sleeper.steps[0]!.outcome, sleeper.steps[0]!.conclusion], ['cancelled', 'cancelled']);
      assert.ok(sleeper.durationMs < 20_000, `the sleeping leg ran ${sleeper.durationMs} ms`);
      assert.ok(run.report!.durationMs < 25_000);
      assert.equal(processAlive(Number(await marks.read('sleeper.pid'))), false, 'the sleep still runs');
    });

    it('with fail-fast: false the other legs run to the end', async () => {
      assert.deepEqual(conclusions(run.report!, 'NoFailFast'), { 'legs (fails)': 'failure', 'legs (sleeps)': 'success' });
      assert.equal(workflow('NoFailFast').conclusion, 'failure');
      assert.equal(await marks.read('patient-finished'), '');
    });
  });
});
