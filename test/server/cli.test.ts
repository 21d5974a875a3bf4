// The CLI against a real server: repo add, secret/var set at repository and environment level,
// dispatch with inputs, runs list/show/rerun, logs (whole and -f), token create/list/revoke; a job
// with `environment:` sees that environment's values, masked.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runGantry } from '../support/cli.ts';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { startTestServer, type TestServer } from './support.ts';

const WORKFLOW = `name: Deploy
on:
  workflow_dispatch:
    inputs:
      target:
        required: true
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: echo "repo key \${{ secrets.KEY }} region \${{ vars.REGION }}"
  deploy:
    needs: check
    environment: prod
    runs-on: ubuntu-latest
    steps:
      - run: echo "deploying to \${{ inputs.target }} with \${{ secrets.KEY }} in \${{ vars.REGION }}"
`;

describe('the gantry CLI against a server', () => {
  let server: TestServer;
  let repo: TempRepo;
  const gantry = (...args: string[]) => runGantry(args, { env: { GANTRY_SERVER: server.url, GANTRY_TOKEN: server.adminToken } });
  before(async () => {
    repo = await createRepo({ '.github/workflows/deploy.yml': WORKFLOW });
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
    await repo.remove();
  });

  test('register, configure, dispatch, inspect, follow and re-run', async () => {
    const added = await gantry('repo', 'add', 'site', '--path', repo.dir);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /webhook secret \(shown once\): [0-9a-f]{48}/);
    for (const args of [
      ['secret', 'set', 'KEY', '--repo', 'site', '--value', 'repo-level-key-123'],
      ['secret', 'set', 'KEY', '--repo', 'site', '--env', 'prod', '--value', 'prod-level-key-456'],
      ['var', 'set', 'REGION', '--repo', 'site', '--value', 'eu'],
      ['var', 'set', 'REGION', '--repo', 'site', '--env', 'prod', '--value', 'us'],
    ]) {
      const result = await gantry(...args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    }
    const secrets = await gantry('secret', 'list', '--repo', 'site', '--env', 'prod');
    assert.match(secrets.stdout, /^KEY\t/m);
    assert.ok(!secrets.stdout.includes('prod-level-key-456'));
    const vars = await gantry('var', 'list', '--repo', 'site');
    assert.match(vars.stdout, /^REGION=eu\t/m);

    const missing = await gantry('dispatch', 'site', 'deploy.yml');
    assert.equal(missing.code, 2, 'a required input is missing');
    assert.match(missing.stderr, /422/);
    const dispatched = await gantry('dispatch', 'site', 'deploy.yml', '--ref', 'main', '--input', 'target=staging');
    assert.equal(dispatched.code, 0, dispatched.stderr);
    const runId = Number(/queued run (\d+)/.exec(dispatched.stdout)?.[1]);
    assert.equal((await server.waitForRun(runId)).conclusion, 'success');

    const listed = await gantry('runs', 'list', '--repo', 'site');
    assert.match(listed.stdout, new RegExp(`^${runId}\\tsite\\tDeploy\\tworkflow_dispatch\\tmain\\t[0-9a-f]{8}\\tsuccess`, 'm'));
    const shown = await gantry('runs', 'show', String(runId));
    assert.match(shown.stdout, /job \d+ check: success/);
    assert.match(shown.stdout, /job \d+ deploy: success/);

    const logs = await gantry('logs', String(runId));
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /repo key \*\*\* region eu/);
    assert.match(logs.stdout, /deploying to staging with \*\*\* in us/);
    assert.ok(!logs.stdout.includes('key-123') && !logs.stdout.includes('key-456'), 'repository and environment secrets are masked');
    const followed = await gantry('logs', String(runId), 'deploy', '-f');
    assert.match(followed.stdout, /deploying to staging/);

    const rerun = await gantry('runs', 'rerun', String(runId));
    assert.match(rerun.stdout, /queued attempt 2/);
    await server.waitForRun(runId);
    assert.ok(!server.logs.join('').includes('key-456'));

    // One job again: deploy alone (nothing needs it); check is carried over from attempt 2.
    const deployJob = /job (\d+) deploy:/.exec((await gantry('runs', 'show', String(runId))).stdout)?.[1];
    assert.ok(deployJob);
    const both = await gantry('runs', 'rerun', String(runId), '--job', deployJob, '--failed');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--failed or --job, not both/);
    const one = await gantry('runs', 'rerun', String(runId), '--job', deployJob);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /queued attempt 3/);
    await server.waitForRun(runId);
    const third = await gantry('runs', 'show', String(runId));
    assert.match(third.stdout, /job \d+ check: success \(carried over from attempt 2\)/);
    assert.match(third.stdout, /job \d+ deploy: success\n/);
  });

  test('tokens: create, list, revoke', async () => {
    const created = await gantry('token', 'create', 'ci-bot', '--role', 'maintainer');
    assert.equal(created.code, 0, created.stderr);
    const [, id, value] = /token (\d+) \(maintainer\), shown only now:\n(\S+)/.exec(created.stdout) ?? [];
    assert.ok(id && value);
    const listed = await gantry('token', 'list');
    assert.match(listed.stdout, new RegExp(`^${id}\\tci-bot\\tmaintainer`, 'm'));
    assert.ok(!listed.stdout.includes(value));
    const asBot = await runGantry(['token', 'list'], { env: { GANTRY_SERVER: server.url, GANTRY_TOKEN: value } });
    assert.equal(asBot.code, 2);
    assert.match(asBot.stderr, /403 forbidden: this needs the admin role/);
    assert.equal((await gantry('token', 'revoke', id)).code, 0);
    const revoked = await runGantry(['runs', 'list'], { env: { GANTRY_SERVER: server.url, GANTRY_TOKEN: value } });
    assert.match(revoked.stderr, /401 unauthorized: /);
  });
});
