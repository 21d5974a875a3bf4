import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  buildDispatchEvent,
  buildEvent,
  buildRepositoryDispatchEvent,
  buildScheduleEvent,
  buildWorkflowRunEvent,
} from '../../../src/plan/events/index.ts';
import { TestRepo, record, removeTempDirs } from './test-repo.ts';

after(removeTempDirs);

describe('workflow_run, dispatch, schedule and other events', () => {
  let repo: TestRepo;
  let mainSha: string;
  let featureSha: string;

  before(async () => {
    repo = await TestRepo.create();
    mainSha = await repo.commit('initial', { 'a.txt': 'a\n' });
    await repo.git('checkout', '-q', '-b', 'feature');
    featureSha = await repo.commit('Feature work', { 'b.txt': 'b\n' });
    await repo.git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
    await repo.git('update-ref', 'refs/remotes/origin/main', mainSha);
  });

  it('runs workflow_run on the default branch and describes the finished run in the payload', async () => {
    const event = await buildWorkflowRunEvent(repo.dir, { workflowName: 'CI', conclusion: 'failure' });
    assert.equal(event.name, 'workflow_run');
    assert.equal(event.action, 'completed');
    assert.equal(event.ref, 'refs/heads/main');
    assert.equal(event.sha, mainSha);
    const run = record(event.payload.workflow_run);
    assert.equal(run.name, 'CI');
    assert.equal(run.conclusion, 'failure');
    assert.equal(run.status, 'completed');
    assert.equal(run.head_branch, 'feature');
    assert.equal(run.head_sha, featureSha);
    assert.equal(run.event, 'push');
    assert.equal(run.run_number, 1);
    assert.equal(run.display_title, 'Feature work');
    assert.equal(record(event.payload.workflow).name, 'CI');

    const requested = await buildWorkflowRunEvent(repo.dir, { workflowName: 'CI', action: 'requested', branch: 'main', event: 'pull_request' });
    const requestedRun = record(requested.payload.workflow_run);
    assert.equal(requestedRun.conclusion, null);
    assert.equal(requestedRun.head_branch, 'main');
    assert.equal(requestedRun.event, 'pull_request');
  });

  it('runs workflow_dispatch on the given ref with its inputs', async () => {
    const event = await buildDispatchEvent(repo.dir, { ref: 'main', inputs: { level: 'debug' } });
    assert.equal(event.name, 'workflow_dispatch');
    assert.equal(event.ref, 'refs/heads/main');
    assert.equal(event.sha, mainSha);
    assert.deepEqual(event.inputs, { level: 'debug' });
    assert.deepEqual(event.payload.inputs, { level: 'debug' });
    assert.equal(event.payload.ref, 'refs/heads/main');
    assert.equal(record(event.payload.sender).login, 'jane');

    const current = await buildDispatchEvent(repo.dir);
    assert.equal(current.ref, 'refs/heads/feature');
    assert.equal(current.sha, featureSha);
  });

  it('runs repository_dispatch, schedule and generic events on the default branch', async () => {
    const dispatch = await buildRepositoryDispatchEvent(repo.dir, { eventType: 'deploy', clientPayload: { env: 'prod' } });
    assert.deepEqual([dispatch.name, dispatch.action, dispatch.ref, dispatch.sha], ['repository_dispatch', 'deploy', 'refs/heads/main', mainSha]);
    assert.deepEqual(dispatch.payload.client_payload, { env: 'prod' });
    assert.equal(dispatch.payload.action, 'deploy');

    const schedule = await buildScheduleEvent(repo.dir, { cron: '0 3 * * *' });
    assert.deepEqual([schedule.ref, schedule.sha, schedule.schedule], ['refs/heads/main', mainSha, '0 3 * * *']);
    assert.deepEqual(schedule.payload, { schedule: '0 3 * * *' });

    const issues = await buildEvent(repo.dir, 'issues', { action: 'opened', payload: { issue: { number: 4 } } });
    assert.deepEqual([issues.name, issues.action, issues.ref, issues.sha], ['issues', 'opened', 'refs/heads/main', mainSha]);
    assert.equal(issues.payload.action, 'opened');
    assert.deepEqual(issues.payload.issue, { number: 4 });
    assert.equal(record(issues.payload.repository).default_branch, 'main');
  });
});
