import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  ZERO_SHA,
  buildDispatchEvent,
  buildEvent,
  buildPullRequestEvent,
  buildPushEvent,
  buildRepositoryDispatchEvent,
  buildScheduleEvent,
  buildWorkflowRunEvent,
  findJsonErrorOffset,
  loadEventFile,
  loginFor,
  parseRemoteUrl,
  repositoryInfo,
} from '../../src/plan/events.ts';
import { GitError, resolveCommit } from '../../src/plan/git.ts';

const execFileAsync = promisify(execFile);

// Keep the machine's git configuration (signing, hooks, identity) out of the test repositories.
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';

const temporaryDirs: string[] = [];

after(async () => {
  await Promise.all(temporaryDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function makeTempDir(prefix: string): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  temporaryDirs.push(dir);
  return dir;
}

/** A real repository with helpers to commit; commit dates advance one minute per commit. */
class TestRepo {
  private clock = Date.parse('2024-05-01T10:00:00Z') / 1000;

  private constructor(readonly dir: string) {}

  static async create(options: { remote?: string | null; folder?: string } = {}): Promise<TestRepo> {
    const parent = await makeTempDir('gantry-events-');
    const dir = join(parent, options.folder ?? 'widgets');
    await mkdir(dir);
    const repo = new TestRepo(dir);
    await repo.git('init', '-q', '-b', 'main');
    await repo.git('config', 'user.name', 'Jane Doe');
    await repo.git('config', 'user.email', 'jane@example.com');
    const remote = options.remote === undefined ? 'https://github.com/acme/widgets.git' : options.remote;
    if (remote !== null) await repo.git('remote', 'add', 'origin', remote);
    return repo;
  }

  async git(...args: string[]): Promise<string> {
    const date = `${this.clock} +0200`;
    const { stdout } = await execFileAsync('git', ['-C', this.dir, ...args], {
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return stdout.trim();
  }

  async write(files: Record<string, string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }

  /** Writes files, removes paths, commits everything; returns the new commit's SHA. */
  async commit(message: string, files: Record<string, string> = {}, removals: string[] = []): Promise<string> {
    await this.write(files);
    for (const path of removals) await this.git('rm', '-q', path);
    await this.git('add', '-A');
    this.clock += 60;
    await this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}

function record(value: unknown): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function list(value: unknown): unknown[] {
  assert.ok(Array.isArray(value), `expected an array, got ${JSON.stringify(value)}`);
  return value;
}

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

  it('locates syntax errors the way JSON.parse rejects them', () => {
    assert.equal(findJsonErrorOffset('{"a": [1, {"b": null}], "c": "\\u00e9"}'), -1);
    assert.equal(findJsonErrorOffset('{"a": tru}'), 6);
    assert.equal(findJsonErrorOffset('{"a": 1,}'), 8);
    assert.equal(findJsonErrorOffset('[1 2]'), 3);
    assert.equal(findJsonErrorOffset('{} x'), 3);
    assert.equal(findJsonErrorOffset('"a\\x"'), 3);
  });
});

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
