// server: `gantry serve` (a real child process from bin/gantry.js, loopback, --slots 1) measured
// three ways, against baselines in this process:
// - webhooks: signed GitHub push deliveries (each with its own X-GitHub-Delivery) from autocannon
//   for a fixed time, each accepted into a queued run, against a minimal fastify receiver (worker
//   thread) that parses the JSON, checks the HMAC in constant time and answers 202. The runner's
//   slot is held by a sleeping run so that the pushed runs stay queued: acceptance is measured,
//   not execution.
// - GET /api/runs with 100,000 runs stored, on SQLite and on PostgreSQL: the first page, a page
//   filtered by repository and branch, and a deep page through the cursor, one request after
//   another, against the same page from the server's own RunStore.list in this process.
// - resident memory of the server (/proc/<pid>/status) idle after start and at the end of the
//   webhook load, against a bare `node -e`.
// No targets: the issue sets none; every measure is informational.

import { createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { buildPushEvent } from '../src/plan/events/index.ts';
import { loadWorkflowsAt } from '../src/server/workflows.ts';
import { RepoSources } from '../src/server/repo-source.ts';
import { openDatabase, type Database } from '../src/storage/db/database.ts';
import { RunStore, type RunFilter } from '../src/storage/db/runs.ts';
import type { TestPostgres } from '../test/support/postgres.ts';
import { createGitRepo } from './lib/gantry.ts';
import { log, median, metric, runBenchmark, scaled, tempDir, type Metric } from './lib/harness.ts';
import { keepAliveAgent, percentile, timedGetJson, webhookLoad, type LoadResult } from './lib/load.ts';
import { throwawayPostgres } from './lib/postgres.ts';
import { writeRunHistory, type History } from './lib/run-history.ts';
import { bareNodeMemory, memoryOf, newAdminToken, newSecretKey, startGantryServe, type GantryServe, type Memory } from './lib/serve.ts';
import { startBaselineWebhookServer } from './lib/webhook-baseline.ts';

const CI_WORKFLOW = `name: CI
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
`;
// Dispatched twice before the load: with --slots 1 the dispatcher keeps at most two runs active,
// so these two hold it and every pushed run stays queued. Killed when the server stops.
const HOLD_WORKFLOW = `name: Hold
on: workflow_dispatch
jobs:
  hold:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - run: sleep 1800
`;
const HISTORY_REPOS = ['app-0', 'app-1', 'app-2', 'app-3', 'app-4'];
const HISTORY_BRANCHES = Array.from({ length: 19 }, (_, i) => `feature-${i + 1}`);
const HOOKED_REPO = 'hooked';
const PAGE = 50;

interface PageQuery {
  label: string;
  route: string;
  filter: RunFilter;
}

function pageQueries(history: History): PageQuery[] {
  // The cursor of a page 1,000 runs above the oldest: PAGE runs older than it follow.
  const cursor = history.firstId + Math.min(1000, Math.floor(history.runs / 2));
  return [
    { label: 'first page', route: `/api/runs?limit=${PAGE}`, filter: { limit: PAGE } },
    { label: 'repo+branch', route: `/api/runs?repo=app-2&branch=feature-7&limit=${PAGE}`, filter: { repo: 'app-2', branch: 'feature-7', limit: PAGE } },
    { label: 'deep page', route: `/api/runs?limit=${PAGE}&cursor=${cursor}`, filter: { limit: PAGE, cursor } },
  ];
}

type Page = { runs: { id: number }[]; nextCursor: string | null };

/** p50 and p99 of `count` GETs one after another and of `count` calls of RunStore.list, per round, the order alternating. */
async function measurePages(
  label: string,
  server: GantryServe,
  token: string,
  database: Database,
  history: History,
  options: { runs: number; count: number; warmup: boolean },
): Promise<{ metrics: Metric[]; samples: Record<string, number[]> }> {
  const store = new RunStore(database.db);
  const agent: http.Agent = keepAliveAgent();
  const metrics: Metric[] = [];
  const samples: Record<string, number[]> = {};
  try {
    for (const query of pageQueries(history)) {
      const viaHttp = async () => (await timedGetJson<Page>(agent, `${server.url}${query.route}`, token)).ms;
      const direct = async () => {
        const started = performance.now();
        await store.list(query.filter);
        return performance.now() - started;
      };
      // Both answer the same page, or the comparison means nothing.
      const page = (await timedGetJson<Page>(agent, `${server.url}${query.route}`, token)).body;
      const same = await store.list(query.filter);
      const ids = (runs: { id: number }[]) => runs.map((r) => r.id).join(',');
      if (ids(page.runs) !== ids(same.runs) || page.runs.length === 0) throw new Error(`${label} ${query.label}: the server's page (${page.runs.length} runs) differs from RunStore.list's (${same.runs.length})`);
      if (options.warmup) {
        for (let i = 0; i < 20; i++) {
          await viaHttp();
          await direct();
        }
      }
      const httpP99: number[] = [];
      const directP99: number[] = [];
      const httpP50: number[] = [];
      const directP50: number[] = [];
      for (let round = 0; round < options.runs; round++) {
        const times = { http: [] as number[], direct: [] as number[] };
        const order: ('http' | 'direct')[] = round % 2 === 0 ? ['http', 'direct'] : ['direct', 'http'];
        for (const side of order) for (let i = 0; i < options.count; i++) times[side].push(side === 'http' ? await viaHttp() : await direct());
        httpP99.push(percentile(times.http, 99));
        httpP50.push(percentile(times.http, 50));
        directP99.push(percentile(times.direct, 99));
        directP50.push(percentile(times.direct, 50));
        log(
          `  ${label} ${query.label} round ${round + 1}/${options.runs}: HTTP p50 ${httpP50.at(-1)!.toFixed(2)} ms p99 ${httpP99.at(-1)!.toFixed(2)} ms; ` +
            `RunStore.list p50 ${directP50.at(-1)!.toFixed(2)} ms p99 ${directP99.at(-1)!.toFixed(2)} ms`,
        );
      }
      const ratios = httpP99.map((h, i) => h / directP99[i]!);
      const p50Ratios = httpP50.map((h, i) => h / directP50[i]!);
      const name = `GET /api/runs ${query.label}, ${label}`;
      metrics.push(
        metric(`${name}: p50`, median(httpP50), 'ms', { rounds: httpP50 }),
        metric(`${name}: p99`, median(httpP99), 'ms', { rounds: httpP99 }),
        metric(`${name}: RunStore.list p50`, median(directP50), 'ms', { rounds: directP50 }),
        metric(`${name}: RunStore.list p99`, median(directP99), 'ms', { rounds: directP99 }),
        metric(`${name}: p99 / RunStore.list p99`, median(ratios), '×', { rounds: ratios }),
        metric(`${name}: p50 / RunStore.list p50`, median(p50Ratios), '×', { rounds: p50Ratios }),
      );
      samples[`GET ${query.label} ${label} p99`] = httpP99;
      samples[`RunStore.list ${query.label} ${label} p99`] = directP99;
    }
  } finally {
    agent.destroy();
  }
  return { metrics, samples };
}

async function waitFor(what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every queued run of the event, counted through the API, page by page. */
async function countRuns(server: GantryServe, query: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: Page = await server.api<Page>('GET', `/api/runs?${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    count += page.runs.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

const kib = (memory: Memory) => memory.rssKiB / 1024;

/**
 * What one accepted push costs in git before anything is queued: the server's private clone (no
 * files checked out, as the run queue makes it), reading the commit's workflows from it, and its
 * removal, one after another, unloaded.
 */
async function checkoutCost(repoDir: string, dataDir: string, count: number): Promise<number[]> {
  const sources = new RepoSources(dataDir);
  const repo = { id: 1, name: HOOKED_REPO, path: repoDir, url: null, defaultBranch: 'main', createdAt: new Date().toISOString() };
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const clone = await sources.checkout(repo, 'HEAD', `event-${repo.id}`, { worktree: false });
    await loadWorkflowsAt(clone.dir, clone.sha);
    await clone.dispose();
    times.push(performance.now() - started);
  }
  return times;
}

await runBenchmark('server', { runs: 3 }, async (options) => {
  const sizes = {
    storedRuns: scaled(100_000, options.scale, 200),
    loadSeconds: scaled(8, options.scale, 2),
    connections: scaled(10, options.scale, 2),
    requestsPerPageRound: scaled(200, options.scale, 5),
    checkouts: scaled(20, options.scale, 2),
    largeRepoFiles: scaled(5000, options.scale, 20),
    pageSize: PAGE,
    slots: 1,
  };
  const root = await tempDir('server');
  const repoDir = path.join(root, 'repo');
  await createGitRepo(repoDir, { '.github/workflows/ci.yml': CI_WORKFLOW, '.github/workflows/hold.yml': HOLD_WORKFLOW, 'README.md': 'server benchmark\n' });
  const event = await buildPushEvent(repoDir, {});
  const secretKey = newSecretKey();
  const adminToken = newAdminToken();
  const history = {
    secretKey: Buffer.from(secretKey, 'hex'),
    runs: sizes.storedRuns,
    repoPath: repoDir,
    repoNames: HISTORY_REPOS,
    branches: HISTORY_BRANCHES,
    event,
  };

  const metrics: Metric[] = [];
  const samples: Record<string, number[]> = {};
  const notes: string[] = [];
  const servers: GantryServe[] = [];
  const databases: Database[] = [];
  let postgres: TestPostgres | undefined;
  let stopBaseline: (() => Promise<number>) | undefined;
  try {
    // PostgreSQL: a throwaway cluster, the history, a server on it, its pages.
    log('PostgreSQL: a throwaway cluster');
    postgres = await throwawayPostgres();
    log(`writing ${sizes.storedRuns} runs to PostgreSQL`);
    const pgHistory = await writeRunHistory({ ...history, location: { url: postgres.url } });
    log(`  ${pgHistory.runs} runs in ${(pgHistory.ms / 1000).toFixed(1)} s (event data ${pgHistory.eventBytes} bytes a run)`);
    const pgServer = await startGantryServe({ dataDir: path.join(root, 'pg-data'), databaseUrl: postgres.url, slots: 1, adminToken, secretKey });
    servers.push(pgServer);
    const pgDirect = await openDatabase({ url: postgres.url });
    databases.push(pgDirect);
    log(`GET /api/runs on PostgreSQL, ${options.runs} round(s) of ${sizes.requestsPerPageRound} requests per query`);
    const pgPages = await measurePages('PostgreSQL', pgServer, adminToken, pgDirect, pgHistory, { runs: options.runs, count: sizes.requestsPerPageRound, warmup: options.warmup });
    await pgServer.stop();
    await pgDirect.close();
    databases.pop();

    // SQLite: the history in the data folder the server then starts on.
    const sqliteDir = path.join(root, 'sqlite-data');
    await mkdir(sqliteDir, { recursive: true, mode: 0o700 });
    const sqliteFile = path.join(sqliteDir, 'gantry.sqlite');
    log(`writing ${sizes.storedRuns} runs to SQLite`);
    const sqliteHistory = await writeRunHistory({ ...history, location: { sqliteFile } });
    log(`  ${sqliteHistory.runs} runs in ${(sqliteHistory.ms / 1000).toFixed(1)} s`);

    const bare = await bareNodeMemory();
    const bareTsx = await bareNodeMemory({ tsx: true });
    const server = await startGantryServe({ dataDir: sqliteDir, slots: 1, adminToken, secretKey });
    servers.push(server);
    await new Promise((resolve) => setTimeout(resolve, scaled(1000, options.scale, 300)));
    const idle = memoryOf(server.pid);
    log(`gantry serve started in ${server.startMs.toFixed(0)} ms; idle RSS ${kib(idle).toFixed(1)} MiB (bare node ${kib(bare).toFixed(1)} MiB)`);

    const sqliteDirect = await openDatabase({ sqliteFile });
    databases.push(sqliteDirect);
    log(`GET /api/runs on SQLite, ${options.runs} round(s) of ${sizes.requestsPerPageRound} requests per query`);
    const sqlitePages = await measurePages('SQLite', server, adminToken, sqliteDirect, sqliteHistory, { runs: options.runs, count: sizes.requestsPerPageRound, warmup: options.warmup });

    // Webhooks: register the repository, hold the runner, then load both receivers in turn.
    const { webhookSecret } = await server.api<{ webhookSecret: string }>('POST', '/api/repos', { name: HOOKED_REPO, path: repoDir });
    const holds: number[] = [];
    for (let i = 0; i < 2; i++) holds.push((await server.api<{ run: { id: number } }>('POST', `/api/repos/${HOOKED_REPO}/dispatch`, { workflow: 'hold.yml', ref: 'main' })).run.id);
    await waitFor('the two holding runs to start', async () => {
      const views = await Promise.all(holds.map((id) => server.api<{ status: string }>('GET', `/api/runs/${id}`)));
      return views.every((v) => v.status === 'running');
    });
    const payload = { ...event.payload, repository: { ...(event.payload.repository as Record<string, unknown>), name: HOOKED_REPO, full_name: `bench/${HOOKED_REPO}` } };
    const body = JSON.stringify(payload);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/bench',
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`,
    };
    const baseline = await startBaselineWebhookServer(webhookSecret);
    stopBaseline = baseline.stop;
    let byCount = 0;
    const load = async (url: string) => {
      const settings = { url, path: '/hooks/github', body, headers, connections: sizes.connections, durationSeconds: sizes.loadSeconds };
      const timed = await webhookLoad(settings);
      if (timed.latenciesMs.length > 0) return timed;
      // autocannon drops what is in flight when the time is up: on a very busy machine a short
      // window can end before any delivery is answered. Then one delivery per connection, by count.
      byCount++;
      return webhookLoad({ ...settings, amount: sizes.connections });
    };
    const check = (side: string, result: LoadResult) => {
      const other = Object.entries(result.statuses).filter(([status]) => status !== '202');
      if (other.length > 0 || result.errors > 0 || result.latenciesMs.length === 0) {
        throw new Error(`${side}: expected only 202 answers, got ${JSON.stringify(result.statuses)} and ${result.errors} errors/timeouts`);
      }
    };
    if (options.warmup) {
      log('warm-up (1 s each, untimed)');
      check('gantry warm-up', await webhookLoad({ url: server.url, path: '/hooks/github', body, headers, connections: 2, durationSeconds: 1 }));
      check('baseline warm-up', await webhookLoad({ url: baseline.url, path: '/hooks/github', body, headers, connections: 2, durationSeconds: 1 }));
    }
    log(`webhook load: ${sizes.connections} connections, ${sizes.loadSeconds} s per side, ${options.runs} round(s)`);
    const hook = { gantryP50: [] as number[], gantryP99: [] as number[], gantryRate: [] as number[], baseP50: [] as number[], baseP99: [] as number[], baseRate: [] as number[] };
    let accepted = 0;
    let endOfLoad: Memory = idle;
    for (let round = 0; round < options.runs; round++) {
      const order = round % 2 === 0 ? (['gantry', 'baseline'] as const) : (['baseline', 'gantry'] as const);
      for (const side of order) {
        const result = await load(side === 'gantry' ? server.url : baseline.url);
        if (side === 'gantry') endOfLoad = memoryOf(server.pid);
        check(side, result);
        const rate = result.latenciesMs.length / result.seconds;
        if (side === 'gantry') {
          accepted += result.statuses[202] ?? 0;
          hook.gantryP50.push(percentile(result.latenciesMs, 50));
          hook.gantryP99.push(percentile(result.latenciesMs, 99));
          hook.gantryRate.push(rate);
        } else {
          hook.baseP50.push(percentile(result.latenciesMs, 50));
          hook.baseP99.push(percentile(result.latenciesMs, 99));
          hook.baseRate.push(rate);
        }
      }
      log(
        `  round ${round + 1}/${options.runs}: gantry p50 ${hook.gantryP50.at(-1)!.toFixed(1)} ms p99 ${hook.gantryP99.at(-1)!.toFixed(1)} ms ${hook.gantryRate.at(-1)!.toFixed(1)}/s; ` +
          `baseline p50 ${hook.baseP50.at(-1)!.toFixed(2)} ms p99 ${hook.baseP99.at(-1)!.toFixed(2)} ms ${hook.baseRate.at(-1)!.toFixed(0)}/s`,
      );
    }
    await baseline.stop();
    stopBaseline = undefined;
    const checkouts = await checkoutCost(repoDir, path.join(root, 'checkouts'), sizes.checkouts);
    const largeRepoDir = path.join(root, 'large-repo');
    const sources = Object.fromEntries(Array.from({ length: sizes.largeRepoFiles }, (_, i) => [`src/m${i % 50}/f${i}.ts`, `export const v${i} = ${i};\n`]));
    await createGitRepo(largeRepoDir, { ...sources, '.github/workflows/ci.yml': CI_WORKFLOW });
    const largeCheckouts = await checkoutCost(largeRepoDir, path.join(root, 'large-checkouts'), sizes.checkouts);

    // Every accepted delivery is a queued run, and none ran. Deliveries still in flight when a load
    // ended (autocannon stops counting then) are accepted too: wait until the count settles.
    let pushed = -1;
    await waitFor('the last deliveries to be queued', async () => {
      const now = await countRuns(server, 'repo=hooked&event=push');
      const settled = now === pushed;
      pushed = now;
      if (!settled) await new Promise((resolve) => setTimeout(resolve, 300));
      return settled;
    });
    const queued = await countRuns(server, 'repo=hooked&event=push&status=queued');
    if (queued !== pushed || pushed < accepted) {
      throw new Error(`expected each of the ${accepted} deliveries answered 202 (and those in flight at the end) to be a queued push run; found ${pushed} push runs, ${queued} of them queued`);
    }
    const peak = memoryOf(server.pid);

    const p99Ratios = hook.gantryP99.map((g, i) => g / hook.baseP99[i]!);
    const rateRatios = hook.baseRate.map((b, i) => b / hook.gantryRate[i]!);
    metrics.push(
      metric('webhook push -> queued run: p50', median(hook.gantryP50), 'ms', { rounds: hook.gantryP50 }),
      metric('webhook push -> queued run: p99', median(hook.gantryP99), 'ms', { rounds: hook.gantryP99 }),
      metric('webhook push -> queued run: throughput', median(hook.gantryRate), 'req/s', { rounds: hook.gantryRate }),
      metric('webhook baseline (fastify + HMAC): p50', median(hook.baseP50), 'ms', { rounds: hook.baseP50 }),
      metric('webhook baseline (fastify + HMAC): p99', median(hook.baseP99), 'ms', { rounds: hook.baseP99 }),
      metric('webhook baseline (fastify + HMAC): throughput', median(hook.baseRate), 'req/s', { rounds: hook.baseRate }),
      metric('webhook p99 / baseline p99', median(p99Ratios), '×', { rounds: p99Ratios }),
      metric('webhook baseline throughput / gantry throughput', median(rateRatios), '×', { rounds: rateRatios }),
      metric('private clone + workflow read per push (unloaded)', median(checkouts), 'ms', { rounds: checkouts }),
      metric(`the same, ${sizes.largeRepoFiles} files in the repository`, median(largeCheckouts), 'ms', { rounds: largeCheckouts }),
      ...sqlitePages.metrics,
      ...pgPages.metrics,
      metric('RSS idle after start', kib(idle), 'MiB'),
      metric('RSS at the end of the webhook load', kib(endOfLoad), 'MiB'),
      metric('peak RSS (VmHWM) by the end', peak.peakKiB / 1024, 'MiB'),
      metric('bare node -e RSS', kib(bare), 'MiB'),
      metric('node -e with the tsx loader registered, RSS', kib(bareTsx), 'MiB'),
      metric('RSS idle / bare node', idle.rssKiB / bare.rssKiB, '×'),
      metric('RSS end of load / bare node', endOfLoad.rssKiB / bare.rssKiB, '×'),
    );
    Object.assign(samples, { 'webhook gantry p99': hook.gantryP99, 'webhook baseline p99': hook.baseP99 }, sqlitePages.samples, pgPages.samples);
    notes.push(
      `--slots 1 and two dispatched runs holding the dispatcher (sleep), so the ${accepted} pushed runs accepted under load stayed queued: acceptance into the queue was measured, not execution`,
      `each accepted push makes a private clone of the repository (its refs listed by git, its files written directly, borrowing the source's objects; no files checked out), builds the event there and reads the commit's workflows from git objects (ls-tree, cat-file --batch), then removes the clone: clone + read + removal take ${median(checkouts).toFixed(1)} ms alone, unloaded, one at a time`,
      'the webhook baseline runs in a worker thread of the benchmark process (its own event loop); autocannon runs on the main thread for both',
      ...(byCount > 0 ? [`${byCount} load window(s) of ${sizes.loadSeconds} s ended before any answer (a busy machine): those sides sent one delivery per connection by count instead`] : []),
      `${sizes.storedRuns} finished runs (one attempt each, ${sqliteHistory.eventBytes} bytes of event data each) over 5 repositories, main and 19 branches, written through storage/db before the server started; SQLite not analyzed (the server never runs ANALYZE), PostgreSQL analyzed (autovacuum would)`,
      `GET latencies: one request after another over one kept-alive connection with the admin token; RunStore.list is the same query with the same mapping, without HTTP, auth and JSON`,
      `server start-up: ${server.startMs.toFixed(0)} ms on SQLite with the history, ${pgServer.startMs.toFixed(0)} ms on PostgreSQL; history written in ${(sqliteHistory.ms / 1000).toFixed(1)} s (SQLite), ${(pgHistory.ms / 1000).toFixed(1)} s (PostgreSQL)`,
    );
    return {
      description: `gantry serve on loopback: webhooks under load, GET /api/runs with ${sizes.storedRuns} runs (SQLite, PostgreSQL), resident memory`,
      sizes,
      ratio: median(p99Ratios),
      ratioOf: 'gantry webhook p99 / fastify+HMAC baseline p99',
      metrics,
      samplesMs: samples,
      medianMs: Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)])),
      notes,
    };
  } finally {
    await stopBaseline?.().catch(() => undefined);
    for (const server of servers) await server.stop().catch(() => undefined);
    for (const database of databases) await database.close().catch(() => undefined);
    await postgres?.stop();
  }
});
