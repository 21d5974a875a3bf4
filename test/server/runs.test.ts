// Repositories, dispatch, runs, logs (whole and followed over SSE), secrets kept out of every
// response and log line, re-runs and cancel, on a real server with a real git repository.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { startTestServer, type TestServer } from './support.ts';

const SECRET_VALUE = 'hunter2-very-secret-value';

// \`build\` counts its runs in a file outside the workspace: a re-run of failed jobs must carry it over.
// Leg 2 of \`test\` fails until the test creates \`rerunOk\`.
const workflow = (buildCount: string, rerunOk: string) => `name: CI
on:
  push:
  workflow_dispatch:
    inputs:
      greeting:
        type: string
        default: hello
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.word.outputs.word }}
    steps:
      - run: echo "greeting \${{ inputs.greeting }}"
      - run: echo built >> '${buildCount}'
      - id: word
        run: echo "word=carried-over" >> "$GITHUB_OUTPUT"
      - run: echo "secret is \${{ secrets.API_KEY }}"
      - run: echo "var is \${{ vars.COLOR }}"
      - run: echo "the report" > report.txt
      - uses: actions/upload-artifact@v4
        with:
          name: report
          path: report.txt
          # A re-run of build uploads it again to the same run: without this it fails, as on GitHub.
          overwrite: true
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      # Leg 2 fails: with fail-fast, leg 1 would be cancelled whenever it is still running then.
      fail-fast: false
      matrix:
        n: [1, 2]
    steps:
      - run: |
          for i in 1 2 3; do echo "line $i of \${{ matrix.n }}"; done
      - run: test "\${{ needs.build.outputs.word }}" = carried-over || exit 4
      - run: test "\${{ matrix.n }}" != 2 || test -f '${rerunOk}' || exit 3
      - run: echo "attempt \${{ github.run_attempt }} of run \${{ github.run_id }} ($GITHUB_RUN_ATTEMPT)"
`;

let postgres: TestPostgres;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres?.stop());

for (const backend of ['sqlite', 'postgres'] as const) describe(`runs through the API on ${backend}`, () => {
  let server: TestServer;
  let repo: TempRepo;
  let counts: string;
  before(async () => {
    counts = await mkdtemp(path.join(tmpdir(), 'gantry-rerun-'));
    repo = await createRepo({ '.github/workflows/ci.yml': workflow(path.join(counts, 'build-runs'), path.join(counts, 'rerun-ok')), 'README.md': 'hi\n' });
    server = await startTestServer(backend === 'postgres' ? { databaseUrl: postgres.url } : {});
  });
  after(async () => {
    await server.stop();
    await repo.remove();
    await rm(counts, { recursive: true, force: true });
  });

  test('a dispatched run completes with jobs, steps, matrix and logs; secrets never come back', async () => {
    const added = await server.api<{ repo: { name: string; defaultBranch: string }; webhookSecret: string }>('POST', '/api/repos', { name: 'app', path: repo.dir });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.body.repo.defaultBranch, 'main');
    assert.equal((await server.api('PUT', '/api/repos/app/secrets/API_KEY', { value: SECRET_VALUE })).status, 204);
    assert.equal((await server.api('PUT', '/api/repos/app/variables/COLOR', { value: 'blue' })).status, 204);

    const workflows = await server.api<{ workflows: { file: string; dispatchInputs: Record<string, { type: string; default?: string }> | null }[] }>('GET', '/api/repos/app/workflows');
    assert.deepEqual(workflows.body.workflows.map((w) => w.file), ['.github/workflows/ci.yml']);
    assert.equal(workflows.body.workflows[0]!.dispatchInputs?.greeting?.default, 'hello');

    const dispatched = await server.api<{ run: { id: number; status: string; event: string } }>('POST', '/api/repos/app/dispatch', { workflow: 'ci.yml', ref: 'main', inputs: { greeting: 'howdy' } });
    assert.equal(dispatched.status, 201, dispatched.text);
    assert.equal(dispatched.body.run.event, 'workflow_dispatch');
    const run = await server.waitForRun(dispatched.body.run.id);
    assert.equal(run.conclusion, 'failure', 'matrix leg 2 fails on the first attempt');

    const RUN_FIELDS = ['id', 'repo', 'workflow', 'event', 'ref', 'sha', 'status', 'conclusion', 'createdAt', 'startedAt', 'finishedAt'];
    const list = await server.api<{ runs: Record<string, unknown>[] }>('GET', '/api/runs?repo=app&branch=main&status=completed');
    assert.equal(list.status, 200, list.text);
    const item = list.body.runs.find((r) => r.id === dispatched.body.run.id)!;
    for (const field of RUN_FIELDS) assert.ok(field in item, `a listed run has ${field}`);
    assert.deepEqual([item.repo, item.workflow, item.event, item.ref, item.status, item.conclusion], ['app', '.github/workflows/ci.yml', 'workflow_dispatch', 'refs/heads/main', 'completed', 'failure']);
    assert.match(String(item.sha), /^[0-9a-f]{40}$/);

    const shown = await server.api<{ id: number; workflow: string; attempt: number; jobs: { id: number; jobId: string; name: string; matrix: unknown; status: string; conclusion: string; steps: { name: string; conclusion: string }[] }[] }>('GET', `/api/runs/${dispatched.body.run.id}`);
    assert.equal(shown.status, 200, shown.text);
    assert.ok(!('run' in shown.body), 'the run is not nested');
    for (const field of [...RUN_FIELDS, 'jobs', 'attempts', 'annotations', 'summaries', 'artifacts']) assert.ok(field in shown.body, `the run view has ${field}`);
    for (const field of RUN_FIELDS) assert.deepEqual((shown.body as unknown as Record<string, unknown>)[field], item[field], `the view's ${field} is the list's`);
    for (const job of shown.body.jobs) for (const field of ['id', 'name', 'matrix', 'status', 'conclusion', 'steps']) assert.ok(field in job, `a job has ${field}`);
    const build = shown.body.jobs.find((j) => j.jobId === 'build')!;
    assert.equal(build.conclusion, 'success');
    assert.ok(build.steps.length >= 3);
    const legs = shown.body.jobs.filter((j) => j.jobId === 'test');
    assert.deepEqual(legs.map((j) => j.matrix), [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(legs.map((j) => j.conclusion), ['success', 'failure']);

    const artifacts = (shown.body as unknown as { artifacts: { name: string; size: number; url: string }[] }).artifacts;
    assert.deepEqual(artifacts.map((a) => a.name), ['report'], 'the run lists the artifact its build uploaded');
    const zip = await fetch(`${server.url}${artifacts[0]!.url}`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get('content-type'), 'application/zip');
    const bytes = Buffer.from(await zip.arrayBuffer());
    assert.equal(bytes.length, artifacts[0]!.size);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip');
    assert.ok(bytes.includes(Buffer.from('report.txt')), 'holding report.txt');
    assert.equal((await fetch(`${server.url}${artifacts[0]!.url}`)).status, 401, 'not without a token');

    const log = await server.api<string>('GET', `/api/runs/${dispatched.body.run.id}/jobs/${build.id}/logs`);
    assert.equal(log.status, 200);
    assert.match(log.text, /greeting howdy/);
    assert.match(log.text, /secret is \*\*\*/);
    assert.match(log.text, /var is blue/);
    assert.ok(!log.text.includes(SECRET_VALUE));

    const secrets = await server.api('GET', '/api/repos/app/secrets');
    assert.ok(!secrets.text.includes(SECRET_VALUE));
    assert.match(secrets.text, /API_KEY/);
    for (const route of ['/api/runs', `/api/runs/${dispatched.body.run.id}`, '/api/audit', '/api/repos', '/api/webhooks/deliveries']) {
      assert.ok(!(await server.api('GET', route)).text.includes(SECRET_VALUE), route);
    }
    assert.ok(!server.logs.join('').includes(SECRET_VALUE), 'no secret in the server log');
    assert.ok(server.logs.some((line) => line.includes('"runId"')), 'log lines carry run ids');
    assert.ok(server.logs.some((line) => line.includes('"reqId"')), 'log lines carry request ids');

    const status = await server.api<{ state: string; statuses: { context: string; state: string }[] }>('GET', `/api/repos/app/commits/${(await repo.git('rev-parse', 'HEAD'))}/status`);
    assert.equal(status.body.state, 'failure');
    assert.ok(status.body.statuses.some((s) => s.context === 'CI (workflow_dispatch)' && s.state === 'failure'));
    assert.ok(status.body.statuses.some((s) => s.context === 'CI / build (workflow_dispatch)' && s.state === 'success'));

    await writeFile(path.join(counts, 'rerun-ok'), '');
    const rerun = await server.api<{ run: { attempt: number; status: string } }>('POST', `/api/runs/${dispatched.body.run.id}/rerun`, { failedOnly: true });
    assert.equal(rerun.status, 201, rerun.text);
    assert.equal(rerun.body.run.attempt, 2);
    await server.waitForRun(dispatched.body.run.id);
    const second = await server.api<{ conclusion: string; attempts: { attempt: number; conclusion: string }[]; jobs: { jobId: string; matrix: unknown; conclusion: string; steps: unknown[] }[] }>('GET', `/api/runs/${dispatched.body.run.id}`);
    assert.deepEqual(second.body.attempts.map((a) => a.attempt), [1, 2]);
    assert.equal(second.body.conclusion, 'success', 'the failed leg passes on attempt 2, reading build\'s carried-over output');
    assert.deepEqual(second.body.jobs.map((j) => [j.jobId, j.matrix, j.conclusion]), [['build', null, 'success'], ['test', { n: 1 }, 'success'], ['test', { n: 2 }, 'success']]);
    assert.deepEqual(second.body.jobs.find((j) => j.jobId === 'build')!.steps, [], 'build is carried over, not run');
    const legSteps = (n: number) => second.body.jobs.find((j) => j.jobId === 'test' && JSON.stringify(j.matrix) === JSON.stringify({ n }))!.steps;
    assert.deepEqual(legSteps(1), [], 'the leg that passed is carried over, as GitHub re-runs only a matrix job\'s failed legs');
    const carriedFrom = (jobs: unknown[]) => (jobs as { jobId: string; matrix: unknown; carriedFrom: number | null }[]).map((j) => [j.jobId, JSON.stringify(j.matrix), j.carriedFrom]);
    assert.deepEqual(carriedFrom(second.body.jobs), [['build', 'null', 1], ['test', '{"n":1}', 1], ['test', '{"n":2}', null]], 'carried-over jobs say which attempt they come from');
    assert.ok(legSteps(2).length >= 4, 'the failed leg runs again');
    assert.equal(await readFile(path.join(counts, 'build-runs'), 'utf8'), 'built\n', 'build ran once, on attempt 1 only');
    const leg2 = second.body.jobs.find((j) => j.jobId === 'test' && JSON.stringify(j.matrix) === '{"n":2}') as unknown as { id: number };
    const leg2Log = await server.api<string>('GET', `/api/runs/${dispatched.body.run.id}/jobs/${leg2.id}/logs`);
    assert.match(leg2Log.text, new RegExp(`attempt 2 of run ${dispatched.body.run.id} \\(2\\)`), 'github.run_attempt and GITHUB_RUN_ATTEMPT say 2; run_id stays the run');
    const first = await server.api<{ jobs: unknown[] }>('GET', `/api/runs/${dispatched.body.run.id}?attempt=1`);
    assert.equal(first.body.jobs.length, 3, 'the first attempt keeps its jobs');

    // Re-run one job: it and the jobs that need it run again; a job of an earlier attempt cannot be named.
    const build2 = second.body.jobs.find((j) => j.jobId === 'build') as unknown as { id: number };
    const earlierBuild = (first.body.jobs as { id: number; jobId: string }[]).find((j) => j.jobId === 'build')!;
    assert.equal((await server.api('POST', `/api/runs/${dispatched.body.run.id}/jobs/${earlierBuild.id}/rerun`)).status, 404);
    const jobRerun = await server.api<{ run: { attempt: number } }>('POST', `/api/runs/${dispatched.body.run.id}/jobs/${build2.id}/rerun`);
    assert.equal(jobRerun.status, 201, jobRerun.text);
    assert.equal(jobRerun.body.run.attempt, 3);
    assert.equal((await server.api('POST', `/api/runs/${dispatched.body.run.id}/jobs/${build2.id}/rerun`)).status, 409, 'not while the run is queued or running');
    await server.waitForRun(dispatched.body.run.id);
    const third = await server.api<{ conclusion: string; jobs: { jobId: string; carriedFrom: number | null; steps: unknown[] }[] }>('GET', `/api/runs/${dispatched.body.run.id}`);
    assert.equal(third.body.conclusion, 'success');
    assert.deepEqual(third.body.jobs.map((j) => [j.jobId, j.carriedFrom, j.steps.length > 0]), [['build', null, true], ['test', null, true], ['test', null, true]], 'build and the legs that need it ran');
    assert.equal(await readFile(path.join(counts, 'build-runs'), 'utf8'), 'built\nbuilt\n', 'build ran again on attempt 3');
  });

  test('logs follow live over Server-Sent Events and end when the job ends', async () => {
    await repo.write('.github/workflows/slow.yml', `name: Slow
on: workflow_dispatch
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: |
          for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.3; done
`);
    await repo.commit('slow workflow');
    const dispatched = await server.api<{ run: { id: number } }>('POST', '/api/repos/app/dispatch', { workflow: 'slow.yml' });
    assert.equal(dispatched.status, 201, dispatched.text);
    const runId = dispatched.body.run.id;
    await server.waitForRun(runId, (run) => run.status !== 'queued');
    let jobId: number | undefined;
    for (let i = 0; i < 200 && jobId === undefined; i++) {
      const shown = await server.api<{ jobs: { id: number }[] }>('GET', `/api/runs/${runId}`);
      jobId = shown.body.jobs[0]?.id;
      if (jobId === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(jobId !== undefined);
    const response = await fetch(`${server.url}/api/runs/${runId}/jobs/${jobId}/logs?follow=1`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const text = await response.text();
    const events = text.split('\n\n').filter((block) => block.startsWith('event:'));
    const logs = events.filter((e) => e.startsWith('event: log')).map((e) => JSON.parse(e.split('\ndata: ')[1]!) as { line: number; text: string });
    assert.deepEqual(logs.filter((l) => l.text.startsWith('tick')).map((l) => l.text), ['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
    assert.deepEqual(logs.map((l) => l.line), logs.map((_, i) => i + 1), 'every line once, in order');
    assert.ok(events[events.length - 1]!.startsWith('event: end'));
  });

  test('a queued or running run can be cancelled', async () => {
    await repo.write('.github/workflows/long.yml', `name: Long
on: workflow_dispatch
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
`);
    await repo.commit('long workflow');
    const dispatched = await server.api<{ run: { id: number } }>('POST', '/api/repos/app/dispatch', { workflow: 'long.yml' });
    await server.waitForRun(dispatched.body.run.id, (run) => run.status === 'running');
    const cancelled = await server.api('POST', `/api/runs/${dispatched.body.run.id}/cancel`);
    assert.equal(cancelled.status, 202, cancelled.text);
    const run = await server.waitForRun(dispatched.body.run.id);
    assert.equal(run.conclusion, 'cancelled');
    assert.equal((await server.api('POST', `/api/runs/${dispatched.body.run.id}/cancel`)).status, 409);
  });
});
