// 1,000 random bodies and headers to each public route (webhooks, sign-in) and to guarded routes
// without a token: every answer is a 4xx, the server keeps serving, and nothing stored changes but
// the record of refused deliveries.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { startTestServer, type TestServer } from './support.ts';

/** mulberry32: a failure can be replayed from its seed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES = ['/hooks/github', '/hooks/gitea', '/hooks/gitlab', '/hooks/git', '/api/webhooks/github', '/api/session', '/api/repos', '/api/tokens', '/api/repos/fz/dispatch', '/api/secrets/X'];
const EVENTS = ['push', 'pull_request', 'workflow_dispatch', 'repository_dispatch', 'ping', 'Push Hook', 'Merge Request Hook', '', '\u0000', 'x'.repeat(300)];
const FRAGMENTS = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1e999', '"repository"', '{"full_name":"fz"}', '"ref"', '"refs/heads/main"', '\\u0000', '"after"', '"0000"', '\n', ' ', 'ü', '\uD800'];

let server: TestServer;
let repo: TempRepo;
before(async () => {
  repo = await createRepo({ '.github/workflows/ci.yml': 'on: [push, pull_request]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n' });
  server = await startTestServer({ webhookMaxBytes: 16 * 1024 });
  assert.equal((await server.api('POST', '/api/repos', { name: 'fz', path: repo.dir })).status, 201);
});
after(async () => {
  await server.stop();
  await repo.remove();
});

async function snapshot() {
  const db = server.store.database.db;
  const count = async (table: 'runs' | 'repos' | 'tokens' | 'secrets' | 'variables' | 'auditLog' | 'sessions') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { runs: await count('runs'), repos: await count('repos'), tokens: await count('tokens'), secrets: await count('secrets'), variables: await count('variables'), audit: await count('auditLog'), sessions: await count('sessions') };
}

test('random bodies and headers to public routes: all 4xx, nothing changes, the server keeps serving', async () => {
  const before = await snapshot();
  const next = random(0x5eed);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const statuses = new Map<number, number>();
  for (const route of ROUTES) {
    for (let i = 0; i < 1000; i++) {
      let body: string | Buffer;
      const shape = next();
      if (shape < 0.3) body = Buffer.from(Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256)));
      else if (shape < 0.6) body = Array.from({ length: Math.floor(next() * 30) }, () => pick(FRAGMENTS)).join('');
      else if (shape < 0.9) body = JSON.stringify({ ref: pick(['refs/heads/main', 5, null, '']), after: pick(['a'.repeat(40), '0'.repeat(40), {}]), repository: pick([{ full_name: 'fz' }, { name: 'fz' }, 'fz', null]), project: { path_with_namespace: 'fz' }, object_attributes: pick([{}, null, []]), token: pick(['x', 3]) });
      else body = 'x'.repeat(17 * 1024);
      const headers: Record<string, string> = { 'content-type': pick(['application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8']) };
      if (next() < 0.7) headers['x-github-event'] = pick(EVENTS).replace(/[^\x20-\x7e]/g, '');
      if (next() < 0.3) headers['x-gitea-event'] = pick(EVENTS).replace(/[^\x20-\x7e]/g, '');
      if (next() < 0.3) headers['x-gitlab-event'] = pick(EVENTS).replace(/[^\x20-\x7e]/g, '');
      if (next() < 0.5) headers['x-hub-signature-256'] = pick(['sha256=', `sha256=${'0'.repeat(64)}`, 'garbage', '']);
      if (next() < 0.3) headers['x-gitlab-token'] = pick(['', 'wrong', 'a'.repeat(100)]);
      if (next() < 0.5) headers['x-github-delivery'] = String(Math.floor(next() * 20));
      if (next() < 0.2) headers.authorization = pick(['Bearer', 'Bearer nope', 'Basic abc', '']);
      if (next() < 0.1) headers.cookie = pick(['gantry_session=forged', 'gantry_session=', '=;;']);
      const response = await server.app.inject({ method: pick(['POST', 'POST', 'PUT']), url: route, headers, payload: body });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${route} #${i}: ${response.statusCode} ${response.body.slice(0, 200)}`);
    }
  }
  assert.deepEqual(await snapshot(), before, 'nothing stored changed');
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still serving');
  assert.ok(statuses.size >= 4, `a spread of refusals: ${[...statuses.keys()].join(', ')}`);
});
