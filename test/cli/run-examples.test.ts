// The example pipeline (examples/ai-etl, inside this repository: its events come
// from Gantry's own git history) passes; the seed's workflows, verbatim, fail job
// by job with one line saying what each job needs that Gantry does not have yet.

import assert from 'node:assert/strict';
import { readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { conclusions, gantryRun, jobLines, workflowOf, workflowRepo, type RunOutcome, type RunReport } from '../support/run.ts';

const example = fileURLToPath(new URL('../../examples/ai-etl', import.meta.url));
const seed = (name: string) => readFile(new URL(`../../../shared/seed/workflows/${name}`, import.meta.url), 'utf8');

/** Removes a run's log folder from the example, and .gantry itself when nothing else is in it. */
async function removeRunLogs(report: RunReport | undefined): Promise<void> {
  if (!report) return;
  await rm(report.logDir, { recursive: true, force: true });
  for (const folder of [path.dirname(report.logDir), path.dirname(path.dirname(report.logDir))]) {
    await rmdir(folder).catch(() => {});
  }
}

describe('gantry run: examples', { concurrency: true }, () => {
  describe('the example pipeline', { concurrency: true }, () => {
    const reports: (RunReport | undefined)[] = [];
    after(() => Promise.all(reports.map(removeRunLogs)));

    it('runs Continuous Integration for a push to main: 6 jobs succeed', async () => {
      const run = await gantryRun(example, ['--ref', 'main']);
      reports.push(run.report);
      assert.equal(run.code, 0, run.stderr + run.stdout.slice(-3000));
      assert.equal(run.report!.conclusion, 'success');
      assert.deepEqual(conclusions(run.report!, 'Continuous Integration'), {
        'backend-test (3.10)': 'success',
        'backend-test (3.11)': 'success',
        'frontend-test': 'success',
        'llm-gateway-test': 'success',
        'docker-build': 'success',
        'security-scan': 'success',
      });
      const outputs = workflowOf(run.report!, 'Continuous Integration').jobs.find((job) => job.id === 'docker-build')!.outputs;
      assert.deepEqual(Object.keys(outputs).sort(), ['backend-digest', 'frontend-digest', 'llm-gateway-digest']);
      for (const digest of Object.values(outputs)) assert.match(digest, /^sha256:[0-9a-f]{64}$/);
      assert.match(run.stdout, /✅ 6 jobs succeeded/);
    });

    it('runs Deploy for a completed Continuous Integration run on main: 3 jobs succeed', async () => {
      const run = await gantryRun(example, ['--event', 'workflow_run', '--triggering-workflow', 'Continuous Integration', '--ref', 'main']);
      reports.push(run.report);
      assert.equal(run.code, 0, run.stderr + run.stdout.slice(-3000));
      assert.deepEqual(conclusions(run.report!, 'Deploy'), {
        'deploy-staging': 'success',
        'e2e-tests': 'success',
        'deploy-production': 'success',
      });
    });
  });

  describe("the seed's workflows, verbatim", () => {
    let repo: TempRepo;
    let push: RunOutcome;
    let deploy: RunOutcome;
    before(async () => {
      repo = await workflowRepo({ 'ci.yml': await seed('ci.yml'), 'deploy.yml': await seed('deploy.yml') }, { 'backend/app.py': 'print(1)\n' });
      [push, deploy] = await Promise.all([
        gantryRun(repo),
        gantryRun(repo, ['--event', 'workflow_run', '--triggering-workflow', 'Continuous Integration', '--ref', 'main']),
      ]);
    });
    after(() => repo.remove());

    /** The `Error:` lines printed for a job. */
    const errors = (run: RunOutcome, workflow: string, job: string) => jobLines(run.stdout, workflow, job).filter((line) => line.includes('Error: '));

    it('exits 1 without a stack trace', () => {
      for (const run of [push, deploy]) {
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.stderr, '');
        assert.doesNotMatch(run.stdout, /\n {4}at /);
        assert.equal(run.report!.conclusion, 'failure');
      }
    });

    it('fails each CI job that runs with one line naming the services or the action it needs; the jobs after them are skipped', () => {
      assert.deepEqual(conclusions(push.report!, 'Continuous Integration'), {
        'backend-test (3.10)': 'failure',
        'backend-test (3.11)': 'failure',
        'frontend-test': 'failure',
        'llm-gateway-test': 'failure',
        'docker-build': 'skipped',
        'security-scan': 'skipped',
      });
      const expected: Record<string, RegExp> = {
        'backend-test (3.10)': /needs service containers: postgres \(postgres:15\), redis \(redis:7-alpine\)/,
        'backend-test (3.11)': /needs service containers: postgres \(postgres:15\), redis \(redis:7-alpine\)/,
        'frontend-test': /cannot run "actions\/setup-node@v4" here/,
        'llm-gateway-test': /cannot run "actions\/setup-python@v4" here/,
      };
      for (const [job, reason] of Object.entries(expected)) {
        const lines = errors(push, 'Continuous Integration', job);
        assert.equal(lines.length, 1, `${job}:\n${lines.join('\n')}`);
        assert.match(lines[0]!, reason);
      }
      for (const job of ['docker-build', 'security-scan']) assert.deepEqual(errors(push, 'Continuous Integration', job), []);
    });

    it('fails Deploy the same way, on the kubectl action its first job needs', () => {
      assert.deepEqual(conclusions(deploy.report!, 'Deploy'), {
        'deploy-staging': 'failure',
        'e2e-tests': 'skipped',
        'deploy-production': 'skipped',
      });
      const lines = errors(deploy, 'Deploy', 'deploy-staging');
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /cannot run "azure\/k8s-set-context@v1" here/);
    });
  });
});
