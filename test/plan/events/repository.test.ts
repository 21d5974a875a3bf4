import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { loginFor, parseRemoteUrl, repositoryInfo } from '../../../src/plan/events/index.ts';
import { TestRepo, record, removeTempDirs } from './test-repo.ts';

after(removeTempDirs);

describe('repositoryInfo', () => {
  it('derives owner, name and URLs from the origin remote and the user from git config', async () => {
    const repo = await TestRepo.create();
    await repo.commit('initial', { 'README.md': 'hi\n' });
    const info = await repositoryInfo(repo.dir);
    assert.equal(info.fullName, 'acme/widgets');
    assert.equal(info.defaultBranch, 'main');
    assert.equal(info.repository.full_name, 'acme/widgets');
    assert.equal(info.repository.name, 'widgets');
    assert.equal(info.repository.html_url, 'https://github.com/acme/widgets');
    assert.equal(info.repository.clone_url, 'https://github.com/acme/widgets.git');
    assert.equal(info.repository.private, false);
    assert.equal(record(info.repository.owner).login, 'acme');
    assert.equal(typeof info.repository.id, 'number');
    assert.equal(info.sender.login, 'jane');
    assert.deepEqual(info.pusher, { name: 'jane', email: 'jane@example.com' });
  });

  it('uses local/<folder> without a remote and origin/HEAD as the default branch when known', async () => {
    const repo = await TestRepo.create({ remote: null, folder: 'my-tool' });
    const first = await repo.commit('initial', { 'a.txt': 'a\n' });
    await repo.git('checkout', '-q', '-b', 'feature');
    await repo.git('update-ref', 'refs/remotes/origin/trunk', first);
    assert.equal((await repositoryInfo(repo.dir)).defaultBranch, 'feature', 'falls back to the current branch');
    await repo.git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    const info = await repositoryInfo(repo.dir);
    assert.equal(info.fullName, 'local/my-tool');
    assert.equal(info.defaultBranch, 'trunk');
  });

  it('parses https, ssh and scp-like remote URLs', () => {
    assert.deepEqual(parseRemoteUrl('https://github.com/acme/widgets.git'), { host: 'github.com', owner: 'acme', name: 'widgets' });
    assert.deepEqual(parseRemoteUrl('https://user:token@github.com/acme/widgets'), { host: 'github.com', owner: 'acme', name: 'widgets' });
    assert.deepEqual(parseRemoteUrl('git@github.com:acme/widgets.git'), { host: 'github.com', owner: 'acme', name: 'widgets' });
    assert.deepEqual(parseRemoteUrl('git@ghe.corp:acme/widgets'), { host: 'ghe.corp', owner: 'acme', name: 'widgets' });
    assert.deepEqual(parseRemoteUrl('ssh://git@github.com:22/acme/widgets.git'), { host: 'github.com', owner: 'acme', name: 'widgets' });
    assert.equal(parseRemoteUrl('/srv/git/widgets.git'), null);
    assert.equal(parseRemoteUrl('C:\\repos\\widgets'), null);
  });

  it('derives logins from GitHub noreply addresses and email local parts', () => {
    assert.equal(loginFor('Jane Doe', '12345+janed@users.noreply.github.com'), 'janed');
    assert.equal(loginFor('Jane Doe', 'jane@example.com'), 'jane');
    assert.equal(loginFor('Jane Doe', ''), 'Jane-Doe');
  });
});
