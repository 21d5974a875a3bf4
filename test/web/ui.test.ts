// The web UI in Debian's Chromium against a real `gantry serve`: sign in, a webhook push followed live on
// the runs list, the pipeline graph and the job log, a failed step, re-running failed jobs, a dispatch
// with inputs, and a secret whose value never reaches the page. Screenshots of each page are kept.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, type BrowserPage } from '../support/browser.ts';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { ensureWebBuilt } from '../support/web-build.ts';
import { startTestServer, type TestServer } from '../server/support.ts';
import { assertLabelled, pushWebhook, screenshotDir } from './support.ts';

const ciWorkflow = (gate: string, fixed: string) => `name: CI
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Compile
        run: |
          echo "::group::Toolchain"
          echo "gcc 12.2"
          echo "::endgroup::"
          printf '\\033[32mgreen text\\033[0m\\n'
          echo "waiting for the gate"
          while [ ! -e "${gate}" ]; do sleep 0.1; done
          echo "gate opened"
      - name: Report
        run: |
          echo "## Build report" >> "$GITHUB_STEP_SUMMARY"
          echo '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">' >> "$GITHUB_STEP_SUMMARY"
          echo "::warning title=Heads up::something to look at"
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        leg: [one, two]
    steps:
      - name: Prepare
        run: echo "preparing \${{ matrix.leg }}"
      - name: Check
        run: |
          if [ "\${{ matrix.leg }}" = two ] && [ ! -e "${fixed}" ]; then echo "leg two is broken"; exit 1; fi
          echo "leg \${{ matrix.leg }} passes"
  deploy:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - name: Ship
        run: echo "deploying"
`;

const RELEASE = `name: Release
on:
  workflow_dispatch:
    inputs:
      version:
        description: The version to release
        required: true
        type: string
      channel:
        type: choice
        options: [beta, stable]
        default: beta
      dry_run:
        type: boolean
        default: true
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - name: Announce
        run: echo "releasing \${{ inputs.version }} to \${{ inputs.channel }} dry=\${{ inputs.dry_run }}"
      - name: Sign
        run: echo "signing with \${{ secrets.DEPLOY_KEY }}"
      - name: Notes
        run: echo "notes for \${{ inputs.version }}" > release-notes.txt
      - uses: actions/upload-artifact@v4
        with:
          name: release-notes
          path: release-notes.txt
`;

const BIG_LOG = `name: Big log
on: workflow_dispatch
jobs:
  noisy:
    runs-on: ubuntu-latest
    steps:
      - name: Print
        run: seq 1 100000
`;

const WAIT_FOREVER = `name: Wait
on: workflow_dispatch
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - name: Wait
        run: |
          echo "waiting until cancelled"
          while true; do sleep 0.1; done
`;

const REPO = 'webapp';

describe('web UI in Chromium against gantry serve', { timeout: 600_000 }, () => {
  let server: TestServer;
  let repo: TempRepo;
  let scratch: string;
  let shots: string;
  let gate: string;
  let fixed: string;
  let webhookSecret: string;
  let browser: Browser;
  let tab: BrowserPage;
  let page: Page;
  let ciRunId = 0;

  const shoot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });
  const mainState = () => page.locator('main').getAttribute('data-state');

  before(async () => {
    await ensureWebBuilt();
    scratch = await mkdtemp(path.join(tmpdir(), 'gantry-web-test-'));
    shots = screenshotDir(scratch);
    gate = path.join(scratch, 'gate');
    fixed = path.join(scratch, 'fixed');
    repo = await createRepo({
      '.github/workflows/ci.yml': ciWorkflow(gate, fixed),
      '.github/workflows/release.yml': RELEASE,
      '.github/workflows/big-log.yml': BIG_LOG,
      '.github/workflows/wait.yml': WAIT_FOREVER,
    });
    server = await startTestServer();
    browser = await launchBrowser();
    tab = await openPage(browser, server.url);
    page = tab.page;
    page.setDefaultTimeout(90_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await repo?.remove();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('sign in with a token (an HttpOnly SameSite=Strict cookie, nothing in browser storage), then add a repository', async () => {
    await page.goto('/');
    await page.getByLabel('Access token').waitFor();
    await assertLabelled(page);
    await shoot('sign-in');
    await page.getByLabel('Access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();

    await page.getByLabel('Access token').fill(server.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Repositories' }).waitFor();
    const cookie = (await tab.context.cookies()).find((entry) => entry.name === 'gantry_session');
    assert.ok(cookie, 'the session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    const stored = await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }));
    assert.deepEqual(stored, { cookie: '', local: 0, session: 0 });
    assert.ok(!(await page.content()).includes(server.adminToken), 'the token is not in the page');

    const add = page.getByRole('form', { name: 'Add a repository' });
    await add.getByLabel('Name').fill(REPO);
    await add.getByLabel('Path or URL').fill(repo.dir);
    await add.getByRole('button', { name: 'Add' }).click();
    await page.locator(`[data-repo="${REPO}"]`).waitFor();
    webhookSecret = (await add.locator('code.token').textContent()) ?? '';
    assert.match(webhookSecret, /^[0-9a-f]{32,}$/, 'the webhook secret is shown once');
    await add.getByRole('button', { name: 'Done' }).click();
    assert.ok(!(await page.content()).includes(webhookSecret));
    // The server's {error: {code, message}} reaches the page as its message.
    await add.getByLabel('Name').fill(REPO);
    await add.getByLabel('Path or URL').fill(repo.dir);
    await add.getByRole('button', { name: 'Add' }).click();
    await add.getByRole('alert').filter({ hasText: `a repository named "${REPO}" is already registered` }).waitFor();
    await assertLabelled(page);
  });

  test('a webhook push appears on the runs list live; the graph and the log follow the run to its end', async () => {
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.locator('.feed-live').waitFor();
    // A reload would lose this, and a poll would show up as a request for the list.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const listRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/runs?')) listRequests.push(request.url());
    });

    const runIds = await pushWebhook(server.url, webhookSecret, REPO, await repo.git('rev-parse', 'HEAD'));
    assert.equal(runIds.length, 1);
    ciRunId = runIds[0]!;
    const row = page.locator(`tr[data-run-id="${ciRunId}"]`);
    await row.waitFor();
    await page.locator(`tr[data-run-id="${ciRunId}"][data-state="running"]`).waitFor();
    assert.deepEqual(listRequests, [], 'the new run came through the event stream, not a fetch');
    await assertLabelled(page);

    await row.getByRole('link', { name: /CI #/ }).click();
    await page.locator(`main[data-run-id="${ciRunId}"]`).waitFor();
    const build = page.locator('.graph-node[data-job-id="build"]');
    await page.locator('.graph-node[data-job-id="build"][data-state="running"]').waitFor();
    assert.equal(await page.locator('.graph-node').count(), 3, 'build, test (two legs in one node), deploy');
    assert.equal(await page.locator('.graph-node[data-job-id="test"] .graph-leg').count(), 2);
    assert.equal(await page.locator('.graph-edges path').count(), 2);
    await shoot('run-live');

    const apiRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/')) apiRequests.push(new URL(request.url()).pathname);
    });
    await build.getByRole('link').click();
    await page.locator('main.job-page').waitFor();
    const log = page.getByTestId('log');
    await log.getByText('waiting for the gate').waitFor();
    assert.equal(await mainState(), 'running');
    assert.equal(await log.locator('.ansi-green-fg', { hasText: 'green text' }).count(), 1, 'ANSI colours become classes');
    const group = log.getByRole('button', { name: /Toolchain/ });
    assert.equal(await group.getAttribute('aria-expanded'), 'false');
    assert.equal(await log.getByText('gcc 12.2').count(), 0, 'a ::group:: starts folded');
    await group.click();
    await log.getByText('gcc 12.2').waitFor();

    await writeFile(gate, '');
    await log.getByText('gate opened').waitFor();
    await page.locator('main.job-page[data-state="success"]').waitFor();
    await page.locator('.step-button[data-step][data-state="success"]', { hasText: 'Report' }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'no reload');
    const logRequests = apiRequests.filter((pathname) => pathname.endsWith('/logs'));
    assert.equal(logRequests.length, 1, 'one log stream from the first line to the end, no polling');
    assert.ok(apiRequests.length <= 3, `the job page asked the API only to load (${apiRequests.join(', ')})`);
    await assertLabelled(page);
    await shoot('job');

    await page.getByRole('link', { name: `CI #${ciRunId}` }).click();
    await page.locator(`main[data-run-id="${ciRunId}"][data-state="failure"]`).waitFor();
    await page.locator('.graph-node[data-job-id="build"][data-state="success"]').waitFor();
    await page.locator('.graph-node[data-job-id="test"][data-state="failure"]').waitFor();
    await page.locator('.graph-node[data-job-id="deploy"]:not([data-state="running"]):not([data-state="queued"])').waitFor();
    assert.notEqual(await page.locator('.graph-node[data-job-id="deploy"]').getAttribute('data-state'), 'success');
    assert.match((await page.locator('.graph-node[data-job-id="build"] .graph-duration').textContent()) ?? '', /\d+(ms|s)/, 'durations are shown');

    await page.getByRole('heading', { name: 'Annotations' }).waitFor();
    await page.locator('.annotation', { hasText: 'something to look at' }).waitFor();
    const summary = page.locator('.summary .markdown');
    await summary.getByRole('heading', { name: 'Build report' }).waitFor();
    assert.equal(await summary.locator('script').count(), 0, 'summaries are sanitized');
    assert.equal(await summary.locator('img[onerror]').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.equal(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed), true, 'no reload');
    await assertLabelled(page);
    await shoot('run');
  });

  test('a failed step opens by itself; lines link to #L<n>; search finds lines', async () => {
    await page.locator('.graph-node[data-job-id="test"] .graph-leg[data-state], .graph-node[data-job-id="test"] .graph-leg').filter({ hasText: 'two' }).click();
    await page.locator('main.job-page[data-state="failure"]').waitFor();
    const check = page.locator('.step-button', { hasText: 'Check' });
    await page.locator('.step-button[data-state="failure"]', { hasText: 'Check' }).waitFor();
    assert.equal(await check.getAttribute('aria-expanded'), 'true', 'the failed step is open');
    const log = page.getByTestId('log');
    const broken = log.locator('.log-row', { hasText: 'leg two is broken' });
    await broken.waitFor();

    const number = Number(await broken.getAttribute('data-line'));
    await broken.getByRole('link', { name: `Line ${number}` }).click();
    assert.ok(page.url().endsWith(`#L${number}`));
    await log.locator(`.log-row.selected[data-line="${number}"]`).waitFor();

    await page.getByLabel('Search the log').fill('BROKEN');
    await page.getByLabel('Search the log').press('Enter');
    await page.getByText('1 of 1').waitFor();
    await log.locator('.current-match', { hasText: 'leg two is broken' }).waitFor();
    await log.locator('mark', { hasText: 'broken' }).waitFor();

    await page.getByLabel('Timestamps').check();
    assert.match((await broken.locator('.ts').textContent()) ?? '', /^\d\d:\d\d:\d\d\.\d{3}$/);
    await assertLabelled(page);
    await shoot('job-failed');

    // A link to a line opens the job with that line shown, after a fresh load.
    await page.reload();
    await page.getByTestId('log').locator(`.log-row.selected[data-line="${number}"]`, { hasText: 'leg two is broken' }).waitFor();
  });

  test('re-run failed jobs: a new attempt that passes, the earlier one still shown', async () => {
    await page.goto(`/runs/${ciRunId}`);
    await page.locator(`main[data-run-id="${ciRunId}"][data-state="failure"]`).waitFor();
    await writeFile(fixed, '');
    await page.getByRole('button', { name: 'Re-run failed jobs' }).click();
    await page.getByRole('navigation', { name: 'Attempts' }).waitFor();
    await page.locator(`main[data-run-id="${ciRunId}"][data-state="success"]`).waitFor();
    await page.locator('.graph-node[data-job-id="test"][data-state="success"]').waitFor();
    await page.locator('.graph-node[data-job-id="deploy"][data-state="success"]').waitFor();
    // build passed on attempt 1: carried over, said so in the graph and on its page, which links there.
    const build = page.locator('.graph-node[data-job-id="build"] .graph-leg');
    await build.filter({ hasText: 'from attempt 1' }).waitFor();
    await build.click();
    await page.getByTestId('carried-over').getByRole('link', { name: 'attempt 1' }).click();
    await page.locator(`main[data-run-id="${ciRunId}"][data-state="failure"]`).waitFor();
    await page.goto(`/runs/${ciRunId}`);
    await page.locator(`main[data-run-id="${ciRunId}"][data-state="success"]`).waitFor();
    const attempts = page.getByRole('navigation', { name: 'Attempts' });
    assert.equal(await attempts.getByRole('link').count(), 2);
    await attempts.getByRole('link', { name: /#1/ }).click();
    await page.locator(`main[data-run-id="${ciRunId}"][data-state="failure"]`).waitFor();
    await page.locator('.graph-node[data-job-id="test"][data-state="failure"]').waitFor();
    assert.equal(await page.getByRole('button', { name: /Re-run/ }).count(), 0, 'earlier attempts are read-only');
    await page.locator('.graph-node[data-job-id="test"] .graph-leg').filter({ hasText: 'two' }).click();
    await page.locator('main.job-page[data-state="failure"]').waitFor();
    await page.getByTestId('log').getByText('leg two is broken').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Re-run this job' }).count(), 0, 'not from an earlier attempt');

    // One job again, from its page: deploy runs, build stays carried over from attempt 1.
    await page.goto(`/runs/${ciRunId}`);
    await page.locator('.graph-node[data-job-id="deploy"]').getByRole('link').click();
    await page.getByRole('button', { name: 'Re-run this job' }).click();
    await page.getByRole('navigation', { name: 'Attempts' }).getByRole('link', { name: /#3/ }).waitFor();
    await page.locator(`main[data-run-id="${ciRunId}"][data-state="success"]`).waitFor();
    await page.locator('.graph-node[data-job-id="build"] .graph-leg').filter({ hasText: 'from attempt 1' }).waitFor();
    await page.locator('.graph-node[data-job-id="deploy"][data-state="success"]').waitFor();
    assert.equal(await page.locator('.graph-node[data-job-id="deploy"] .graph-leg').filter({ hasText: 'from attempt' }).count(), 0, 'deploy ran');
  });

  test('cancel a running run from its page, and a running job from its own', async () => {
    const dispatched = await server.api<{ run: { id: number } }>('POST', `/api/repos/${REPO}/dispatch`, { workflow: 'wait.yml' });
    assert.equal(dispatched.status, 201, dispatched.text);
    const id = dispatched.body.run.id;
    await page.goto(`/runs/${id}`);
    await page.locator('.graph-node[data-job-id="wait"][data-state="running"]').waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator(`main[data-run-id="${id}"][data-state="cancelled"]`).waitFor();
    await page.locator('.graph-node[data-job-id="wait"][data-state="cancelled"]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel run' }).count(), 0);
    await page.getByRole('button', { name: 'Re-run all jobs' }).waitFor();

    const again = await server.api<{ run: { id: number } }>('POST', `/api/repos/${REPO}/dispatch`, { workflow: 'wait.yml' });
    assert.equal(again.status, 201, again.text);
    await page.goto(`/runs/${again.body.run.id}`);
    await page.locator('.graph-node[data-job-id="wait"][data-state="running"]').getByRole('link').click();
    await page.getByTestId('log').getByText('waiting until cancelled').waitFor();
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator('main.job-page[data-state="cancelled"]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel job' }).count(), 0);
  });

  test('run a workflow from its dispatch form with inputs', async () => {
    await page.getByRole('link', { name: 'Repositories' }).click();
    await page.getByRole('link', { name: REPO, exact: true }).click();
    await page.getByRole('link', { name: 'Run workflow Release' }).click();
    const form = page.getByRole('form', { name: 'Run Release' });
    await form.waitFor();
    assert.equal(await form.getByLabel('channel').inputValue(), 'beta', 'defaults are filled in');
    assert.equal(await form.getByLabel('dry_run').isChecked(), true);
    assert.equal(await form.getByLabel('version').getAttribute('required'), '');
    await form.getByLabel('version').fill('1.2.3');
    await form.getByLabel('channel').selectOption('stable');
    await form.getByLabel('dry_run').uncheck();
    await assertLabelled(page);
    await shoot('dispatch');
    await form.getByRole('button', { name: 'Run workflow' }).click();
    await page.locator('main[data-run-id][data-state="success"]').waitFor();
    await page.locator('.graph-node[data-job-id="release"]').getByRole('link').click();
    await page.locator('.step-button', { hasText: 'Announce' }).click();
    await page.getByTestId('log').getByText('releasing 1.2.3 to stable dry=false').waitFor();
  });

  test('a change made before the live stream opens still shows: the page fetches again once it is open', { timeout: 60_000 }, async () => {
    // The stream opens two seconds late; the run is dispatched as the page loads and is over by then.
    let streamOpened!: () => void;
    const opened = new Promise<void>((resolve) => { streamOpened = resolve; });
    await page.route('**/api/events', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      try {
        await route.continue();
      } finally {
        streamOpened();
      }
    });
    try {
      const dispatched = await server.api<{ run: { id: number } }>('POST', `/api/repos/${REPO}/dispatch`, { workflow: 'release.yml', inputs: { version: '2.0.0' } });
      assert.equal(dispatched.status, 201, dispatched.text);
      await page.goto(`/runs/${dispatched.body.run.id}`);
      await page.locator(`main[data-run-id="${dispatched.body.run.id}"]`).waitFor();
      await server.waitForRun(dispatched.body.run.id);
      await page.locator(`main[data-run-id="${dispatched.body.run.id}"][data-state="success"]`).waitFor({ timeout: 15_000 });
      await page.locator('.graph-node[data-job-id="release"][data-state="success"]').waitFor({ timeout: 15_000 });
      await opened;
    } finally {
      // A delayed stream still waiting when the test ends would be let through after the next test navigated away.
      await page.unrouteAll({ behavior: 'wait' });
    }
  });

  test('set a secret: its value appears nowhere in the page, not even in a job log that prints it', async () => {
    const value = `s3cret-${Math.random().toString(36).slice(2)}`;
    await page.getByRole('link', { name: 'Settings' }).click();
    const scope = page.getByRole('form', { name: 'Scope' });
    await scope.getByLabel('Scope').selectOption(REPO);
    await scope.getByRole('button', { name: 'Show' }).click();
    // The forms of the chosen scope replace the server-wide ones: fill them only once they are there.
    await page.getByText(`Showing ${REPO} secrets and variables`).waitFor();
    const setSecret = page.getByRole('form', { name: 'Set a secret' });
    await setSecret.getByLabel('Name').fill('DEPLOY_KEY');
    assert.equal(await setSecret.getByLabel('Value').getAttribute('type'), 'password');
    await setSecret.getByLabel('Value').fill(value);
    await setSecret.getByRole('button', { name: 'Set secret' }).click();
    await page.locator('table.secrets tr[data-name="DEPLOY_KEY"]').waitFor();
    assert.equal(await setSecret.getByLabel('Value').inputValue(), '', 'the value field is emptied');

    const setVariable = page.getByRole('form', { name: 'Set a variable' });
    await setVariable.getByLabel('Name').fill('REGION');
    await setVariable.getByLabel('Value').fill('eu-west');
    await setVariable.getByRole('button', { name: 'Set variable' }).click();
    await page.locator('table.variables tr[data-name="REGION"]', { hasText: 'eu-west' }).waitFor();
    await assertLabelled(page);
    await shoot('settings');

    const leaks = async () => {
      const html = await page.content();
      const text = await page.evaluate(() => document.body.innerText);
      const fields = await page.evaluate(() => [...document.querySelectorAll('input')].map((input) => input.value).join('\n'));
      return [html, text, fields].filter((content) => content.includes(value)).length;
    };
    assert.equal(await leaks(), 0, 'the settings page never shows the value');

    const dispatched = await server.api<{ run: { id: number } }>('POST', `/api/repos/${REPO}/dispatch`, { workflow: 'release.yml', inputs: { version: '9.9.9' } });
    assert.equal(dispatched.status, 201, dispatched.text);
    await page.goto(`/runs/${dispatched.body.run.id}`);
    await page.locator('main[data-run-id][data-state="success"]').waitFor();
    const artifact = page.getByRole('link', { name: 'release-notes' });
    await artifact.waitFor();
    const download = await page.request.get((await artifact.getAttribute('href')) ?? '');
    assert.equal(download.status(), 200, 'the artifact downloads with the session cookie');
    assert.equal(download.headers()['content-type'], 'application/zip');
    assert.equal((await download.body()).subarray(0, 2).toString(), 'PK');
    await page.locator('.graph-node[data-job-id="release"]').getByRole('link').click();
    await page.locator('.step-button', { hasText: 'Sign' }).click();
    await page.getByTestId('log').getByText('signing with ***').waitFor();
    assert.equal(await leaks(), 0, 'the job log shows the secret masked');

    await page.goto(`/settings?repo=${REPO}`);
    await page.getByRole('button', { name: 'Delete secret DEPLOY_KEY' }).click();
    await page.locator('table.secrets tr[data-name="DEPLOY_KEY"]').waitFor({ state: 'detached' });
  });

  test('admins manage tokens and read the audit log', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('link', { name: 'Tokens' }).click();
    const create = page.getByRole('form', { name: 'Create a token' });
    await create.getByLabel('Name').fill('ci-bot');
    await create.getByLabel('Role').selectOption('viewer');
    await create.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('it will not be shown again').waitFor();
    const token = (await page.locator('code.token').textContent()) ?? '';
    assert.ok(token.length > 10);
    await page.getByRole('cell', { name: 'ci-bot', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    assert.ok(!(await page.content()).includes(token), 'a new token is shown once, then gone');
    await assertLabelled(page);
    await shoot('tokens');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'secret.set', exact: true }).first().waitFor();
    await page.getByRole('cell', { name: 'token.create', exact: true }).first().waitFor();
    await page.getByRole('cell', { name: 'run.rerun_failed', exact: true }).waitFor();
    await shoot('audit');
  });

  test('a 100,000-line log keeps only the visible rows in the page and finds its last line', async () => {
    const dispatched = await server.api<{ run: { id: number } }>('POST', `/api/repos/${REPO}/dispatch`, { workflow: 'big-log.yml' });
    assert.equal(dispatched.status, 201, dispatched.text);
    await server.waitForRun(dispatched.body.run.id);
    await page.goto(`/runs/${dispatched.body.run.id}`);
    await page.locator('.graph-node[data-job-id="noisy"]').getByRole('link').click();
    await page.locator('.step-button', { hasText: 'Print' }).click();
    const log = page.getByTestId('log');
    await page.getByText(/^100,0\d\d lines$/).waitFor({ timeout: 180_000 });
    const rendered = await log.locator('.log-row').count();
    assert.ok(rendered < 300, `only the rows on screen are in the DOM (${rendered})`);
    await page.getByLabel('Search the log').fill('99999');
    await page.getByLabel('Search the log').press('Enter');
    await log.locator('.current-match', { hasText: /^\d+99999$/ }).waitFor();
  });

  test('runs: a page at a time, filters in the address, a new run matching the filters appears live', async () => {
    const listed = async () => page.locator('tr[data-run-id]').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-run-id'))));
    await page.goto('/runs?limit=2');
    await page.locator('tr[data-run-id]').nth(1).waitFor();
    const all = (await server.api<{ runs: { id: number }[] }>('GET', '/api/runs')).body.runs.map((run) => run.id);
    assert.ok(all.length >= 6);
    assert.deepEqual(await listed(), all.slice(0, 2));
    assert.equal(await page.getByRole('button', { name: 'Newer' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Older' }).click();
    await page.locator(`tr[data-run-id="${all[2]}"]`).waitFor();
    assert.deepEqual(await listed(), all.slice(2, 4));
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.locator(`tr[data-run-id="${all[0]}"]`).waitFor();

    const filters = page.getByRole('form', { name: 'Filter runs' });
    await filters.getByLabel('Actor').fill('octo');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/actor=octo/);
    await page.locator(`tr[data-run-id="${all[0]}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(await listed(), [ciRunId]);

    await page.goto(`/runs?repo=${REPO}&event=workflow_dispatch&workflow=.github/workflows/release.yml`);
    await page.locator('tr[data-run-id]').first().waitFor();
    const before = await listed();
    assert.ok(before.length >= 2 && !before.includes(ciRunId));
    const dispatched = await server.api<{ run: { id: number } }>('POST', `/api/repos/${REPO}/dispatch`, { workflow: 'release.yml', inputs: { version: '3.0.0' } });
    assert.equal(dispatched.status, 201, dispatched.text);
    await page.locator(`tr[data-run-id="${dispatched.body.run.id}"][data-state="success"]`).waitFor();
    assert.deepEqual(await listed(), [dispatched.body.run.id, ...before]);
  });

  test('keyboard only: skip link, then a run reached and opened with Tab and Enter; the theme follows the system', async () => {
    await page.goto('/runs');
    await page.locator(`tr[data-run-id="${ciRunId}"]`).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    let found = false;
    for (let presses = 0; presses < 60 && !found; presses++) {
      await page.keyboard.press('Tab');
      found = (await page.evaluate(() => document.activeElement?.textContent ?? '')).startsWith(`CI #${ciRunId}`);
    }
    assert.ok(found, 'the run link is reachable with Tab');
    await shoot('runs');
    await page.keyboard.press('Enter');
    await page.locator(`main[data-run-id="${ciRunId}"]`).waitFor();
    await page.getByRole('link', { name: 'Repositories' }).click();
    await page.locator(`[data-repo="${REPO}"] .badge`).waitFor();
    await shoot('repositories');

    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await openPage(browser, server.url, 'dark');
    await dark.context.addCookies(await tab.context.cookies());
    await dark.page.goto(`/runs/${ciRunId}`);
    await dark.page.locator(`main[data-run-id="${ciRunId}"]`).waitFor();
    await dark.page.locator('.graph-node').first().waitFor();
    const darkBackground = await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(darkBackground, light);
    await dark.page.screenshot({ path: path.join(shots, 'run-dark.png') });
    await dark.context.close();
    // Expected: the 401s of the first /api/me and the wrong token, the 409 of adding the repository twice, and
    // Chromium's report that the CSP refused the summary's onerror attribute while DOMPurify parsed it (in an
    // inert document, before removing it).
    const expected = (error: string) => /status of (401|409)/.test(error) || /inline event handler violates the following Content Security Policy/.test(error);
    assert.deepEqual(tab.errors.filter((error) => !expected(error)), [], 'no errors in the page');
  });
});
