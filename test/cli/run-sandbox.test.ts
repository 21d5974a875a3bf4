import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gantryRun, jobOf, workflowRepo } from '../support/run.ts';

describe('gantry run --executor sandbox', () => {
  it('lets steps write their workspace and file commands, and nothing of the host', async () => {
    const marker = `/etc/gantry-escape-${process.pid}`;
    const repo = await workflowRepo({
      'ci.yml': `
        on: push
        jobs:
          boxed:
            runs-on: ubuntu-latest
            steps:
              - id: out
                run: |
                  echo built > built.txt
                  echo "value=inside" >> "$GITHUB_OUTPUT"
                  echo "init $(cat /proc/1/comm), test process visible: $(test -e /proc/${process.pid} && echo yes || echo no)"
              - id: etc
                continue-on-error: true
                run: echo escaped > ${marker}
              - id: usr
                continue-on-error: true
                run: echo escaped > /usr/local/gantry-escape-${process.pid}
              - run: echo private > /root/gantry-escape-${process.pid}
              - run: echo "output \${{ steps.out.outputs.value }} etc=\${{ steps.etc.outcome }} usr=\${{ steps.usr.outcome }}"
      `,
    });
    try {
      const run = await gantryRun(repo, ['--executor', 'sandbox']);
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /output inside etc=failure usr=failure/);
      assert.equal(existsSync(`/usr/local/gantry-escape-${process.pid}`), false);
      // The home folder is the step's own throw-away copy: what it writes there never reaches the host.
      assert.equal(existsSync(marker), false);
      assert.equal(existsSync(`/root/gantry-escape-${process.pid}`), false);
      // Its own PID namespace: bwrap's init is PID 1, and no process of the host is visible.
      assert.match(run.stdout, /init bwrap, test process visible: no/);
      assert.equal(jobOf(run.report!, 'boxed').conclusion, 'success');
    } finally {
      await repo.remove();
    }
  });
});
