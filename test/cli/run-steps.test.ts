// Steps as GitHub runs them: shells (and their exact command lines), defaults.run,
// working-directory, env layering, `if` with the implicit success(),
// continue-on-error, step and job timeouts, and the steps context.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { which } from '../../src/executors/which.ts';
import type { TempRepo } from '../support/git-repo.ts';
import { gantryRun, jobLines, jobOf, stepOf, workflowRepo, type RunOutcome } from '../support/run.ts';

const hasPerl = which('perl') !== null;
const hasPwsh = which('pwsh') !== null;

/** Writes the step's command line (from /proc) to its outputs as `argv`. */
const recordArgv = `echo "argv=$(tr '\\0' ' ' < /proc/$$/cmdline)" >> "$GITHUB_OUTPUT"`;

describe('gantry run: steps and shells', { concurrency: true }, () => {
  describe('steps', () => {
    let repo: TempRepo;
    let run: RunOutcome;
    before(async () => {
      repo = await workflowRepo(
        {
          'steps.yml': `
            name: Steps
            on: push
            defaults:
              run:
                working-directory: sub
            env:
              LAYER: workflow
              FROM_WORKFLOW: w
            jobs:
              shells:
                runs-on: ubuntu-latest
                defaults:
                  run:
                    working-directory: .
                steps:
                  - id: default
                    run: |
                      false | true
                      ${recordArgv}
                  - id: bash
                    shell: bash
                    continue-on-error: true
                    run: |
                      ${recordArgv}
                      false | true
                      echo "not reached" >> "$GITHUB_OUTPUT"
                  - id: sh
                    shell: sh
                    run: |
                      ${recordArgv}
                      echo "bash=\${BASH_VERSION:-none}" >> "$GITHUB_OUTPUT"
                  - id: python
                    shell: python
                    run: |
                      import os, sys
                      with open(os.environ["GITHUB_OUTPUT"], "a") as out:
                          out.write(f"major={sys.version_info[0]}\\n")
                          out.write(f"script={os.path.splitext(sys.argv[0])[1]}\\n")
                  - id: node
                    shell: node
                    run: |
                      const fs = require('node:fs');
                      fs.appendFileSync(process.env.GITHUB_OUTPUT, 'node=' + process.versions.node.split('.')[0] + '\\n');
                  - id: perl
                    if: \${{ ${hasPerl} }}
                    shell: perl {0}
                    run: |
                      open(my $out, '>>', $ENV{GITHUB_OUTPUT}) or die;
                      print $out "perl=" . ($] >= 5 ? "yes" : "no") . "\\n";
                  - id: statuses
                    run: |
                      echo "bash=\${{ steps.bash.outcome }}/\${{ steps.bash.conclusion }}" >> "$GITHUB_OUTPUT"
                      echo "sh=\${{ steps.sh.outcome }}/\${{ steps.sh.conclusion }}" >> "$GITHUB_OUTPUT"

              job-shell:
                runs-on: ubuntu-latest
                defaults:
                  run:
                    shell: bash
                steps:
                  - id: pipefail
                    continue-on-error: true
                    run: false | true
                  - id: where
                    run: echo "pwd=$(pwd -P)" >> "$GITHUB_OUTPUT"
                  - id: nested
                    working-directory: sub/deeper
                    run: echo "pwd=$(pwd -P)" >> "$GITHUB_OUTPUT"
                  - id: root
                    run: echo "ws=$(cd "$GITHUB_WORKSPACE" && pwd -P)" >> "$GITHUB_OUTPUT"

              layers:
                runs-on: ubuntu-latest
                env:
                  LAYER: job
                  FROM_JOB: j
                defaults:
                  run:
                    working-directory: .
                steps:
                  - id: step-env
                    env:
                      LAYER: step
                    run: |
                      echo "layer=$LAYER" >> "$GITHUB_OUTPUT"
                      echo "expr=\${{ env.LAYER }}" >> "$GITHUB_OUTPUT"
                      echo "all=$FROM_WORKFLOW$FROM_JOB" >> "$GITHUB_OUTPUT"
                  - id: job-env
                    run: |
                      echo "layer=$LAYER" >> "$GITHUB_OUTPUT"
                      echo "expr=\${{ env.LAYER }}" >> "$GITHUB_OUTPUT"
                  - id: gated
                    env:
                      GATE: open
                    if: env.GATE == 'open'
                    run: echo "ran=yes" >> "$GITHUB_OUTPUT"

              workflow-env:
                runs-on: ubuntu-latest
                defaults:
                  run:
                    working-directory: .
                steps:
                  - id: s
                    run: echo "layer=$LAYER" >> "$GITHUB_OUTPUT"

              conditions:
                runs-on: ubuntu-latest
                defaults:
                  run:
                    working-directory: .
                steps:
                  - id: first
                    run: echo "value=yes" >> "$GITHUB_OUTPUT"
                  - id: when-true
                    if: steps.first.outputs.value == 'yes'
                    run: 'true'
                  - id: when-false
                    if: steps.first.outputs.value == 'no'
                    run: 'true'
                  - id: fails
                    run: exit 4
                  - id: implicit-success
                    if: steps.first.outputs.value == 'yes'
                    run: 'true'
                  - id: on-success
                    if: success()
                    run: 'true'
                  - id: on-failure
                    if: failure()
                    run: |
                      echo "fails=\${{ steps.fails.outcome }}/\${{ steps.fails.conclusion }}" >> "$GITHUB_OUTPUT"
                      echo "skipped=\${{ steps.when-false.outcome }}/\${{ steps.when-false.conclusion }}" >> "$GITHUB_OUTPUT"
                      echo "status=\${{ job.status }}" >> "$GITHUB_OUTPUT"
                  - id: on-always
                    if: always()
                    run: 'true'

              step-timeout:
                runs-on: ubuntu-latest
                defaults:
                  run:
                    working-directory: .
                steps:
                  - id: slow
                    timeout-minutes: 0.02
                    run: sleep 30
                  - id: after
                    if: always()
                    run: echo "slow=\${{ steps.slow.outcome }}" >> "$GITHUB_OUTPUT"

              job-timeout:
                runs-on: ubuntu-latest
                timeout-minutes: 0.03
                defaults:
                  run:
                    working-directory: .
                steps:
                  - id: slow
                    run: sleep 30
                  - id: normal
                    run: 'true'
                  - id: cleanup
                    if: always()
                    run: echo "ran=yes" >> "$GITHUB_OUTPUT"
          `,
        },
        { 'sub/deeper/.keep': '' },
      );
      run = await gantryRun(repo);
    });
    after(() => repo.remove());

    const outputs = (job: string, step: string) => stepOf(jobOf(run.report!, job), step).outputs;
    const stepStatus = (job: string, step: string) => {
      const s = stepOf(jobOf(run.report!, job), step);
      return `${s.outcome}/${s.conclusion}`;
    };

    it('fails the run (steps fail below), with no stack trace', () => {
      assert.equal(run.code, 1, run.stderr);
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /);
    });

    it('runs the default shell as bash -e {0}, without pipefail', () => {
      assert.equal(stepStatus('shells', 'default'), 'success/success');
      assert.match(outputs('shells', 'default').argv!, /^\S*\/bash -e \S+\.sh $/);
    });

    it('runs shell: bash as bash --noprofile --norc -e -o pipefail {0}: `false | true` fails', () => {
      assert.match(outputs('shells', 'bash').argv!, /^\S*\/bash --noprofile --norc -e -o pipefail \S+\.sh $/);
      assert.equal(outputs('shells', 'bash')['not reached'], undefined);
      assert.equal(stepStatus('shells', 'bash'), 'failure/success');
      assert.equal(stepStatus('job-shell', 'pipefail'), 'failure/success');
    });

    it('runs shell: sh as sh -e {0}', () => {
      assert.match(outputs('shells', 'sh').argv!, /^\S*\/sh -e \S+\.sh $/);
    });

    it('runs shell: python with python 3 and a .py script, and shell: node', () => {
      assert.deepEqual(outputs('shells', 'python'), { major: '3', script: '.py' });
      assert.equal(outputs('shells', 'node').node, process.versions.node.split('.')[0]);
    });

    it('runs a custom shell template, perl {0}', { skip: !hasPerl && 'perl is not installed' }, () => {
      assert.deepEqual(outputs('shells', 'perl'), { perl: 'yes' });
    });

    it('continue-on-error: the outcome is failure, the conclusion success, and the job goes on', () => {
      assert.deepEqual(outputs('shells', 'statuses'), { bash: 'failure/success', sh: 'success/success' });
      assert.equal(jobOf(run.report!, 'shells').conclusion, 'success');
      assert.equal(jobOf(run.report!, 'job-shell').conclusion, 'success');
    });

    it('applies defaults.run of the workflow, overridden by the job, and working-directory of the step', () => {
      const ws = outputs('job-shell', 'root').ws!;
      assert.equal(outputs('job-shell', 'where').pwd, `${ws}/sub`);
      assert.equal(outputs('job-shell', 'nested').pwd, `${ws}/sub/deeper`);
    });

    it('layers env: workflow < job < step, in the process and in env.*', () => {
      assert.deepEqual(outputs('layers', 'step-env'), { layer: 'step', expr: 'step', all: 'wj' });
      assert.deepEqual(outputs('layers', 'job-env'), { layer: 'job', expr: 'job' });
      assert.deepEqual(outputs('workflow-env', 's'), { layer: 'workflow' });
      // The runner adds the step's env to the env context before it evaluates the step's if.
      assert.deepEqual(outputs('layers', 'gated'), { ran: 'yes' });
    });

    it('evaluates if with the implicit success(): after a failure only failure() and always() steps run', () => {
      const conditions = jobOf(run.report!, 'conditions');
      assert.deepEqual(
        conditions.steps.map((step) => [step.id, step.outcome]),
        [
          ['first', 'success'],
          ['when-true', 'success'],
          ['when-false', 'skipped'],
          ['fails', 'failure'],
          ['implicit-success', 'skipped'],
          ['on-success', 'skipped'],
          ['on-failure', 'success'],
          ['on-always', 'success'],
        ],
      );
      assert.deepEqual(outputs('conditions', 'on-failure'), { fails: 'failure/failure', skipped: 'skipped/skipped', status: 'failure' });
      assert.equal(conditions.conclusion, 'failure');
    });

    // Fractions of a minute keep this fast. GitHub's runner reads a step's timeout-minutes as a whole
    // number ((Int32) in PipelineTemplateConverter), so there 0.02 would mean no timeout at all.
    it('stops a step at its timeout-minutes: the step fails, and the job ends quickly', () => {
      const job = jobOf(run.report!, 'step-timeout');
      assert.equal(stepStatus('step-timeout', 'slow'), 'failure/failure');
      assert.deepEqual(outputs('step-timeout', 'after'), { slow: 'failure' });
      assert.equal(job.conclusion, 'failure');
      assert.ok(stepOf(job, 'slow').durationMs < 15_000, `the step ran ${stepOf(job, 'slow').durationMs} ms`);
    });

    // GitHub's docs say only that the job is cancelled at its timeout; the run fails with "exceeded the
    // maximum execution time", which Gantry reports as the job's failure.
    it('stops a job at its timeout-minutes: it fails, later steps are skipped, always() steps still run', () => {
      const job = jobOf(run.report!, 'job-timeout');
      assert.equal(job.conclusion, 'failure');
      assert.equal(stepOf(job, 'slow').conclusion, 'cancelled');
      assert.equal(stepOf(job, 'normal').conclusion, 'skipped');
      assert.deepEqual(outputs('job-timeout', 'cleanup'), { ran: 'yes' });
      assert.ok(job.durationMs < 15_000, `the job ran ${job.durationMs} ms`);
      assert.ok(jobLines(run.stdout, 'Steps', 'job-timeout').some((line) => /exceeded the maximum execution time of 0\.03 minutes/.test(line)), run.stdout);
    });
  });

  describe('shells that are not there', () => {
    it('fails a step whose shell is missing with one line that says what to install', { skip: hasPwsh && 'pwsh is installed' }, async () => {
      const repo = await workflowRepo({
        'pwsh.yml': `
          name: Pwsh
          on: push
          jobs:
            ps:
              runs-on: ubuntu-latest
              steps:
                - shell: pwsh
                  run: Write-Output hi
                - shell: cmd
                  if: always()
                  run: echo hi
        `,
      });
      try {
        const run = await gantryRun(repo);
        assert.equal(run.code, 1);
        const lines = jobLines(run.stdout, 'Pwsh', 'ps').filter((line) => line.includes('Error:'));
        assert.equal(lines.length, 2, run.stdout);
        assert.match(lines[0]!, /pwsh is not on PATH; install PowerShell 7/);
        assert.match(lines[1]!, /cmd runs only on Windows runners/);
      } finally {
        await repo.remove();
      }
    });
  });
});
