// Webhooks end to end: a signed GitHub push becomes a completed run (and chains a workflow_run
// run); unsigned, badly signed, oversized, malformed and replayed deliveries are refused with a
// reason, recorded, and start nothing; GitLab's token; a git hook installed by `gantry hooks install`.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { runGantry } from '../support/cli.ts';
import { startTestServer, type TestServer } from './support.ts';

const CI = `name: CI
on:
  push:
    branches: [main]
  pull_request:
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "built \${{ github.sha }}"
`;
const DISPATCHED = `name: On demand
on:
  repository_dispatch:
    types: [deploy]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo "payload says \${{ github.event.client_payload.target }}"
`;
const AFTER_CI = `name: After CI
on:
  workflow_run:
    workflows: [CI]
    types: [requested, completed]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - run: echo "CI \${{ github.event.action }}"
`;

const run = promisify(execFile);

function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('webhooks', () => {
  let server: TestServer;
  let repo: TempRepo;
  let secret = '';
  before(async () => {
    repo = await createRepo({ '.github/workflows/ci.yml': CI, '.github/workflows/after.yml': AFTER_CI, '.github/workflows/dispatched.yml': DISPATCHED });
    server = await startTestServer({ webhookMaxBytes: 64 * 1024 });
    const added = await server.api<{ webhookSecret: string }>('POST', '/api/repos', { name: 'hooked', path: repo.dir });
    assert.equal(added.status, 201, added.text);
    secret = added.body.webhookSecret;
  });
  after(async () => {
    await server.stop();
    await repo.remove();
  });

  const deliver = (body: string, headers: Record<string, string>, route = '/hooks/github') =>
    fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const runCount = async () => (await server.api<{ runs: unknown[] }>('GET', '/api/runs?limit=200')).body.runs.length;

  test('a signed push runs CI to completion and chains the workflow_run workflow', async () => {
    const sha = await repo.git('rev-parse', 'HEAD');
    const body = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, head_commit: { id: sha }, repository: { name: 'hooked', full_name: 'team/hooked' }, sender: { login: 'octo' } });
    const id = randomUUID();
    const response = await deliver(body, { 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': sign(secret, body) });
    assert.equal(response.status, 202, await response.clone().text());
    const { runs } = (await response.json()) as { runs: number[] };
    assert.equal(runs.length, 1);
    const run = await server.waitForRun(runs[0]!);
    assert.equal(run.conclusion, 'success');
    const shown = await server.api<{ actor: string; sha: string; event: string }>('GET', `/api/runs/${runs[0]}`);
    assert.deepEqual([shown.body.actor, shown.body.sha, shown.body.event], ['octo', sha, 'push']);

    // A push to the default branch: its own workflows tell that After CI listens, for requested and completed.
    let chained: { id: number; event: string; workflowName: string }[] = [];
    for (let i = 0; i < 300 && chained.length < 2; i++) {
      chained = (await server.api<{ runs: { id: number; event: string; workflowName: string }[] }>('GET', '/api/runs?event=workflow_run')).body.runs;
      if (chained.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(chained.map((r) => r.workflowName), ['After CI', 'After CI']);
    for (const link of chained) assert.equal((await server.waitForRun(link.id)).conclusion, 'success');

    const replay = await deliver(body, { 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': sign(secret, body) });
    assert.equal(replay.status, 409);
  });

  test('unsigned, badly signed, oversized and malformed deliveries are refused, recorded, and start nothing', async () => {
    const before = await runCount();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), repository: { full_name: 'team/hooked' } });
    const cases: [string, Promise<Response>, number][] = [
      ['unsigned', deliver(body, { 'x-github-event': 'push', 'x-github-delivery': randomUUID() }), 401],
      ['bad signature', deliver(body, { 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign('wrong', body) }), 401],
      ['oversized', deliver(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), { 'x-github-event': 'push' }), 413],
      ['malformed', deliver('{"ref": ', { 'x-github-event': 'push', 'x-hub-signature-256': sign(secret, '{"ref": ') }), 400],
      ['no event header', deliver(body, { 'x-hub-signature-256': sign(secret, body) }), 400],
      ['unknown repository', deliver(JSON.stringify({ repository: { full_name: 'x/nope' } }), { 'x-github-event': 'push' }), 404],
      ['not JSON', fetch(`${server.url}/hooks/github`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-github-event': 'push' }, body: 'hi' }), 415],
    ];
    for (const [name, pending, status] of cases) {
      const response = await pending;
      assert.equal(response.status, status, name);
      const answer = (await response.json()) as { error: { code: string; message: string } };
      assert.deepEqual(Object.keys(answer), ['error'], `${name}: only the error`);
      assert.equal(answer.error.code, status === 413 ? 'too_large' : 'rejected', name);
      assert.ok(answer.error.message.length > 0, `${name} says why`);
    }
    assert.equal(await runCount(), before, 'no runs were created');
    const deliveries = await server.api<{ deliveries: { result: string; statusCode: number }[] }>('GET', '/api/webhooks/deliveries');
    const rejected = deliveries.body.deliveries.filter((d) => d.result === 'rejected').map((d) => d.statusCode).sort();
    assert.deepEqual(rejected, [400, 400, 401, 401, 404, 413, 415]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /gantry_webhook_deliveries_total\{provider="github",result="rejected"\} 7/);
  });

  test('GitLab push hooks need the X-Gitlab-Token', async () => {
    const sha = await repo.git('rev-parse', 'HEAD');
    const body = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, checkout_sha: sha, project: { name: 'hooked', path_with_namespace: 'team/hooked' }, commits: [] });
    const bad = await deliver(body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'nope' }, '/hooks/gitlab');
    assert.equal(bad.status, 401);
    const good = await deliver(body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret, 'x-gitlab-event-uuid': randomUUID() }, '/hooks/gitlab');
    assert.equal(good.status, 202, await good.clone().text());
    const { runs } = (await good.json()) as { runs: number[] };
    assert.equal((await server.waitForRun(runs[0]!)).conclusion, 'success');
  });

  test('a GitLab merge request hook runs pull_request workflows; an unsupported GitLab event is refused', async () => {
    const mainSha = await repo.git('rev-parse', 'main');
    await repo.git('checkout', '-q', '-b', 'mr-branch');
    await repo.write('mr.txt', 'mr\n');
    const headSha = await repo.commit('merge request work');
    await repo.git('checkout', '-q', 'main');
    const body = JSON.stringify({
      object_kind: 'merge_request',
      user: { username: 'gl-user' },
      project: { name: 'hooked', path_with_namespace: 'team/hooked' },
      object_attributes: { iid: 12, action: 'open', source_branch: 'mr-branch', target_branch: 'main', last_commit: { id: headSha }, title: 'MR' },
    });
    const response = await deliver(body, { 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-token': secret, 'x-gitlab-event-uuid': randomUUID() }, '/hooks/gitlab');
    assert.equal(response.status, 202, await response.clone().text());
    const [runId] = ((await response.json()) as { runs: number[] }).runs;
    const view = await server.api<{ event: string; ref: string; branch: string; sha: string; actor: string }>('GET', `/api/runs/${runId}`);
    assert.deepEqual([view.body.event, view.body.ref, view.body.branch, view.body.sha, view.body.actor], ['pull_request', 'refs/pull/12/merge', 'mr-branch', headSha, 'gl-user']);
    assert.notEqual(headSha, mainSha);
    assert.equal((await server.waitForRun(runId!)).conclusion, 'success');
    const note = await deliver(JSON.stringify({ project: { path_with_namespace: 'team/hooked' } }), { 'x-gitlab-event': 'Note Hook', 'x-gitlab-token': secret }, '/hooks/gitlab');
    assert.equal(note.status, 400);
    assert.match(((await note.json()) as { error: { message: string } }).error.message, /Note Hook.*not supported/);
  });

  test('gantry hooks install reports a new commit of a working repository', async () => {
    const installed = await runGantry(['hooks', 'install', '-C', repo.dir, '--server', server.url, '--repo', 'hooked', '--secret', secret]);
    assert.equal(installed.code, 0, installed.stderr);
    const before = await runCount();
    await repo.write('file.txt', 'change\n');
    const sha = await repo.commit('a change');
    let run: { id: number; sha: string } | undefined;
    for (let i = 0; i < 300 && !run; i++) {
      const list = await server.api<{ runs: { id: number; sha: string; event: string }[] }>('GET', '/api/runs?event=push&limit=200');
      run = list.body.runs.find((r) => r.sha === sha);
      if (!run) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(run, 'the commit was reported and queued');
    assert.ok((await runCount()) > before);
    assert.equal((await server.waitForRun(run.id)).conclusion, 'success');
  });

  test('a repository registered by URL is mirrored; a push to a bare repository reports through post-receive', async () => {
    const bare = await mkdtemp(path.join(tmpdir(), 'gantry-bare-'));
    const clone = await mkdtemp(path.join(tmpdir(), 'gantry-clone-'));
    try {
      const git = (cwd: string, ...args: string[]) => run('git', args, { cwd });
      await git(repo.dir, 'clone', '--quiet', '--bare', repo.dir, bare);
      const added = await server.api<{ webhookSecret: string; repo: { source: { url?: string }; defaultBranch: string } }>('POST', '/api/repos', { name: 'mirrored', url: `file://${bare}` });
      assert.equal(added.status, 201, added.text);
      assert.equal(added.body.repo.defaultBranch, 'main');
      const installed = await runGantry(['hooks', 'install', '-C', bare, '--server', server.url, '--repo', 'mirrored', '--secret', added.body.webhookSecret]);
      assert.equal(installed.code, 0, installed.stderr);
      assert.match(installed.stdout, /post-receive/);
      await git(clone, 'clone', '--quiet', bare, '.');
      await git(clone, 'config', 'user.name', 'T');
      await git(clone, 'config', 'user.email', 't@example.invalid');
      await writeFile(path.join(clone, 'pushed.txt'), 'pushed\n');
      await git(clone, 'add', '-A');
      await git(clone, 'commit', '-q', '-m', 'pushed change');
      const sha = (await git(clone, 'rev-parse', 'HEAD')).stdout.trim();
      await git(clone, 'push', '-q', 'origin', 'main');
      let found: { id: number; repo: string } | undefined;
      for (let i = 0; i < 300 && !found; i++) {
        const list = await server.api<{ runs: { id: number; repo: string; sha: string }[] }>('GET', '/api/runs?repo=mirrored');
        found = list.body.runs.find((r) => r.sha === sha);
        if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(found, 'the push was reported and the mirror fetched the new commit');
      assert.equal((await server.waitForRun(found.id)).conclusion, 'success');
    } finally {
      await rm(bare, { recursive: true, force: true });
      await rm(clone, { recursive: true, force: true });
    }
  });

  test("a push to a branch other than the repository's checked-out one runs the workflows of the pushed commit", async () => {
    await repo.git('checkout', '-q', '-b', 'release');
    await repo.write('.github/workflows/release.yml', 'name: Release\non:\n  push:\n    branches: [release]\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "shipping"\n');
    const sha = await repo.commit('release workflow');
    await repo.git('checkout', '-q', 'main');
    const body = JSON.stringify({ ref: 'refs/heads/release', before: '0'.repeat(40), after: sha, repository: { name: 'hooked', full_name: 'team/hooked' }, sender: { login: 'octo' } });
    const response = await deliver(body, { 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign(secret, body) });
    assert.equal(response.status, 202, await response.clone().text());
    const { runs } = (await response.json()) as { runs: number[] };
    assert.equal(runs.length, 1, 'release.yml exists only at the pushed commit');
    const view = await server.api<{ workflowName: string; sha: string }>('GET', `/api/runs/${runs[0]}`);
    assert.deepEqual([view.body.workflowName, view.body.sha], ['Release', sha]);
    assert.equal((await server.waitForRun(runs[0]!)).conclusion, 'success');
  });

  test('GitHub pull_request and repository_dispatch, and a Gitea push signed with X-Gitea-Signature', async () => {
    const mainSha = await repo.git('rev-parse', 'main');
    await repo.git('checkout', '-q', '-b', 'feature');
    await repo.write('feature.txt', 'feature\n');
    const headSha = await repo.commit('feature work');
    await repo.git('checkout', '-q', 'main');
    const pr = JSON.stringify({
      action: 'opened',
      number: 7,
      pull_request: { number: 7, head: { ref: 'feature', sha: headSha }, base: { ref: 'main', sha: mainSha } },
      repository: { full_name: 'team/hooked', name: 'hooked' },
      sender: { login: 'contributor' },
    });
    const prResponse = await deliver(pr, { 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign(secret, pr) });
    assert.equal(prResponse.status, 202, await prResponse.clone().text());
    const prRun = ((await prResponse.json()) as { runs: number[] }).runs;
    assert.equal(prRun.length, 1, 'CI runs for the pull request');
    const prView = await server.api<{ event: string; ref: string; branch: string; sha: string }>('GET', `/api/runs/${prRun[0]}`);
    assert.deepEqual([prView.body.event, prView.body.ref, prView.body.branch, prView.body.sha], ['pull_request', 'refs/pull/7/merge', 'feature', headSha]);
    assert.equal((await server.waitForRun(prRun[0]!)).conclusion, 'success');

    const dispatch = JSON.stringify({ action: 'deploy', client_payload: { target: 'moon' }, repository: { full_name: 'team/hooked', default_branch: 'main' } });
    const dispatchResponse = await deliver(dispatch, { 'x-github-event': 'repository_dispatch', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign(secret, dispatch) });
    assert.equal(dispatchResponse.status, 202, await dispatchResponse.clone().text());
    const [dispatchRun] = ((await dispatchResponse.json()) as { runs: number[] }).runs;
    assert.equal((await server.waitForRun(dispatchRun!)).conclusion, 'success');
    const view = await server.api<{ jobs: { id: number }[] }>('GET', `/api/runs/${dispatchRun}`);
    const log = await server.api<string>('GET', `/api/runs/${dispatchRun}/jobs/${view.body.jobs[0]!.id}/logs`);
    assert.match(log.text, /payload says moon/);

    const push = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: mainSha, commits: [], repository: { full_name: 'team/hooked', name: 'hooked' }, sender: { login: 'gitea-user' } });
    const hex = createHmac('sha256', secret).update(push).digest('hex');
    const bad = await deliver(push, { 'x-gitea-event': 'push', 'x-gitea-delivery': randomUUID(), 'x-gitea-signature': '0'.repeat(64) }, '/hooks/gitea');
    assert.equal(bad.status, 401);
    const good = await deliver(push, { 'x-gitea-event': 'push', 'x-gitea-delivery': randomUUID(), 'x-gitea-signature': hex }, '/hooks/gitea');
    assert.equal(good.status, 202, await good.clone().text());
    const [giteaRun] = ((await good.json()) as { runs: number[] }).runs;
    assert.equal((await server.waitForRun(giteaRun!)).conclusion, 'success');
  });
});
