// hashFiles() in every step field GitHub allows it in: if, name, env, run,
// working-directory, continue-on-error, timeout-minutes, with.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { gantryRun, jobOf, stepOf, workflowRepo, type RunOutcome } from '../support/run.ts';

describe('hashFiles() in step fields', () => {
  let repo: TempRepo;
  let run: RunOutcome;
  before(async () => {
    repo = await workflowRepo(
      {
        'ci.yml': `
          on: push
          jobs:
            a:
              runs-on: ubuntu-latest
              steps:
                - id: fields
                  name: lock \${{ hashFiles('lock.txt') }}
                  if: hashFiles('lock.txt') != '' && hashFiles('missing/**') == ''
                  env:
                    FROM_ENV: \${{ hashFiles('**/lock.txt') }}
                  timeout-minutes: \${{ hashFiles('lock.txt') != '' && 5 || 1 }}
                  continue-on-error: \${{ hashFiles('missing') == '' }}
                  run: |
                    echo "run=\${{ hashFiles('lock.txt') }}" >> "$GITHUB_OUTPUT"
                    echo "env=$FROM_ENV" >> "$GITHUB_OUTPUT"
                    exit 3
        `,
      },
      { 'lock.txt': 'locked\n' },
    );
    run = await gantryRun(repo);
  });
  after(() => repo?.remove());

  it('evaluates them against the workspace with the runner algorithm', () => {
    const fileDigest = createHash('sha256').update('locked\n').digest();
    const expected = createHash('sha256').update(fileDigest).digest('hex');
    const step = stepOf(jobOf(run.report!, 'a'), 'fields');
    assert.equal(step.name, `lock ${expected}`);
    assert.deepEqual(step.outputs, { run: expected, env: expected });
    assert.equal(step.outcome, 'failure');
    assert.equal(step.conclusion, 'success', 'continue-on-error with hashFiles holds');
    assert.equal(run.code, 0, run.stdout);
  });
});
