import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gantryRun, processAlive, scratchDir, waitFor, workflowRepo } from '../support/run.ts';

describe('background processes', () => {
  it('outlive the step that started them, and end with the job, as on GitHub', async () => {
    const scratch = await scratchDir();
    const repo = await workflowRepo({
      'ci.yml': `
        on: push
        jobs:
          serve:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  sleep 300 > /dev/null 2>&1 &
                  echo $! > "${scratch.dir}/pid"
              - run: kill -0 "$(cat "${scratch.dir}/pid")" && echo "still running in the next step"
      `,
    });
    try {
      const run = await gantryRun(repo);
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /still running in the next step/);
      assert.match(run.stdout, /Cleaning up 1 background process group/);
      assert.ok(run.stdout.indexOf('Cleaning up 1 background process group') < run.stdout.indexOf('Job succeeded'), 'cleaned up before the job is reported finished');
      const pid = Number((await scratch.read('pid')).trim());
      await waitFor('the background process to end with the job', () => !processAlive(pid), 5000);
    } finally {
      await repo.remove();
      await scratch.remove();
    }
  });

  it('that left the step’s process group end with the job by their RUNNER_TRACKING_ID, unless it was cleared, as on GitHub', async () => {
    const scratch = await scratchDir();
    const started = (file: string, tracking: string) =>
      `${tracking}setsid bash -c 'echo $$ > "${scratch.dir}/${file}"; exec sleep 300' > /dev/null 2>&1 < /dev/null &`;
    const repo = await workflowRepo({
      'ci.yml': `
        on: push
        jobs:
          one:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "one is tracked as $RUNNER_TRACKING_ID"
                  ${started('escaped', '')}
                  ${started('kept', 'RUNNER_TRACKING_ID= ')}
                  while [ ! -s "${scratch.dir}/escaped" ] || [ ! -s "${scratch.dir}/kept" ]; do sleep 0.05; done
          two:
            needs: one
            runs-on: ubuntu-latest
            steps:
              - run: echo "two is tracked as $RUNNER_TRACKING_ID"
      `,
    });
    let kept = 0;
    try {
      const run = await gantryRun(repo);
      assert.equal(run.code, 0, run.stdout);
      const ids = [...run.stdout.matchAll(/(one|two) is tracked as ([^$\s]\S*)/g)].map((match) => match[2]);
      assert.equal(ids.length, 2, run.stdout);
      for (const id of ids) assert.match(id!, /^github_[0-9a-f-]{36}$/);
      assert.notEqual(ids[0], ids[1], 'each job has its own tracking id');
      const escaped = Number((await scratch.read('escaped')).trim());
      kept = Number((await scratch.read('kept')).trim());
      assert.match(run.stdout, new RegExp(`Terminate orphan process: pid \\(${escaped}\\) \\(sleep\\)`));
      assert.ok(run.stdout.indexOf('Terminate orphan process') < run.stdout.search(/\[[^\]]*\/one\] .*Job succeeded/), 'ended before job one is reported finished');
      await waitFor('the escaped process to end with its job', () => !processAlive(escaped), 5000);
      assert.ok(processAlive(kept), 'a process started with RUNNER_TRACKING_ID cleared outlives the job');
    } finally {
      if (kept > 0 && processAlive(kept)) process.kill(kept, 'SIGKILL');
      await repo.remove();
      await scratch.remove();
    }
  });
});
