// kill -9 of a real `gantry serve` with runs in flight, then a restart on the same data folder:
// queued runs are still queued, finished jobs keep logs and results, running jobs failed with
// "interrupted by server restart", and nothing stays running.

import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { gantryBin } from '../support/cli.ts';
import { createRepo } from '../support/git-repo.ts';

const token = `admin-${randomBytes(8).toString('hex')}`;
const secretKey = randomBytes(32).toString('hex');

function startServe(dataDir: string, slots: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [gantryBin, 'serve', '--port', '0', '--data-dir', dataDir, '--slots', String(slots), '--offline'], {
    env: { ...process.env, GANTRY_ADMIN_TOKEN: token, GANTRY_SECRET_KEY: secretKey },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve({ child, url: match[1]! });
    });
    child.on('exit', (code) => reject(new Error(`gantry serve exited with ${code}: ${stderr}`)));
  });
}

function descendants(pid: number): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

async function api<T>(url: string, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${text}`);
  return (text.startsWith('{') ? JSON.parse(text) : text) as T;
}

type RunView = { id: number; status: string; conclusion: string | null; jobs: { id: number; status: string; conclusion: string | null; reason: string | null }[] };

test('after kill -9 and a restart, queued runs stay queued, finished jobs keep their logs, running jobs fail as interrupted', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gantry-crash-'));
  const repo = await createRepo({
    '.github/workflows/quick.yml': 'name: Quick\non: workflow_dispatch\njobs:\n  quick:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo quick-done\n      - run: echo "admin=$GANTRY_ADMIN_TOKEN key=$GANTRY_SECRET_KEY"\n',
    '.github/workflows/long.yml': 'name: Long\non: workflow_dispatch\njobs:\n  long:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo started; sleep 20\n',
  });
  const leftovers: number[] = [];
  const servers: { second?: ChildProcess } = {};
  after(async () => {
    servers.second?.kill('SIGTERM');
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await repo.remove();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  const first = await startServe(dataDir, 2);
  await api(first.url, 'POST', '/api/repos', { name: 'crashy', path: repo.dir });
  const quick = (await api<{ run: { id: number } }>(first.url, 'POST', '/api/repos/crashy/dispatch', { workflow: 'quick.yml' })).run.id;
  for (let i = 0; i < 600; i++) {
    if ((await api<RunView>(first.url, 'GET', `/api/runs/${quick}`)).status === 'completed') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const long: number[] = [];
  for (let i = 0; i < 20; i++) long.push((await api<{ run: { id: number } }>(first.url, 'POST', '/api/repos/crashy/dispatch', { workflow: 'long.yml' })).run.id);
  // Wait until two jobs are really running.
  for (let i = 0; i < 600; i++) {
    const views = await Promise.all(long.slice(0, 4).map((id) => api<RunView>(first.url, 'GET', `/api/runs/${id}`)));
    if (views.flatMap((v) => v.jobs).filter((j) => j.status === 'running').length >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const beforeCrash = await Promise.all(long.map((id) => api<RunView>(first.url, 'GET', `/api/runs/${id}`)));
  const wasRunning = beforeCrash.filter((v) => v.status === 'running').map((v) => v.id);
  const wasQueued = beforeCrash.filter((v) => v.status === 'queued').map((v) => v.id);
  assert.ok(wasRunning.length >= 2, 'some runs were running');
  assert.ok(wasQueued.length >= 10, 'most runs were still queued');

  leftovers.push(...descendants(first.child.pid!));
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  const restarted = await startServe(dataDir, 1);
  servers.second = restarted.child;
  t.after(() => restarted.child.kill('SIGTERM'));
  const quickAfter = await api<RunView>(restarted.url, 'GET', `/api/runs/${quick}`);
  assert.deepEqual([quickAfter.status, quickAfter.conclusion], ['completed', 'success']);
  const quickLog = await api<string>(restarted.url, 'GET', `/api/runs/${quick}/jobs/${quickAfter.jobs[0]!.id}/logs`);
  assert.match(quickLog, /quick-done/);
  assert.match(quickLog, /admin= key=/, "the server's own secrets do not reach steps");
  assert.ok(!quickLog.includes(token) && !quickLog.includes(secretKey));

  for (const id of wasRunning) {
    const view = await api<RunView>(restarted.url, 'GET', `/api/runs/${id}`);
    assert.deepEqual([view.status, view.conclusion], ['completed', 'failure'], `run ${id}`);
    for (const job of view.jobs) assert.deepEqual([job.status, job.conclusion, job.reason], ['completed', 'failure', 'interrupted by server restart']);
  }
  for (const id of wasQueued) {
    const view = await api<RunView>(restarted.url, 'GET', `/api/runs/${id}`);
    assert.notEqual(view.conclusion, 'failure', `queued run ${id} was not failed`);
    assert.ok(view.jobs.every((j) => j.reason === null), `queued run ${id} was not interrupted`);
  }
  const stillRunning = (await api<{ runs: { id: number }[] }>(restarted.url, 'GET', '/api/runs?status=running&limit=200')).runs;
  assert.ok(stillRunning.length <= 2, 'only runs the new server started are running');
  assert.ok(stillRunning.every((r) => wasQueued.includes(r.id)));
  // Stop the restarted server's own runs before cleanup.
  for (const id of long) await fetch(`${restarted.url}/api/runs/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  leftovers.push(...descendants(restarted.child.pid!));
});
