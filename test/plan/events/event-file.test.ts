import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { loadEventFile } from '../../../src/plan/events/index.ts';
import { TestRepo, makeTempDir, removeTempDirs } from './test-repo.ts';

after(removeTempDirs);

describe('loadEventFile', () => {
  let repo: TestRepo;
  let headSha: string;

  before(async () => {
    repo = await TestRepo.create();
    headSha = await repo.commit('initial', { 'a.txt': 'a\n' });
  });

  async function eventFile(content: string): Promise<string> {
    const path = join(await makeTempDir('gantry-eventfile-'), 'event.json');
    await writeFile(path, content);
    return path;
  }

  it('reads ref, sha and branches of a pull_request payload', async () => {
    const path = await eventFile(
      JSON.stringify({
        action: 'synchronize',
        number: 42,
        pull_request: { number: 42, head: { ref: 'topic', sha: 'abc123' }, base: { ref: 'main', sha: 'def456' } },
      }),
    );
    const event = await loadEventFile(path, 'pull_request', repo.dir);
    assert.deepEqual(
      [event.name, event.action, event.ref, event.sha, event.baseRef, event.headRef],
      ['pull_request', 'synchronize', 'refs/pull/42/merge', 'abc123', 'main', 'topic'],
    );
    assert.equal(event.payload.number, 42);

    const target = await loadEventFile(path, 'pull_request_target', repo.dir);
    assert.deepEqual([target.ref, target.sha], ['refs/heads/main', 'def456']);
  });

  it('reads ref, after and changed files of a push payload', async () => {
    const path = await eventFile(
      JSON.stringify({ ref: 'refs/heads/release', after: 'f00d', commits: [{ added: ['x.ts'], removed: [], modified: ['a.txt'] }] }),
    );
    const event = await loadEventFile(path, 'push', repo.dir);
    assert.deepEqual([event.ref, event.sha], ['refs/heads/release', 'f00d']);
    assert.deepEqual(event.changedFiles, ['a.txt', 'x.ts']);
  });

  it('falls back to the checked-out branch and commit for other events', async () => {
    const path = await eventFile('{"inputs": {"n": 3, "s": "x"}}');
    const event = await loadEventFile(path, 'workflow_dispatch', repo.dir);
    assert.deepEqual([event.ref, event.sha], ['refs/heads/main', headSha]);
    assert.deepEqual(event.inputs, { n: '3', s: 'x' });
  });

  it('reports invalid JSON with the file, line and column', async () => {
    const missingValue = await eventFile('{\n  "ref": "refs/heads/main",\n  "after": }\n');
    await assert.rejects(loadEventFile(missingValue, 'push', repo.dir), {
      message: `invalid JSON in event file ${missingValue} at line 3, column 12: Unexpected token '}'`,
    });
    const missingComma = await eventFile('{\n  "a": 1\n  "b": 2\n}');
    await assert.rejects(loadEventFile(missingComma, 'push', repo.dir), /at line 3, column 3: Expected ',' or '}' after property value$/);
    const truncated = await eventFile('{"a": [1, 2');
    await assert.rejects(loadEventFile(truncated, 'push', repo.dir), /at line 1, column 12: /);
    const empty = await eventFile('\n\n');
    await assert.rejects(loadEventFile(empty, 'push', repo.dir), /at line 3, column 1: Unexpected end of JSON input$/);
    await assert.rejects(loadEventFile(await eventFile('[1]'), 'push', repo.dir), /must contain a JSON object/);
    await assert.rejects(loadEventFile(join(repo.dir, 'missing.json'), 'push', repo.dir), /cannot read event file .*missing\.json/);
  });
});
