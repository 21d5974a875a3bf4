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

    it('runs each CI job as far as this machine allows, and says in one line what stopped it', () => {
      const ci = conclusions(push.report!, 'Continuous Integration');
      // The backend legs start PostgreSQL and Redis natively on the fixed ports 5432 and 6379 one
      // after the other; the first to fail cancels the other (fail-fast).
      const legs = [ci['backend-test (3.10)'], ci['backend-test (3.11)']];
      assert.ok(legs.includes('failure'), JSON.stringify(ci));
      assert.ok(legs.every((c) => c === 'failure' || c === 'cancelled'), JSON.stringify(ci));
      assert.deepEqual(
        [ci['frontend-test'], ci['llm-gateway-test'], ci['docker-build'], ci['security-scan']],
        ['failure', 'failure', 'skipped', 'skipped'],
      );
      for (const leg of ['backend-test (3.10)', 'backend-test (3.11)'].filter((job) => ci[job] === 'failure')) {
        assert.match(jobLines(push.stdout, 'Continuous Integration', leg).join('\n'), /postgres service is healthy/);
        const lines = errors(push, 'Continuous Integration', leg);
        assert.equal(lines.length, 1, `${leg}:\n${lines.join('\n')}`);
        // actions/setup-python and actions/cache are built in; the next action, snok/install-poetry, needs the action store.
        assert.match(lines[0]!, /cannot fetch "snok\/install-poetry@v1" from https:\/\/github\.com: working offline|no Python matching/);
      }
      const frontend = errors(push, 'Continuous Integration', 'frontend-test');
      assert.equal(frontend.length, 1, frontend.join('\n'));
      assert.match(frontend[0]!, /no Node\.js matching '18' on this machine \(found: v\d+/);
      // setup-python finds a 3.10 or says which Pythons it found; then `pip install poetry` needs the network.
      const gateway = errors(push, 'Continuous Integration', 'llm-gateway-test');
      assert.ok(gateway.length >= 1, 'llm-gateway-test says why it failed');
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
      assert.match(lines[0]!, /cannot fetch "azure\/k8s-set-context@v1" from https:\/\/github\.com: working offline/);
    });
  });
});
