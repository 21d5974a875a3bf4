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
/** A workflow run by hand, with one quick job. */
const onDemand = (name: string) => `name: ${name}
on: workflow_dispatch
jobs:
  go:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${name}
`;
// Told of every Watched run as it is requested and as it starts, not when it completes.
const WATCHED = onDemand('Watched');
const WATCHER = `name: Watcher
on:
  workflow_run:
    workflows: [Watched]
    types: [requested, in_progress]
jobs:
  saw:
    runs-on: ubuntu-latest
    steps:
      - run: echo "saw \${{ github.event.action }} of \${{ github.event.workflow_run.name }} (status \${{ github.event.workflow_run.status }})"
`;
const START = onDemand('Start');
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
    repo = await createRepo({ '.github/workflows/chain.yml': CHAIN, '.github/workflows/start.yml': START, '.github/workflows/nightly.yml': NIGHTLY, '.github/workflows/two.yml': TWO_JOBS, '.github/workflows/job-group.yml': JOB_GROUP, '.github/workflows/watcher.yml': WATCHER, '.github/workflows/watched.yml': WATCHED });
    server = await startTestServer({ slots: 2 });
    assert.equal((await server.api('POST', '/api/repos', { name: 'trig', path: repo.dir })).status, 201);
  });
  after(async () => {
    await server.stop();
    await repo.remove();
  });

  test('workflow_run is sent when a run is requested and when it starts, as well as when it completes', async () => {
    const start = await server.api<{ run: { id: number } }>('POST', '/api/repos/trig/dispatch', { workflow: 'watched.yml' });
    assert.equal(start.status, 201, start.text);
    await server.waitForRun(start.body.run.id);
    const watcherRuns = async () => (await server.api<RunList>('GET', '/api/runs?workflow=Watcher&limit=50')).body.runs;
    for (let i = 0; i < 600; i++) {
      const runs = await watcherRuns();
      if (runs.length >= 2 && runs.every((r) => r.status === 'completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A completed event, the third, would have come right after the run: give it every chance.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const watcher = await watcherRuns();
    assert.equal(watcher.length, 2, 'one run for requested, one for in_progress, none for completed (not in types)');
    const said: string[] = [];
    for (const run of watcher) {
      const shown = await server.api<{ jobs: { id: number }[] }>('GET', `/api/runs/${run.id}`);
      const log = await server.api<string>('GET', `/api/runs/${run.id}/jobs/${shown.body.jobs[0]!.id}/logs`);
      said.push(/saw .*\)/.exec(log.text)?.[0] ?? log.text);
    }
    assert.deepEqual(said.sort(), ['saw in_progress of Watched (status in_progress)', 'saw requested of Watched (status queued)']);
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
