import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ZERO_SHA, buildPushEvent } from '../../../src/plan/events/index.ts';
import { GitError, readCommit, resolveCommit } from '../../../src/plan/git.ts';
import { TestRepo, list, record, removeTempDirs } from './test-repo.ts';

after(removeTempDirs);

describe('buildPushEvent', () => {
  let repo: TestRepo;
  const shas: string[] = [];

  before(async () => {
    repo = await TestRepo.create();
    shas.push(await repo.commit('initial', { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n' }));
    shas.push(await repo.commit('change a, add d', { 'a.txt': 'a2\n', 'src/d.txt': 'd\n' }));
    shas.push(await repo.commit('remove b', {}, ['b.txt']));
    await repo.git('mv', 'c.txt', 'e.txt');
    shas.push(await repo.commit('rename c to e\n\nWith a body.'));
  });

  it('lists the commits between before and after, oldest first, with their file changes', async () => {
    const event = await buildPushEvent(repo.dir, { before: shas[0] });
    assert.equal(event.name, 'push');
    assert.equal(event.ref, 'refs/heads/main');
    assert.equal(event.sha, shas[3]);
    const payload = event.payload;
    assert.equal(payload.ref, 'refs/heads/main');
    assert.equal(payload.before, shas[0]);
    assert.equal(payload.after, shas[3]);
    assert.equal(payload.created, false);
    assert.equal(payload.deleted, false);
    assert.equal(payload.forced, false);
    assert.equal(payload.base_ref, null);
    assert.equal(payload.compare, `https://github.com/acme/widgets/compare/${shas[0]?.slice(0, 12)}...${shas[3]?.slice(0, 12)}`);

    const commits = list(payload.commits).map(record);
    assert.deepEqual(
      commits.map((commit) => commit.id),
      shas.slice(1),
    );
    assert.deepEqual(
      commits.map((commit) => [commit.added, commit.removed, commit.modified]),
      [
        [['src/d.txt'], [], ['a.txt']],
        [[], ['b.txt'], []],
        [['e.txt'], ['c.txt'], []],
      ],
    );
    const last = commits[2] ?? {};
    assert.equal(last.message, 'rename c to e\n\nWith a body.');
    assert.equal(last.distinct, true);
    assert.equal(last.url, `https://github.com/acme/widgets/commit/${shas[3]}`);
    assert.equal(last.timestamp, '2024-05-01T12:04:00+02:00');
    assert.match(String(last.tree_id), /^[0-9a-f]{40}$/);
    assert.deepEqual(last.author, { name: 'Jane Doe', email: 'jane@example.com', username: 'jane' });
    assert.equal(record(payload.head_commit).id, shas[3]);
    assert.equal(record(payload.repository).full_name, 'acme/widgets');
    assert.equal(record(payload.sender).login, 'jane');

    assert.deepEqual(event.changedFiles, ['a.txt', 'b.txt', 'c.txt', 'e.txt', 'src/d.txt']);
  });

  it('gives each pushed commit its changes against its first parent: a root commit adds every file, a merge brings its branch', async () => {
    const fresh = await TestRepo.create();
    await fresh.commit('root', { 'r.txt': 'r\n', 'dir/s.txt': 's\n' });
    await fresh.git('checkout', '-q', '-b', 'topic');
    await fresh.commit('topic', { 't.txt': 't\n' });
    await fresh.git('checkout', '-q', 'main');
    await fresh.commit('main work', { 'r.txt': 'r2\n' });
    await fresh.git('merge', '-q', '--no-ff', '--no-edit', '-m', 'merge topic', 'topic');
    const event = await buildPushEvent(fresh.dir, { before: ZERO_SHA });
    const changes = Object.fromEntries(list(event.payload.commits).map(record).map((c) => [String(c.message), [c.added, c.removed, c.modified]]));
    assert.deepEqual(changes, {
      root: [['dir/s.txt', 'r.txt'], [], []],
      topic: [['t.txt'], [], []],
      'main work': [[], [], ['r.txt']],
      'merge topic': [['t.txt'], [], []],
    });
    const head = record(event.payload.head_commit);
    assert.equal(head.message, 'merge topic');
    assert.deepEqual([head.added, head.removed, head.modified], [['t.txt'], [], []]);
  });

  it('defaults to the checked-out branch with its first parent as before', async () => {
    const event = await buildPushEvent(repo.dir);
    assert.equal(event.ref, 'refs/heads/main');
    assert.equal(event.payload.before, shas[2]);
    assert.equal(list(event.payload.commits).length, 1);
    assert.deepEqual(event.changedFiles, ['c.txt', 'e.txt']);
  });

  it('marks a push whose before is not an ancestor as forced', async () => {
    await repo.git('checkout', '-q', '-b', 'side', shas[1] ?? '');
    const sideSha = await repo.commit('side work', { 'side.txt': 's\n' });
    await repo.git('checkout', '-q', 'main');
    const event = await buildPushEvent(repo.dir, { ref: 'side', before: shas[3] });
    assert.equal(event.ref, 'refs/heads/side');
    assert.equal(event.sha, sideSha);
    assert.equal(event.payload.forced, true);
  });

  it('pushes a new annotated tag as created, with no commits and no changed files', async () => {
    await repo.git('tag', '-a', 'v1.0', '-m', 'release 1.0', shas[2] ?? '');
    const tagObject = await repo.git('rev-parse', 'refs/tags/v1.0');
    const event = await buildPushEvent(repo.dir, { ref: 'v1.0' });
    assert.equal(event.ref, 'refs/tags/v1.0');
    assert.equal(event.sha, shas[2]);
    assert.equal(event.payload.before, ZERO_SHA);
    assert.equal(event.payload.after, tagObject);
    assert.notEqual(tagObject, shas[2]);
    assert.equal(event.payload.created, true);
    assert.deepEqual(event.payload.commits, []);
    assert.equal(record(event.payload.head_commit).id, shas[2]);
    assert.equal(event.payload.compare, 'https://github.com/acme/widgets/compare/v1.0');
    assert.equal(event.changedFiles, undefined);

    await repo.git('tag', 'light', shas[1] ?? '');
    const light = await buildPushEvent(repo.dir, { ref: 'refs/tags/light' });
    assert.equal(light.sha, shas[1]);
    assert.equal(light.payload.after, shas[1]);
  });

  it('rejects an unknown ref naming it and the repository', async () => {
    await assert.rejects(buildPushEvent(repo.dir, { ref: 'nope' }), (error: unknown) => {
      assert.ok(error instanceof GitError);
      assert.equal(error.message, `unknown branch or tag 'nope' in ${repo.dir}`);
      return true;
    });
    await assert.rejects(resolveCommit(repo.dir, 'foo'), { name: 'GitError', message: `unknown revision 'foo' in ${repo.dir}` });
    // A full id is read without resolving it first; one git does not know still gets the clear error.
    const missing = 'f'.repeat(40);
    await assert.rejects(readCommit(repo.dir, missing), { name: 'GitError', message: `unknown revision '${missing}' in ${repo.dir}` });
    assert.equal((await readCommit(repo.dir, shas[2]!)).message, 'remove b');
  });
});

describe('buildPushEvent on a root commit', () => {
  it('sends the all-zero before SHA and every file as added', async () => {
    const repo = await TestRepo.create();
    const root = await repo.commit('initial', { 'a.txt': 'a\n', 'docs/guide.md': 'g\n' });
    const event = await buildPushEvent(repo.dir);
    assert.equal(event.payload.before, ZERO_SHA);
    assert.equal(event.payload.after, root);
    assert.equal(event.payload.created, true);
    assert.equal(event.payload.forced, false);
    const commits = list(event.payload.commits).map(record);
    assert.equal(commits.length, 1);
    assert.deepEqual(commits[0]?.added, ['a.txt', 'docs/guide.md']);
    assert.deepEqual(event.changedFiles, ['a.txt', 'docs/guide.md']);
  });

  it('keeps only the newest 20 commits of a long created branch', async () => {
    const repo = await TestRepo.create();
    for (let index = 0; index < 25; index++) await repo.commit(`commit ${index}`, { [`f${index}.txt`]: `${index}\n` });
    const event = await buildPushEvent(repo.dir, { before: ZERO_SHA });
    const messages = list(event.payload.commits).map((commit) => record(commit).message);
    assert.equal(messages.length, 20);
    assert.equal(messages[0], 'commit 5');
    assert.equal(messages[19], 'commit 24');
    assert.equal(event.changedFiles?.length, 25);
  });
});
