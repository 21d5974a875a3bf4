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
      const pid = Number((await scratch.read('pid')).trim());
      await waitFor('the background process to end with the job', () => !processAlive(pid), 5000);
    } finally {
      await repo.remove();
      await scratch.remove();
    }
  });
});
