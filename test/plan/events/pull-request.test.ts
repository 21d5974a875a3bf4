import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { buildPullRequestEvent } from '../../../src/plan/events/index.ts';
import { TestRepo, record, removeTempDirs } from './test-repo.ts';

after(removeTempDirs);

describe('buildPullRequestEvent', () => {
  let repo: TestRepo;
  let mainSha: string;
  let featureSha: string;

  before(async () => {
    repo = await TestRepo.create();
    await repo.commit('initial', { 'app.ts': 'v1\n', 'lib.ts': 'l1\n' });
    await repo.git('checkout', '-q', '-b', 'feature');
    await repo.commit('start feature', { 'app.ts': 'v2\n' });
    featureSha = await repo.commit('Add the widget API\n\nCloses #3.', { 'api/widget.ts': 'w\n' });
    await repo.git('checkout', '-q', 'main');
    mainSha = await repo.commit('unrelated main work', { 'main-only.ts': 'm\n' });
  });

  it('builds refs/pull/N/merge on a real test-merge commit without touching the checkout', async () => {
    const event = await buildPullRequestEvent(repo.dir, { base: 'main', head: 'feature', number: 7 });
    assert.equal(event.name, 'pull_request');
    assert.equal(event.action, 'opened');
    assert.equal(event.ref, 'refs/pull/7/merge');
    assert.equal(event.baseRef, 'main');
    assert.equal(event.headRef, 'feature');
    assert.deepEqual(event.changedFiles, ['api/widget.ts', 'app.ts'], 'three-dot diff: main-only.ts is not part of the PR');

    const parents = (await repo.git('rev-list', '--parents', '-n', '1', event.sha)).split(' ');
    assert.deepEqual(parents, [event.sha, mainSha, featureSha]);
    assert.equal(await repo.git('show', `${event.sha}:main-only.ts`), 'm');
    assert.equal(await repo.git('show', `${event.sha}:api/widget.ts`), 'w');
    assert.equal(await repo.git('rev-parse', 'HEAD'), mainSha);
    assert.equal(await repo.git('status', '--porcelain'), '');
    assert.equal(await repo.git('for-each-ref', '--format=%(refname)', 'refs/pull'), '');

    const again = await buildPullRequestEvent(repo.dir, { base: 'main', head: 'feature', number: 7 });
    assert.equal(again.sha, event.sha, 'the test merge is deterministic');

    const payload = event.payload;
    assert.equal(payload.action, 'opened');
    assert.equal(payload.number, 7);
    const pr = record(payload.pull_request);
    assert.equal(pr.number, 7);
    assert.equal(pr.title, 'Add the widget API');
    assert.equal(pr.body, 'Closes #3.');
    assert.equal(pr.state, 'open');
    assert.equal(pr.draft, false);
    assert.equal(pr.merged, false);
    assert.equal(pr.merge_commit_sha, event.sha);
    assert.equal(pr.commits, 2);
    assert.equal(pr.changed_files, 2);
    assert.equal(pr.additions, 2);
    assert.equal(pr.deletions, 1);
    assert.deepEqual(pr.labels, []);
    assert.equal(record(pr.user).login, 'jane');
    assert.equal(pr.html_url, 'https://github.com/acme/widgets/pull/7');
    const head = record(pr.head);
    const base = record(pr.base);
    assert.deepEqual([head.ref, head.sha, head.label], ['feature', featureSha, 'acme:feature']);
    assert.deepEqual([base.ref, base.sha, base.label], ['main', mainSha, 'acme:main']);
    assert.equal(record(head.repo).full_name, 'acme/widgets');
    assert.equal(record(payload.repository).full_name, 'acme/widgets');
  });

  it('runs pull_request_target on the base branch', async () => {
    const event = await buildPullRequestEvent(repo.dir, { base: 'main', head: 'feature', name: 'pull_request_target', action: 'synchronize' });
    assert.equal(event.name, 'pull_request_target');
    assert.equal(event.ref, 'refs/heads/main');
    assert.equal(event.sha, mainSha);
    assert.equal(event.payload.after, featureSha);
  });

  it('falls back to the head commit when the merge conflicts', async () => {
    await repo.git('checkout', '-q', '-b', 'clash', mainSha);
    await repo.commit('clash with feature', { 'app.ts': 'v3\n' });
    await repo.git('checkout', '-q', 'main');
    const event = await buildPullRequestEvent(repo.dir, { base: 'clash', head: 'feature' });
    assert.equal(event.sha, featureSha);
    const pr = record(event.payload.pull_request);
    assert.equal(pr.mergeable, false);
    assert.equal(pr.merge_commit_sha, null);
  });
});
