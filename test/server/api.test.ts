// Routes on SQLite and PostgreSQL: health, readiness, metrics, the OpenAPI document, the
// authorization table (every route x every role x no token), sessions with the CSRF header,
// tokens, audit, input validation, concurrency groups across runs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { startTestServer, type TestServer } from './support.ts';

let postgres: TestPostgres;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres?.stop());

/** route, the least role it needs, a body for writes. */
const TABLE: [string, string, 'viewer' | 'maintainer' | 'admin', unknown?][] = [
  ['GET', '/api/me', 'viewer'],
  ['GET', '/api/repos', 'viewer'],
  ['GET', '/api/runs', 'viewer'],
  ['GET', '/api/repos/r/secrets', 'viewer'],
  ['GET', '/api/secrets', 'viewer'],
  ['GET', '/api/variables', 'viewer'],
  ['GET', '/api/repos/r/commits/abcdef1/status', 'viewer'],
  ['PUT', '/api/secrets/S1', 'maintainer', { value: 'v' }],
  ['PUT', '/api/repos/r/environments/prod/variables/V1', 'maintainer', { value: 'v' }],
  ['DELETE', '/api/variables/NOPE', 'maintainer'],
  ['POST', '/api/repos/r/dispatch', 'maintainer', { workflow: 'none.yml' }],
  ['POST', '/api/runs/999/cancel', 'maintainer'],
  ['POST', '/api/runs/999/rerun', 'maintainer', {}],
  ['POST', '/api/runs/999/jobs/9999/rerun', 'maintainer'],
  ['GET', '/api/tokens', 'admin'],
  ['POST', '/api/tokens', 'admin', { name: 'x', role: 'viewer' }],
  ['DELETE', '/api/tokens/9999', 'admin'],
  ['GET', '/api/audit', 'admin'],
  ['GET', '/api/webhooks/deliveries', 'admin'],
];
const RANK = { viewer: 1, maintainer: 2, admin: 3 } as const;

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`API on ${backend}`, () => {
    let server: TestServer;
    let repo: TempRepo;
    const tokens: Record<string, string> = {};
    before(async () => {
      server = await startTestServer(backend === 'postgres' ? { databaseUrl: postgres.url, slots: 1 } : { slots: 1 });
      repo = await createRepo({
        '.github/workflows/grouped.yml': `name: Grouped
on: workflow_dispatch
concurrency:
  group: deploy-\${{ github.ref }}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1
`,
      });
      assert.equal((await server.api('POST', '/api/repos', { name: 'r', path: repo.dir })).status, 201);
      tokens.admin = server.adminToken;
      for (const role of ['maintainer', 'viewer']) {
        const created = await server.api<{ token: string }>('POST', '/api/tokens', { name: `${role}-token`, role });
        assert.equal(created.status, 201, created.text);
        tokens[role] = created.body.token;
      }
    });
    after(async () => {
      await server.stop();
      await repo.remove();
    });

    test('health, readiness, metrics and the OpenAPI document need no token', async () => {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready', database: 'reachable', migrations: 'done' });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      for (const name of ['gantry_runs_total', 'gantry_jobs_total', 'gantry_job_duration_seconds', 'gantry_job_queue_wait_seconds', 'gantry_queue_depth', 'gantry_running_jobs', 'gantry_webhook_deliveries_total']) {
        assert.match(metrics, new RegExp(`# TYPE ${name} `), name);
      }
      const openapi = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { 'x-gantry-role'?: string }>> };
      assert.match(openapi.openapi, /^3\./);
      assert.ok(openapi.paths['/api/runs/{id}']?.get);
      for (const [route, methods] of Object.entries(openapi.paths)) {
        for (const [method, operation] of Object.entries(methods)) assert.ok(operation['x-gantry-role'], `${method} ${route} declares its role`);
      }
    });

    test('authorization: every route x every role x no token', async () => {
      for (const [method, route, least, body] of TABLE) {
        const none = await fetch(`${server.url}${route}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
        assert.equal(none.status, 401, `${method} ${route} without a token`);
        assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'unauthorized');
        for (const role of ['viewer', 'maintainer', 'admin'] as const) {
          const answer = await server.api(method, route, body, tokens[role]);
          if (RANK[role] < RANK[least]) assert.equal(answer.status, 403, `${method} ${route} as ${role}`);
          else assert.notEqual(answer.status, 403, `${method} ${route} as ${role}: ${answer.text}`);
          assert.notEqual(answer.status, 401);
        }
      }
      assert.equal((await server.api('GET', '/api/me', undefined, 'not-a-token')).status, 401);
    });

    test('a session cookie reads, and writes only with X-Gantry-CSRF', async () => {
      const login = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: tokens.maintainer }) });
      assert.equal(login.status, 204);
      const cookie = login.headers.get('set-cookie')!;
      assert.match(cookie, /gantry_session=.+; HttpOnly; SameSite=Strict; Path=\//);
      const session = cookie.split(';')[0]!;
      const me = await fetch(`${server.url}/api/me`, { headers: { cookie: session } });
      assert.deepEqual(await me.json(), { name: 'maintainer-token', role: 'maintainer' });
      const put = (headers: Record<string, string>) =>
        fetch(`${server.url}/api/repos/r/variables/FROM_UI`, { method: 'PUT', headers: { cookie: session, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ value: 'x' }) });
      assert.equal((await put({})).status, 403);
      assert.equal((await put({ 'x-gantry-csrf': '1' })).status, 204);
      assert.equal((await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie: session } })).status, 204);
      assert.equal((await fetch(`${server.url}/api/me`, { headers: { cookie: session } })).status, 401);
    });

    test('bad input gets a 400 naming the field; tokens are revocable and every write is audited', async () => {
      const bad = await server.api<{ error: { code: string; message: string } }>('POST', '/api/repos', { name: 'has space', path: '/tmp' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'invalid_request');
      assert.match(bad.body.error.message, /name/);
      assert.equal((await server.api('PUT', '/api/secrets/bad-name!', { value: 'x' })).status, 400);
      assert.equal((await server.api('GET', '/api/runs?limit=0')).status, 400);
      assert.equal((await server.api('GET', '/api/runs/abc')).status, 400);
      const empty = await fetch(`${server.url}/api/runs/999999/cancel`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' } });
      assert.equal(empty.status, 404, 'an empty JSON body counts as no body');
      const poisoned = await fetch(`${server.url}/api/tokens`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, body: '{"__proto__": {"role": "admin"}, "name": "x", "role": "viewer"}' });
      assert.equal(poisoned.status, 400, 'prototype poisoning is refused');
      const created = await server.api<{ id: number; token: string }>('POST', '/api/tokens', { name: 'temp', role: 'viewer' });
      assert.equal((await server.api('GET', '/api/me', undefined, created.body.token)).status, 200);
      assert.equal((await server.api('DELETE', `/api/tokens/${created.body.id}`)).status, 204);
      assert.equal((await server.api('GET', '/api/me', undefined, created.body.token)).status, 401);
      const listed = await server.api<{ tokens: { name: string }[] }>('GET', '/api/tokens');
      assert.ok(!listed.text.includes(created.body.token), 'token values are never listed');
      assert.ok(!listed.body.tokens.some((t) => t.name === 'temp'));
      const audit = await server.api<{ entries: { action: string; target: string }[] }>('GET', '/api/audit?limit=200');
      const actions = audit.body.entries.map((e) => e.action);
      for (const action of ['repo.create', 'token.create', 'token.revoke', 'variable.set']) assert.ok(actions.includes(action), action);
    });

    test('every error is {error: {code, message}} with its status, webhook refusals included', async () => {
      type ErrorAnswer = { error: { code: string; message: string } };
      const expectError = (answer: { status: number; body: unknown }, status: number, code: string, message: RegExp) => {
        assert.equal(answer.status, status, JSON.stringify(answer.body));
        const body = answer.body as ErrorAnswer;
        assert.deepEqual(Object.keys(body), ['error'], 'nothing beside error');
        assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
        assert.equal(body.error.code, code);
        assert.match(body.error.message, message);
      };
      expectError(await server.api('GET', '/api/runs/999999'), 404, 'not_found', /^run 999999 does not exist$/);
      expectError(await server.api('GET', '/api/no-such-route'), 404, 'not_found', /^no route GET \/api\/no-such-route$/);
      expectError(await server.api('POST', '/api/repos', { name: 'has space', path: '/tmp' }), 400, 'invalid_request', /^body\/name must match pattern/);
      expectError(await server.api('GET', '/api/runs?status=sideways'), 400, 'invalid_request', /^querystring\/status must be equal to one of the allowed values/);
      expectError(await server.api('GET', '/api/runs', undefined, null), 401, 'unauthorized', /Bearer/);
      expectError(await server.api('GET', '/api/runs', undefined, 'not-a-token'), 401, 'unauthorized', /Bearer/);
      expectError(await server.api('GET', '/api/tokens', undefined, tokens.viewer), 403, 'forbidden', /needs the admin role; the token "viewer-token" is viewer/);
      expectError(await server.api('POST', '/api/repos', { name: 'r', path: repo.dir }), 409, 'exists', /"r" is already registered/);
      const payload = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'team/r' } });
      const unsigned = await fetch(`${server.url}/api/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push' }, body: payload });
      expectError({ status: unsigned.status, body: await unsigned.json() }, 401, 'rejected', /not signed/);
      const unknownRepo = await fetch(`${server.url}/api/webhooks/gitlab`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' }, body: JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), project: { path_with_namespace: 'x/nope' } }) });
      expectError({ status: unknownRepo.status, body: await unknownRepo.json() }, 404, 'rejected', /no registered repository is named "x\/nope"/);
      const incomplete = await fetch(`${server.url}/api/webhooks/gitlab`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' }, body: '{}' });
      expectError({ status: incomplete.status, body: await incomplete.json() }, 400, 'rejected', /a GitLab push needs ref and after/);
      const openapi = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>> };
      const documented = openapi.paths['/api/runs/{id}']!.get!.responses['404']!.content['application/json']!.schema;
      assert.deepEqual(documented, {
        type: 'object',
        properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
        required: ['error'],
      });
    });

    test('POST /api/repos answers the repository with its webhook secret, shown only then', async () => {
      const added = await server.api<{ repo: { name: string; source: { path: string }; defaultBranch: string }; webhookSecret: string }>('POST', '/api/repos', { name: 'once', path: repo.dir });
      assert.equal(added.status, 201, added.text);
      assert.equal(added.body.repo.name, 'once');
      assert.equal(added.body.repo.defaultBranch, 'main');
      assert.match(added.body.webhookSecret, /^[0-9a-f]{48}$/);
      const listed = await server.api('GET', '/api/repos');
      assert.ok(!listed.text.includes(added.body.webhookSecret), 'the secret is not listed again');
    });

    test('concurrency groups across runs: one running, the newest pending wins', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const dispatched = await server.api<{ run: { id: number } }>('POST', '/api/repos/r/dispatch', { workflow: 'grouped.yml' });
        assert.equal(dispatched.status, 201, dispatched.text);
        ids.push(dispatched.body.run.id);
      }
      const results = await Promise.all(ids.map((id) => server.waitForRun(id)));
      const conclusions = results.map((r) => r.conclusion);
      assert.equal(conclusions[2], 'success', 'the newest run ran');
      assert.ok(conclusions.filter((c) => c === 'cancelled').length >= 1, `a pending run was superseded: ${conclusions.join(', ')}`);
      assert.equal(conclusions.filter((c) => c === 'success').length + conclusions.filter((c) => c === 'cancelled').length, 3);
    });
  });
}
