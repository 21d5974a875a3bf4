// Ctrl-C on `gantry run`: the running step is stopped (its whole process tree),
// `if: always()` steps still run, nothing else starts, the run ends cancelled
// with exit code 1. A step that ignores SIGINT is ended by the SIGTERM that
// follows; a second Ctrl-C stops everything at once.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { processAlive, scratchDir, startGantryRun, waitFor, workflowRepo, type StartedRun } from '../support/run.ts';

type Scratch = Awaited<ReturnType<typeof scratchDir>>;

/**
 * A job whose first step runs `prelude` (traps), records its PID once that is done, and then runs
 * `body`; an always() step leaves a marker.
 */
const workflow = (prelude: string, body: string) => `
  name: Cancel
  on: push
  jobs:
    long:
      runs-on: ubuntu-latest
      steps:
        - id: wait
          run: |
            ${prelude}
            echo $$ > "$MARKS/pid"
            ${body}
        - id: next
          run: touch "$MARKS/next-ran"
        - id: cleanup
          if: always()
          run: touch "$MARKS/always-ran"
    later:
      needs: long
      runs-on: ubuntu-latest
      steps:
        - run: touch "$MARKS/later-ran"
`;

describe('gantry run: cancelling with Ctrl-C', { concurrency: true }, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const started: StartedRun[] = [];
  after(async () => {
    for (const run of started) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await Promise.all(cleanups.map((cleanup) => cleanup()));
  });

  async function start(prelude: string, body: string): Promise<{ run: StartedRun; marks: Scratch; repo: TempRepo; pid: number }> {
    const marks = await scratchDir();
    const repo = await workflowRepo({ 'cancel.yml': workflow(prelude, body) });
    cleanups.push(() => repo.remove(), () => marks.remove());
    const run = await startGantryRun(repo, [], { MARKS: marks.dir });
    started.push(run);
    const pidFile = path.join(marks.dir, 'pid');
    await waitFor('the step to start', async () => existsSync(pidFile) && (await marks.read('pid')).trim() !== '');
    const pid = Number((await marks.read('pid')).trim());
    cleanups.push(async () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    return { run, marks, repo, pid };
  }

  it('stops the running step, runs always() steps, starts nothing else, and exits 1 as cancelled', async () => {
    const { run, marks, pid } = await start('true', 'exec sleep 1000');
    const signalled = Date.now();
    run.child.kill('SIGINT');
    const result = await run.done;
    assert.ok(Date.now() - signalled < 15_000, 'gantry took too long to stop');

    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.match(result.stderr, /cancelling the run/);
    assert.equal(processAlive(pid), false, 'the step process still runs');
    assert.equal(existsSync(path.join(marks.dir, 'always-ran')), true, 'the always() step did not run');
    assert.equal(existsSync(path.join(marks.dir, 'next-ran')), false);
    assert.equal(existsSync(path.join(marks.dir, 'later-ran')), false);

    const report = result.report!;
    assert.equal(report.conclusion, 'cancelled');
    assert.equal(report.workflows[0]!.conclusion, 'cancelled');
    const [long, later] = report.workflows[0]!.jobs;
    assert.equal(long!.conclusion, 'cancelled');
    assert.deepEqual(
      long!.steps.map((step) => [step.id, step.conclusion]),
      [
        ['wait', 'cancelled'],
        ['next', 'skipped'],
        ['cleanup', 'success'],
      ],
    );
    assert.equal(later!.conclusion, 'cancelled');
    assert.deepEqual(later!.steps, []);
    assert.match(result.stdout, /🚫 .*cancelled/);
  });

  it('ends a step that ignores SIGINT with SIGTERM after the grace period', async () => {
    const { run, marks, pid } = await start("trap '' INT", 'while true; do sleep 0.2; done');
    const signalled = Date.now();
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(processAlive(pid), true, 'the step did not ignore SIGINT, so this test shows nothing');
    const result = await run.done;
    assert.ok(Date.now() - signalled < 30_000, 'gantry took too long to stop');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.equal(processAlive(pid), false, 'the step process still runs');
    assert.equal(existsSync(path.join(marks.dir, 'always-ran')), true);
    assert.equal(result.report!.conclusion, 'cancelled');
  });

  it('stops at once on a second Ctrl-C, even a step that ignores SIGINT and SIGTERM, and runs no always() step', async () => {
    const { run, marks, pid } = await start("trap '' INT TERM", 'while true; do sleep 0.2; done');
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = Date.now();
    run.child.kill('SIGINT');
    const result = await run.done;
    assert.ok(Date.now() - second < 5_000, `gantry took ${Date.now() - second} ms to stop after the second Ctrl-C`);
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.equal(processAlive(pid), false, 'the step process still runs');
    assert.equal(existsSync(path.join(marks.dir, 'always-ran')), false);
    assert.equal(existsSync(path.join(marks.dir, 'later-ran')), false);
  });
});
