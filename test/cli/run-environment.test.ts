// What every step sees, as on a GitHub-hosted runner: the default variables,
// a fresh checkout of the event's commit as GITHUB_WORKSPACE, the event payload
// in GITHUB_EVENT_PATH, and a RUNNER_TEMP of its own.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { gantryRun, jobOf, stepOf, workflowRepo, type RunOutcome } from '../support/run.ts';

describe('gantry run: the default environment', () => {
  let repo: TempRepo;
  let sha: string;
  let run: RunOutcome;
  before(async () => {
    repo = await workflowRepo(
      {
        'env.yml': `
          name: Env
          on: push
          jobs:
            look:
              runs-on: ubuntu-latest
              steps:
                - id: vars
                  run: |
                    {
                      echo "ci=$CI"
                      echo "actions=$GITHUB_ACTIONS"
                      echo "sha=$GITHUB_SHA"
                      echo "sha-expr=\${{ github.sha }}"
                      echo "ref=$GITHUB_REF"
                      echo "ref-name=$GITHUB_REF_NAME"
                      echo "event=$GITHUB_EVENT_NAME"
                      echo "workspace=$GITHUB_WORKSPACE"
                      echo "workspace-expr=\${{ github.workspace }}"
                      echo "pwd=$(pwd -P)"
                      echo "workspace-real=$(cd "$GITHUB_WORKSPACE" && pwd -P)"
                      echo "os=$RUNNER_OS"
                      echo "os-expr=\${{ runner.os }}"
                      echo "temp=$RUNNER_TEMP"
                      echo "job=$GITHUB_JOB"
                      echo "workflow=$GITHUB_WORKFLOW"
                    } >> "$GITHUB_OUTPUT"
                # Every other script file in RUNNER_TEMP gets a long tail, the one made ahead for the next
                # step too (once there: three with this step's and the first's): the next step must not keep it.
                - run: |
                    for i in $(seq 100); do [ "$(ls "$RUNNER_TEMP"/*.sh | wc -l)" -ge 3 ] && break; sleep 0.05; done
                    for f in "$RUNNER_TEMP"/*.sh; do
                      [ "$f" -ef "$0" ] || for n in $(seq 200); do echo 'echo tampered; exit 3'; done >> "$f"
                    done
                - id: files
                  run: |
                    {
                      echo "tracked=$(cat tracked.txt)"
                      echo "untracked=$(test -e untracked.txt && echo present || echo absent)"
                      echo "event-after=$(python3 -c 'import json,os; print(json.load(open(os.environ["GITHUB_EVENT_PATH"]))["after"])')"
                      echo "event-ref=$(python3 -c 'import json,os; print(json.load(open(os.environ["GITHUB_EVENT_PATH"]))["ref"])')"
                      echo "temp-dir=$(test -d "$RUNNER_TEMP" && test -w "$RUNNER_TEMP" && echo writable)"
                    } >> "$GITHUB_OUTPUT"
                    echo "made by a step" > created-by-step.txt
                    echo "left in temp" > "$RUNNER_TEMP/left.txt"
            next:
              needs: look
              runs-on: ubuntu-latest
              steps:
                - id: temp
                  run: |
                    echo "left=$(test -e "$RUNNER_TEMP/left.txt" && echo present || echo absent)" >> "$GITHUB_OUTPUT"
                    echo "created=$(test -e created-by-step.txt && echo present || echo absent)" >> "$GITHUB_OUTPUT"
        `,
      },
      { 'tracked.txt': 'committed\n' },
    );
    sha = await repo.git('rev-parse', 'HEAD');
    // Neither an untracked file nor an uncommitted change is part of the commit the event names.
    await writeFile(path.join(repo.dir, 'untracked.txt'), 'not committed\n');
    await writeFile(path.join(repo.dir, 'tracked.txt'), 'changed but not committed\n');
    run = await gantryRun(repo);
  });
  after(() => repo.remove());

  it('runs, each step its own script whatever an earlier step wrote into the temp folder', () => {
    assert.equal(run.code, 0, run.stderr + run.stdout);
  });

  it('sets CI, GITHUB_ACTIONS, GITHUB_SHA (the commit), GITHUB_REF, GITHUB_EVENT_NAME, GITHUB_JOB, GITHUB_WORKFLOW and RUNNER_OS', () => {
    const vars = stepOf(jobOf(run.report!, 'look'), 'vars').outputs;
    assert.equal(vars.ci, 'true');
    assert.equal(vars.actions, 'true');
    assert.equal(vars.sha, sha);
    assert.equal(vars['sha-expr'], sha);
    assert.equal(vars.ref, 'refs/heads/main');
    assert.equal(vars['ref-name'], 'main');
    assert.equal(vars.event, 'push');
    assert.equal(vars.job, 'look');
    assert.equal(vars.workflow, 'Env');
    assert.equal(vars.os, 'Linux');
    assert.equal(vars['os-expr'], 'Linux');
  });

  it('runs steps in GITHUB_WORKSPACE, a checkout that is not the repository folder', () => {
    const vars = stepOf(jobOf(run.report!, 'look'), 'vars').outputs;
    assert.ok(vars.workspace, 'GITHUB_WORKSPACE is set');
    assert.equal(vars['workspace-expr'], vars.workspace);
    assert.equal(vars.pwd, vars['workspace-real']);
    assert.notEqual(path.resolve(vars.workspace!), path.resolve(repo.dir));
    assert.ok(!vars.workspace!.startsWith(repo.dir + path.sep), vars.workspace);
  });

  it("holds the event's commit: committed content, no untracked files, and what a step creates stays out of the repository", () => {
    const files = stepOf(jobOf(run.report!, 'look'), 'files').outputs;
    assert.equal(files.tracked, 'committed');
    assert.equal(files.untracked, 'absent');
    assert.equal(existsSync(path.join(repo.dir, 'created-by-step.txt')), false);
    // Each job has a checkout of its own.
    assert.equal(stepOf(jobOf(run.report!, 'next'), 'temp').outputs.created, 'absent');
  });

  it('writes the event payload to GITHUB_EVENT_PATH', () => {
    const files = stepOf(jobOf(run.report!, 'look'), 'files').outputs;
    assert.equal(files['event-after'], sha);
    assert.equal(files['event-ref'], 'refs/heads/main');
  });

  it('gives each job a writable RUNNER_TEMP of its own', () => {
    const vars = stepOf(jobOf(run.report!, 'look'), 'vars').outputs;
    assert.ok(vars.temp && path.isAbsolute(vars.temp), vars.temp);
    assert.equal(stepOf(jobOf(run.report!, 'look'), 'files').outputs['temp-dir'], 'writable');
    assert.equal(stepOf(jobOf(run.report!, 'next'), 'temp').outputs.left, 'absent');
    // ...and removes it when the job ends.
    assert.equal(existsSync(vars.temp!), false);
  });
});
