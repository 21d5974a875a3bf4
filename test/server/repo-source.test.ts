// A repository registered by URL is read through a mirror that every read brings up to date; reads at
// the same time (a webhook, a schedule tick, a run's checkout, workflow_run) must not fight over it.
// Events and runs are built in private checkouts that borrow the source's objects.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildPushEvent } from '../../src/plan/events/index.ts';
import { findDefaultBranch } from '../../src/plan/events/repository.ts';
import { runGit } from '../../src/plan/git.ts';
import { RepoSources } from '../../src/server/repo-source.ts';
import { createRepo, type TempRepo } from '../support/git-repo.ts';

describe('repository sources by URL', () => {
  let source: TempRepo;
  let dataDir: string;
  before(async () => {
    source = await createRepo({ 'README.md': 'one\n' });
    dataDir = await mkdtemp(path.join(tmpdir(), 'gantry-sources-'));
  });
  after(async () => {
    await source.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('updates the mirror once at a time, and every reader sees what was pushed before it asked', async () => {
    const sources = new RepoSources(dataDir);
    const repo = { id: 7, name: 'remote', path: null, url: `file://${source.dir}`, defaultBranch: 'main', createdAt: new Date().toISOString() };
    const mirror = await sources.gitSource(repo);
    for (let round = 0; round < 5; round++) {
      await source.write('README.md', `round ${round}\n`);
      const pushed = await source.commit(`round ${round}`);
      // Each of these fetches would update refs/heads/main: at once, all but one would fail on its lock.
      const readers = await Promise.all(Array.from({ length: 6 }, () => sources.gitSource(repo)));
      assert.deepEqual(new Set(readers), new Set([mirror]));
      assert.equal((await runGit(mirror, ['rev-parse', 'refs/heads/main'])).trim(), pushed, `round ${round}: the mirror has the push`);
    }
  });

  it('makes private checkouts from the mirror or a registered path, bare or not, as a clone with every branch and tag, named as the repository', async () => {
    const sources = new RepoSources(dataDir);
    await source.git('checkout', '--quiet', '-b', 'feature');
    await source.write('feature.txt', 'x\n');
    const feature = await source.commit('on a branch');
    await source.git('checkout', '--quiet', 'main');
    const main = (await source.git('rev-parse', 'HEAD')).trim();
    await source.git('tag', '--annotate', 'v1', '--message', 'one', 'HEAD~1');
    const bare = path.join(dataDir, 'bare.git');
    await runGit(dataDir, ['clone', '--quiet', '--bare', source.dir, bare]);
    const sourceName = `local/${path.basename(source.dir)}`;
    const registered = [
      { id: 8, name: 'by-url', path: null, url: `file://${source.dir}`, named: sourceName },
      { id: 9, name: 'by-path', path: source.dir, url: null, named: sourceName },
      { id: 10, name: 'bare-path', path: bare, url: null, named: 'local/bare' },
    ];
    for (const { named, ...entry } of registered) {
      const repo = { ...entry, defaultBranch: 'main', createdAt: new Date().toISOString() };
      const plumbing = await sources.checkout(repo, 'HEAD', 'event', { worktree: false });
      const git = (...args: string[]) => runGit(plumbing.dir, args).then((out) => out.trim());
      assert.equal(plumbing.sha, main, entry.name);
      assert.equal(await git('rev-parse', 'HEAD'), main, entry.name);
      assert.equal(await git('rev-parse', 'refs/heads/feature'), feature, `${entry.name}: branches are local`);
      assert.equal(await git('rev-parse', 'refs/remotes/origin/feature'), feature, `${entry.name}: and origin's`);
      assert.equal(await findDefaultBranch(plumbing.dir), 'main', `${entry.name}: origin/HEAD names the default branch`);
      assert.match(await git('describe'), /^v1-1-g[0-9a-f]{7,}$/, `${entry.name}: annotated tags peel`);
      assert.equal(existsSync(path.join(plumbing.dir, 'README.md')), false, `${entry.name}: no files without a worktree`);
      const event = await buildPushEvent(plumbing.dir, { ref: 'refs/heads/main' });
      assert.equal((event.payload.repository as { full_name: string }).full_name, named, `${entry.name}: the repository is named as the CLI names it there, not after the checkout's folder`);
      const run = await sources.checkout(repo, feature, 'run');
      assert.equal(existsSync(path.join(run.dir, 'feature.txt')), true, `${entry.name}: the run's checkout has the commit's files`);
      assert.equal((await runGit(run.dir, ['status', '--porcelain'])).trim(), '', entry.name);
      for (const made of [plumbing, run]) {
        await made.dispose();
        assert.equal(existsSync(made.dir), false);
      }
    }
    await source.git('remote', 'add', 'origin', 'https://github.com/team/app.git');
    const withOrigin = await sources.checkout({ ...registered[1]!, defaultBranch: 'main', createdAt: '' }, 'HEAD', 'event', { worktree: false });
    const event = await buildPushEvent(withOrigin.dir, { ref: 'refs/heads/main' });
    assert.equal((event.payload.repository as { full_name: string }).full_name, 'team/app', "a registered folder's origin names the repository");
    await withOrigin.dispose();
    await assert.rejects(sources.checkout({ ...registered[1]!, defaultBranch: 'main', createdAt: '' }, 'no-such-ref', 'bad'), /no-such-ref|unknown revision|Needed a single revision/);
  });
});
