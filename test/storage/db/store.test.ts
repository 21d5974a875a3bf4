// The same store tests on SQLite and on a throwaway PostgreSQL cluster.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../../src/storage/db/store.ts';
import { loadSecretKey, SecretKeyError } from '../../../src/storage/db/secret-key.ts';
import { startPostgres, type TestPostgres } from '../../support/postgres.ts';

const KEY = randomBytes(32);

interface Backend {
  name: string;
  location(): Promise<{ url?: string; sqliteFile?: string }>;
}

let postgres: TestPostgres | undefined;
let folder = '';

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'gantry-store-'));
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.stop();
  await rm(folder, { recursive: true, force: true });
});

let counter = 0;
const backends: Backend[] = [
  { name: 'sqlite', location: async () => ({ sqliteFile: path.join(folder, `db-${++counter}.sqlite`) }) },
  { name: 'postgres', location: async () => ({ url: postgres!.url }) },
];

for (const backend of backends) {
  describe(`store on ${backend.name}`, () => {
    let store: Store;
    let location: { url?: string; sqliteFile?: string };
    before(async () => {
      location = await backend.location();
      store = await openStore(location, KEY);
    });
    after(() => store.close());

    test('migrations are recorded and a second open does not run them again', async () => {
      const again = await openStore(location, KEY);
      assert.equal(again.database.migrated, true);
      assert.equal(await again.database.ping(), true);
      await again.close();
    });

    test('a different key is a clear error at start', async () => {
      await assert.rejects(openStore(location, randomBytes(32)), (error: Error) => error instanceof SecretKeyError && /not the one/.test(error.message));
    });

    test('repositories keep their webhook secret encrypted and readable by the server', async () => {
      const repo = await store.repos.create({ name: `app-${backend.name}`, path: '/tmp/app', url: null, defaultBranch: 'main', webhookSecret: 'hook-s3cret' });
      assert.equal((await store.repos.byName(repo.name))?.id, repo.id);
      assert.equal(await store.repos.webhookSecret(repo.id), 'hook-s3cret');
      const raw = await store.database.db.selectFrom('repos').select('webhookSecret').where('id', '=', repo.id).executeTakeFirstOrThrow();
      assert.ok(!raw.webhookSecret.includes('hook-s3cret'));
      await assert.rejects(store.repos.create({ name: repo.name, path: null, url: 'x', defaultBranch: 'main', webhookSecret: 'x' }));
    });

    test('runs queue, start once, record jobs, steps, logs and attempts', async () => {
      const repo = await store.repos.create({ name: `runs-${backend.name}`, path: '/tmp/r', url: null, defaultBranch: 'main', webhookSecret: 'w' });
      const run = await store.runs.create({
        repoId: repo.id, workflowFile: '.github/workflows/ci.yml', workflowName: 'CI', event: 'push', ref: 'refs/heads/main', branch: 'main',
        sha: 'a'.repeat(40), actor: 'dev', eventData: { name: 'push' }, concurrencyGroup: null, cancelInProgress: false, chainDepth: 0,
      });
      assert.equal(run.status, 'queued');
      assert.deepEqual((await store.runs.queued()).map((r) => r.id), [run.id]);
      assert.equal(await store.runs.start(run.id), true);
      assert.equal(await store.runs.start(run.id), false, 'a run starts once');
      const at = new Date().toISOString();
      const jobRow = await store.runs.addJob(run.id, 1, { key: 'ci.yml#build#0', jobId: 'build', name: 'build (1)', matrix: { v: 1 }, needs: [], queuedAt: at });
      await store.runs.jobStarted(jobRow, at);
      await store.runs.stepStarted(jobRow, 1, 'Run echo', at);
      await store.logs.append(jobRow, 1, [{ step: 1, text: 'hello', stream: 'stdout', at }, { step: 1, text: 'world', stream: 'stderr', at }]);
      await store.logs.append(jobRow, 3, [{ step: null, text: 'done', stream: 'system', at }]);
      await store.runs.stepFinished(jobRow, 1, 'Run echo', 'success', 5, at);
      await store.logs.addAnnotation(jobRow, 1, { level: 'warning', message: 'careful', file: 'a.ts', line: 3 });
      await store.logs.addSummary(jobRow, 1, '# Hi');
      await store.runs.jobFinished(jobRow, 'success', 10, at);
      await store.runs.finish(run.id, 'success');

      assert.deepEqual((await store.logs.lines(jobRow)).map((l) => [l.line, l.text, l.stream]), [[1, 'hello', 'stdout'], [2, 'world', 'stderr'], [3, 'done', 'system']]);
      assert.deepEqual((await store.logs.lines(jobRow, 2)).map((l) => l.text), ['done']);
      assert.equal(await store.logs.lastLine(jobRow), 3);
      const jobs = await store.runs.jobs(run.id, 1);
      assert.equal(jobs.length, 1);
      assert.deepEqual(jobs[0]!.matrix, { v: 1 });
      assert.equal(jobs[0]!.conclusion, 'success');
      assert.deepEqual(jobs[0]!.steps.map((s) => [s.number, s.conclusion, s.durationMs]), [[1, 'success', 5]]);
      const [annotation] = await store.logs.annotations([jobRow]);
      assert.equal(annotation?.file, 'a.ts');
      assert.equal((await store.logs.summaries([jobRow]))[0]?.markdown, '# Hi');

      const attempt = await store.runs.newAttempt(run.id, ['build']);
      assert.equal(attempt, 2);
      const attempts = await store.runs.attempts(run.id);
      assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.conclusion]), [[1, 'completed', 'success'], [2, 'queued', null]]);
      assert.deepEqual(attempts[1]!.rerunJobs, ['build']);
      assert.equal((await store.runs.jobs(run.id, 1)).length, 1, 'the old attempt keeps its jobs');

      const page = await store.runs.list({ repo: repo.name, limit: 1 });
      assert.equal(page.runs[0]?.id, run.id);
      assert.equal(page.nextCursor, null);
    });

    test('after a crash running work fails with the reason and queued runs stay queued', async () => {
      const repo = await store.repos.create({ name: `crash-${backend.name}`, path: '/tmp/c', url: null, defaultBranch: 'main', webhookSecret: 'w' });
      const base = { repoId: repo.id, workflowFile: 'w.yml', workflowName: 'W', event: 'push', ref: 'refs/heads/main', branch: 'main', sha: 'b'.repeat(40), actor: 'a', eventData: {}, concurrencyGroup: null, cancelInProgress: false, chainDepth: 0 };
      const running = await store.runs.create(base);
      const queued = await store.runs.create(base);
      await store.runs.start(running.id);
      const at = new Date().toISOString();
      const job = await store.runs.addJob(running.id, 1, { key: 'k', jobId: 'j', name: 'j', matrix: null, needs: [], queuedAt: at });
      await store.runs.jobStarted(job, at);
      await store.runs.stepStarted(job, 1, 's', at);
      const closed = await store.runs.interruptRunning('interrupted by server restart');
      assert.ok(closed.includes(running.id));
      assert.equal((await store.runs.get(queued.id))?.status, 'queued');
      const after = await store.runs.get(running.id);
      assert.deepEqual([after?.status, after?.conclusion], ['completed', 'failure']);
      const [jobAfter] = await store.runs.jobs(running.id, 1);
      assert.deepEqual([jobAfter?.status, jobAfter?.conclusion, jobAfter?.reason], ['completed', 'failure', 'interrupted by server restart']);
      assert.equal(jobAfter?.steps[0]?.conclusion, 'failure');
    });

    test('secrets are sealed at rest and resolve server < repo < environment', async () => {
      const repo = await store.repos.create({ name: `sec-${backend.name}`, path: '/tmp/s', url: null, defaultBranch: 'main', webhookSecret: 'w' });
      await store.secrets.set({ level: 'server' }, 'TOKEN', 'server-value');
      await store.secrets.set({ level: 'server' }, 'ONLY_SERVER', 'x1');
      await store.secrets.set({ level: 'repo', repoId: repo.id }, 'TOKEN', 'repo-value');
      await store.secrets.set({ level: 'environment', repoId: repo.id, environment: 'prod' }, 'TOKEN', 'prod-value');
      assert.deepEqual(await store.secrets.resolved(repo.id, null), { TOKEN: 'repo-value', ONLY_SERVER: 'x1' });
      assert.equal((await store.secrets.resolved(repo.id, 'prod')).TOKEN, 'prod-value');
      const rows = await store.database.db.selectFrom('secrets').select('value').execute();
      assert.ok(rows.every((r) => !r.value.includes('value')), 'no plain text at rest');
      assert.deepEqual((await store.secrets.names({ level: 'repo', repoId: repo.id })).map((n) => n.name), ['TOKEN']);
      assert.equal(await store.secrets.remove({ level: 'repo', repoId: repo.id }, 'TOKEN'), true);
      assert.equal(await store.secrets.remove({ level: 'repo', repoId: repo.id }, 'TOKEN'), false);
      await store.variables.set({ level: 'repo', repoId: repo.id }, 'COLOR', 'blue');
      assert.deepEqual((await store.variables.list({ level: 'repo', repoId: repo.id })).map((v) => [v.name, v.value]), [['COLOR', 'blue']]);
    });

    test('tokens are stored hashed, sessions follow their token, the audit log pages', async () => {
      const { token, record } = await store.access.createToken('ci', 'maintainer');
      const raw = await store.database.db.selectFrom('tokens').select('hash').where('id', '=', record.id).executeTakeFirstOrThrow();
      assert.notEqual(raw.hash, token);
      const firstUse = await store.access.authenticate(token);
      assert.equal(firstUse?.role, 'maintainer');
      assert.ok(firstUse.lastUsedAt !== null && Date.now() - Date.parse(firstUse.lastUsedAt) < 60_000);
      const lastUsed = async () => (await store.database.db.selectFrom('tokens').select('lastUsedAt').where('id', '=', record.id).executeTakeFirstOrThrow()).lastUsedAt;
      assert.equal(await lastUsed(), firstUse.lastUsedAt, 'the first use is stored');
      // Within a minute a use is not written again; an older mark is renewed.
      assert.equal((await store.access.authenticate(token))?.lastUsedAt, firstUse.lastUsedAt);
      await store.database.db.updateTable('tokens').set({ lastUsedAt: '2020-01-01T00:00:00.000Z' }).where('id', '=', record.id).execute();
      const renewed = await store.access.authenticate(token);
      assert.notEqual(renewed?.lastUsedAt, '2020-01-01T00:00:00.000Z');
      assert.equal(await lastUsed(), renewed?.lastUsedAt);
      assert.equal(await store.access.authenticate(token + 'x'), undefined);
      const session = await store.access.createSession(record.id);
      assert.equal((await store.access.sessionToken(session))?.id, record.id);
      await store.access.revokeToken(record.id);
      assert.equal(await store.access.authenticate(token), undefined);
      assert.equal(await store.access.sessionToken(session), undefined);
      for (let i = 0; i < 3; i++) await store.access.audit('admin', 'secret.set', `repo/x/secret/S${i}`);
      const first = await store.access.auditEntries(2);
      assert.equal(first.entries.length, 2);
      const second = await store.access.auditEntries(2, Number(first.nextCursor));
      assert.ok(second.entries.length >= 1);
    });

    test('deliveries de-duplicate by id; statuses upsert per context', async () => {
      const repo = await store.repos.create({ name: `hook-${backend.name}`, path: '/tmp/h', url: null, defaultBranch: 'main', webhookSecret: 'w' });
      await store.deliveries.record({ provider: 'github', deliveryId: 'd-1', event: 'push', repoId: repo.id, result: 'rejected', statusCode: 401, reason: 'bad signature', runIds: [] });
      assert.equal(await store.deliveries.seen('github', 'd-1'), false, 'a rejected delivery may be sent again');
      await store.deliveries.record({ provider: 'github', deliveryId: 'd-1', event: 'push', repoId: repo.id, result: 'accepted', statusCode: 202, reason: '', runIds: [1] });
      assert.equal(await store.deliveries.seen('github', 'd-1'), true);
      const sha = 'c'.repeat(40);
      await store.statuses.set(repo.id, sha, { context: 'CI (push)', state: 'pending', runId: 1, description: 'queued' });
      await store.statuses.set(repo.id, sha, { context: 'CI (push)', state: 'success', runId: 1, description: 'done' });
      assert.deepEqual((await store.statuses.forCommit(repo.id, sha)).map((s) => [s.context, s.state]), [['CI (push)', 'success']]);
      await store.schedules.setLastTick(repo.id, 'w.yml', '0 * * * *', '2026-01-01T00:00:00.000Z');
      assert.equal(await store.schedules.lastTick(repo.id, 'w.yml', '0 * * * *'), '2026-01-01T00:00:00.000Z');
    });
  });
}

test('the key file is created with 0600 and a loose one is refused', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gantry-key-'));
  try {
    const key = loadSecretKey({}, dir);
    assert.equal(key.length, 32);
    assert.equal((await stat(path.join(dir, 'secret.key'))).mode & 0o777, 0o600);
    assert.deepEqual(loadSecretKey({}, dir), key);
    assert.throws(() => loadSecretKey({ GANTRY_SECRET_KEY: 'short' }, dir), /GANTRY_SECRET_KEY: expected a 256-bit key/);
    const { chmod } = await import('node:fs/promises');
    await chmod(path.join(dir, 'secret.key'), 0o644);
    assert.throws(() => loadSecretKey({}, dir), /readable by others/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
