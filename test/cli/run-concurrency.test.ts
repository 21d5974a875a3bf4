import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dedent, gantryRun, workflowRepo } from '../support/run.ts';

function deployWorkflow(name: string, cancelInProgress: boolean): string {
  return dedent(`
    name: ${name}
    on: push
    concurrency:
      group: deploy-\${{ github.ref }}
      cancel-in-progress: ${cancelInProgress}
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - run: sleep 0.3
  `);
}

describe('concurrency groups within one run', () => {
  it('runs workflows of one group one at a time; a newer pending one cancels the older pending one', async () => {
    const repo = await workflowRepo({ 'a.yml': deployWorkflow('A', false), 'b.yml': deployWorkflow('B', false), 'c.yml': deployWorkflow('C', false) });
    try {
      const { code, report } = await gantryRun(repo, ['--jobs', '4']);
      assert.equal(code, 1);
      assert.deepEqual(
        report!.workflows.map((w) => [w.name, w.conclusion]),
        [
          ['A', 'success'],
          ['B', 'cancelled'],
          ['C', 'success'],
        ],
      );
    } finally {
      await repo.remove();
    }
  });

  it('cancel-in-progress cancels the running member of the group', async () => {
    const repo = await workflowRepo({ 'a.yml': deployWorkflow('A', true), 'b.yml': deployWorkflow('B', true) });
    try {
      const { report } = await gantryRun(repo, ['--jobs', '4']);
      assert.deepEqual(
        report!.workflows.map((w) => [w.name, w.conclusion]),
        [
          ['A', 'cancelled'],
          ['B', 'success'],
        ],
      );
    } finally {
      await repo.remove();
    }
  });

  it('serialises matrix legs that share a job-level group', async () => {
    const repo = await workflowRepo({
      'm.yml': dedent(`
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            concurrency: shared
            strategy:
              matrix:
                n: [1, 2]
            steps:
              - run: |
                  echo "start \${{ matrix.n }} $(date +%s%N)"
                  sleep 0.3
                  echo "end \${{ matrix.n }} $(date +%s%N)"
      `),
    });
    try {
      const { report, stdout } = await gantryRun(repo, ['--jobs', '4']);
      assert.deepEqual(
        report!.workflows[0]!.jobs.map((j) => j.conclusion),
        ['success', 'success'],
      );
      const at = (what: string, n: number) => Number(stdout.match(new RegExp(`${what} ${n} (\\d+)`))![1]);
      const [first, second] = at('start', 1) < at('start', 2) ? [1, 2] : [2, 1];
      assert.ok(at('end', first) <= at('start', second), 'the second leg started before the first ended');
    } finally {
      await repo.remove();
    }
  });
});
