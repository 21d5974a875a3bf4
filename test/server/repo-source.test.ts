// A repository registered by URL is read through a mirror that every read brings up to date; reads at
// the same time (a webhook, a schedule tick, a run's checkout, workflow_run) must not fight over it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
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
});
