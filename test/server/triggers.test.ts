// Triggers the server adds to GitHub's events: workflow_run chains stop at three levels, schedules
// queue one run for missed ticks (no burst), /api/events streams changes, and a single job cancels.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { startTestServer, type TestServer } from './support.ts';

const CHAIN = `name: Chain
on:
  workflow_run:
    workflows: [Start, Chain]
    types: [completed]
jobs:
  link:
    runs-on: ubuntu-latest
    steps:
      - run: echo link
`;
const START = `name: Start
on: workflow_dispatch
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo go
`;
const NIGHTLY = `name: Nightly
on:
  schedule:
    - cron: '*/5 * * * *'
jobs:
  night:
    runs-on: ubuntu-latest
    steps:
      - run: echo night
`;
const TWO_JOBS = `name: Two
on: workflow_dispatch
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
  fast:
    runs-on: ubuntu-latest
    steps:
      - run: echo fast
`;

const JOB_GROUP = `name: Job group
on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency: deploy-target
    steps:
      - run: sleep 1
`;

type RunList = { runs: { id: number; workflowName: string; event: string; status: string; conclusion: string | null }[] };

describe('server triggers', () => {
  let server: TestServer;
  let repo: TempRepo;
  before(async () => {
    repo = await createRepo({ '.github/workflows/chain.yml': CHAIN, '.github/workflows/start.yml': START, '.github/workflows/nightly.yml': NIGHTLY, '.github/workflows/two.yml': TWO_JOBS, '.github/workflows/job-group.yml': JOB_GROUP });
    server = await startTestServer({ slots: 2 });
    assert.equal((await server.api('POST', '/api/repos', { name: 'trig', path: repo.dir })).status, 201);
  });
  after(async () => {
    await server.stop();
    await repo.remove();
  });

  test('workflow_run chains stop after three levels', async () => {
    const start = await server.api<{ run: { id: number } }>('POST', '/api/repos/trig/dispatch', { workflow: 'start.yml' });
    assert.equal(start.status, 201, start.text);
    await server.waitForRun(start.body.run.id);
    let chain: RunList['runs'] = [];
    for (let i = 0; i < 600; i++) {
      chain = (await server.api<RunList>('GET', '/api/runs?workflow=Chain&limit=50')).body.runs;
      if (chain.length === 3 && chain.every((r) => r.status === 'completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(chain.length, 3);
    // Give a fourth level every chance to appear.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    chain = (await server.api<RunList>('GET', '/api/runs?workflow=Chain&limit=50')).body.runs;
    assert.equal(chain.length, 3, 'GitHub chains at most three levels of workflow_run');
    assert.ok(chain.every((r) => r.event === 'workflow_run' && r.conclusion === 'success'));
  });

  test('a schedule queues one run for the ticks it missed, not a burst', async () => {
    const t0 = new Date('2030-01-01T00:00:30Z');
    assert.equal(await server.schedules.check(t0), 0, 'the first sighting only starts counting');
    assert.equal(await server.schedules.check(new Date('2030-01-01T00:03:00Z')), 0, 'no tick in between');
    assert.equal(await server.schedules.check(new Date('2030-01-01T02:00:00Z')), 1, 'two hours of missed ticks queue one run');
    const nightly = (await server.api<RunList>('GET', '/api/runs?workflow=Nightly')).body.runs;
    assert.equal(nightly.length, 1);
    assert.equal(nightly[0]!.event, 'schedule');
    assert.equal((await server.waitForRun(nightly[0]!.id)).conclusion, 'success');
  });

  test('/api/events streams run and job changes; one job can be cancelled', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const stream = fetch(`${server.url}/api/events`, { headers: { authorization: `Bearer ${server.adminToken}` }, signal: controller.signal }).then(async (response) => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body!) events.push(decoder.decode(chunk as Uint8Array));
      } catch {
        // aborted
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const dispatched = await server.api<{ run: { id: number } }>('POST', '/api/repos/trig/dispatch', { workflow: 'two.yml' });
    const runId = dispatched.body.run.id;
    let slow: { id: number; status: string } | undefined;
    for (let i = 0; i < 600 && slow?.status !== 'running'; i++) {
      const view = await server.api<{ jobs: { id: number; jobId: string; status: string }[] }>('GET', `/api/runs/${runId}`);
      slow = view.body.jobs.find((j) => j.jobId === 'slow');
      if (slow?.status !== 'running') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(slow?.status, 'running');
    const cancelled = await server.api('POST', `/api/runs/${runId}/jobs/${slow!.id}/cancel`);
    assert.equal(cancelled.status, 202, cancelled.text);
    await server.waitForRun(runId);
    const view = await server.api<{ conclusion: string; jobs: { jobId: string; conclusion: string }[] }>('GET', `/api/runs/${runId}`);
    assert.deepEqual(Object.fromEntries(view.body.jobs.map((j) => [j.jobId, j.conclusion])), { slow: 'cancelled', fast: 'success' });
    assert.equal(view.body.conclusion, 'cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await stream;
    const text = events.join('');
    assert.match(text, new RegExp(`event: run\\ndata: \\{"id":${runId},`));
    assert.match(text, /event: job\ndata: \{"runId":\d+,"job":\{"id":\d+,"key":"\.github\/workflows\/two\.yml#slow#0"/);
    assert.match(text, /event: step\ndata: /);
  });

  test('a job-level concurrency group holds across runs', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) ids.push((await server.api<{ run: { id: number } }>('POST', '/api/repos/trig/dispatch', { workflow: 'job-group.yml' })).body.run.id);
    for (const id of ids) assert.equal((await server.waitForRun(id)).conclusion, 'success');
    const jobs = await Promise.all(ids.map(async (id) => (await server.api<{ jobs: { startedAt: string; finishedAt: string }[] }>('GET', `/api/runs/${id}`)).body.jobs[0]!));
    const [first, second] = [...jobs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    assert.ok(second!.startedAt >= first!.finishedAt, `the second deploy started (${second!.startedAt}) after the first ended (${first!.finishedAt})`);
  });
});

test('closing the server ends open event streams instead of waiting for the clients', { timeout: 60_000 }, async () => {
  const own = await startTestServer();
  const response = await fetch(`${own.url}/api/events`, { headers: { authorization: `Bearer ${own.adminToken}` } });
  assert.equal(response.status, 200);
  const reading = (async () => {
    try {
      for await (const chunk of response.body!) void chunk;
    } catch {
      // the connection was closed under the reader
    }
  })();
  await own.stop();
  await reading;
});
