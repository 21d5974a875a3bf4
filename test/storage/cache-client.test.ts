// The npm @actions/cache client, unmodified, against Gantry's cache service.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import * as cache from '@actions/cache';
import { actAsJob, branch, restoreEnvironment, startTestServer, writeTree, type TestServer } from './support.ts';

describe('@actions/cache against the cache service', () => {
  let test: TestServer;
  let workspace: string;
  const run = 'run-1';

  before(async () => {
    test = await startTestServer();
    workspace = await mkdtemp(path.join(tmpdir(), 'gantry-cache-ws-'));
  });
  after(async () => {
    restoreEnvironment();
    await test.stop();
    await rm(workspace, { recursive: true, force: true });
  });
  afterEach(async () => {
    await rm(path.join(workspace, 'deps'), { recursive: true, force: true });
  });

  it('saves a folder and restores it by its exact key', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'deps/a.txt': 'alpha', 'deps/sub/b.txt': 'beta' });
    const id = await cache.saveCache(['deps'], 'deps-linux-1');
    assert.ok(id > 0, `cache id ${id}`);
    await rm(path.join(workspace, 'deps'), { recursive: true });
    const hit = await cache.restoreCache(['deps'], 'deps-linux-1');
    assert.equal(hit, 'deps-linux-1');
    assert.equal(await readFile(path.join(workspace, 'deps/sub/b.txt'), 'utf8'), 'beta');
  });

  it('restores the newest entry whose key starts with a restore key', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'deps/v.txt': 'old' });
    assert.ok((await cache.saveCache(['deps'], 'prefix-linux-aaa')) > 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writeTree(workspace, { 'deps/v.txt': 'new' });
    assert.ok((await cache.saveCache(['deps'], 'prefix-linux-bbb')) > 0);
    await rm(path.join(workspace, 'deps'), { recursive: true });
    const hit = await cache.restoreCache(['deps'], 'prefix-linux-zzz', ['prefix-linux-', 'prefix-']);
    assert.equal(hit, 'prefix-linux-bbb');
    assert.equal(await readFile(path.join(workspace, 'deps/v.txt'), 'utf8'), 'new');
  });

  it('misses when the paths (and so the version) differ', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'deps/x.txt': 'x', 'other/y.txt': 'y' });
    assert.ok((await cache.saveCache(['deps'], 'versioned')) > 0);
    assert.equal(await cache.restoreCache(['other'], 'versioned'), undefined);
    assert.equal(await cache.restoreCache(['deps'], 'versioned', [], { lookupOnly: true }), 'versioned');
    await rm(path.join(workspace, 'other'), { recursive: true });
  });

  it('scopes entries by branch: a feature branch reads its own and the default branch, not another branch', async () => {
    await actAsJob(test.server, run, workspace, [branch('feature-a')]);
    await writeTree(workspace, { 'deps/f.txt': 'from feature-a' });
    assert.ok((await cache.saveCache(['deps'], 'scoped-feature')) > 0);
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'deps/f.txt': 'from main' });
    assert.ok((await cache.saveCache(['deps'], 'scoped-main')) > 0);

    await actAsJob(test.server, run, workspace, [branch('feature-b'), branch('main', 1)]);
    assert.equal(await cache.restoreCache(['deps'], 'scoped-feature', [], { lookupOnly: true }), undefined);
    assert.equal(await cache.restoreCache(['deps'], 'scoped-', [], { lookupOnly: true }), 'scoped-main');

    await actAsJob(test.server, run, workspace, [branch('feature-a'), branch('main', 1)]);
    assert.equal(await cache.restoreCache(['deps'], 'scoped-', [], { lookupOnly: true }), 'scoped-feature', 'its own branch comes first');

    await actAsJob(test.server, run, workspace, [branch('main')]);
    assert.equal(await cache.restoreCache(['deps'], 'scoped-feature', [], { lookupOnly: true }), undefined, 'main does not read a feature branch');
    // A save goes to the job's own ref: feature-b saving the same key leaves main's entry alone.
    await actAsJob(test.server, run, workspace, [branch('feature-b'), branch('main', 1)]);
    assert.ok((await cache.saveCache(['deps'], 'scoped-main')) > 0);
    const scopes = (await test.server.cache.entries()).filter((e) => e.key === 'scoped-main').map((e) => e.scope).sort();
    assert.deepEqual(scopes, ['refs/heads/feature-b', 'refs/heads/main']);
  });

  it('lets one of two concurrent saves of the same key reserve it; an existing key is never overwritten', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'deps/c.txt': 'c'.repeat(100_000) });
    const ids = await Promise.all([cache.saveCache(['deps'], 'contended'), cache.saveCache(['deps'], 'contended')]);
    assert.equal(ids.filter((id) => id > 0).length, 1, `ids ${ids.join(', ')}`);
    assert.equal(ids.filter((id) => id === -1).length, 1);
    assert.equal(await cache.saveCache(['deps'], 'contended'), -1, 'the stored entry is immutable');
    assert.equal((await test.server.cache.entries()).filter((e) => e.key === 'contended').length, 1);
  });

  it('refuses requests without a valid runtime token', async () => {
    const response = await fetch(`${test.server.url}_apis/artifactcache/cache?keys=a&version=b`, { headers: { authorization: 'Bearer forged.token.here' } });
    assert.equal(response.status, 401);
    const other = await startTestServer({ cacheDir: test.cacheDir });
    try {
      const job = await other.server.jobToken('x', [branch('main')]);
      const crossed = await fetch(`${test.server.url}_apis/artifactcache/cache?keys=a&version=b`, { headers: { authorization: `Bearer ${job.token}` } });
      assert.equal(crossed.status, 401, "another server's token is not accepted");
    } finally {
      await other.stop();
    }
  });

  it('stores archives content-addressed and keys never become paths', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'deps/t.txt': 'traversal' });
    assert.ok((await cache.saveCache(['deps'], '../../../../escape')) > 0);
    assert.equal(existsSync(path.join(test.root, 'escape')), false);
    assert.equal(existsSync(path.join(path.dirname(test.root), 'escape')), false);
    const blobs = await readdir(path.join(test.cacheDir, 'blobs', 'sha256'), { recursive: true });
    assert.ok(blobs.every((name) => /^[0-9a-f]{2}(\/[0-9a-f]{64})?$/.test(name)), blobs.join(', '));
    assert.equal(await cache.restoreCache(['deps'], '../../../../escape', [], { lookupOnly: true }), '../../../../escape');
    const download = await fetch(`${test.server.url}_apis/artifactcache/archives/..%2F..%2Fentries`);
    assert.equal(download.status, 403, 'an unsigned archive URL is refused');
  });
});
