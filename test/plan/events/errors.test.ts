import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { buildPushEvent, repositoryInfo } from '../../../src/plan/events/index.ts';
import { GitError } from '../../../src/plan/git.ts';
import { TestRepo, makeTempDir, removeTempDirs } from './test-repo.ts';

after(removeTempDirs);

describe('errors outside a repository', () => {
  it('names the folder that is not a git repository', async () => {
    const dir = await makeTempDir('gantry-not-a-repo-');
    await assert.rejects(buildPushEvent(dir), (error: unknown) => {
      assert.ok(error instanceof GitError);
      assert.equal(error.message, `not a git repository: ${dir}`);
      assert.match(error.command, /^git /);
      return true;
    });
    await assert.rejects(repositoryInfo(join(dir, 'absent')), { message: `no such directory: ${join(dir, 'absent')}` });
  });

  it('says when a repository has no commits yet', async () => {
    const repo = await TestRepo.create();
    await assert.rejects(buildPushEvent(repo.dir), { message: `no commits yet in ${repo.dir}` });
  });
});
