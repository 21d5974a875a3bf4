import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gantryRun, scratchDir, workflowRepo } from '../support/run.ts';

describe('shell programs', () => {
  it('a shell a step installs is found by the next step (missing programs are not remembered)', async () => {
    const bin = await scratchDir();
    const repo = await workflowRepo({
      'ci.yml': `
        on: push
        jobs:
          tools:
            runs-on: ubuntu-latest
            steps:
              - id: before
                continue-on-error: true
                shell: mytool {0}
                run: echo never
              - run: |
                  printf '#!/bin/sh\\necho "mytool ran $1"\\n' > "${bin.dir}/mytool"
                  chmod +x "${bin.dir}/mytool"
              - shell: mytool {0}
                run: echo ignored
              - run: echo "before=\${{ steps.before.outcome }}"
      `,
    });
    try {
      const run = await gantryRun(repo, [], { PATH: `${bin.dir}:${process.env.PATH ?? ''}` });
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /shell 'mytool \{0\}': mytool is not on PATH/);
      assert.match(run.stdout, /mytool ran \//);
      assert.match(run.stdout, /before=failure/);
    } finally {
      await repo.remove();
      await bin.remove();
    }
  });
});
