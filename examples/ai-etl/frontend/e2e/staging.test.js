// `npm run test:e2e`. The seed drives a browser (Playwright) against the staging URL;
// this example checks the files deployed to the staging folder (STAGING_DIR) and
// runs the deployed bundle in a fresh JavaScript context.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createContext, runInContext } from 'node:vm';

const site = process.env.STAGING_DIR;
if (!site) throw new Error('STAGING_DIR must point at the deployed staging site');

test('the API reports healthy, running this release', () => {
  const health = JSON.parse(readFileSync(join(site, 'api/health'), 'utf8'));
  assert.equal(health.status, 'ok');
  if (process.env.GITHUB_SHA) assert.equal(health.release, process.env.GITHUB_SHA);
});

test('the page loads the bundle', () => {
  assert.match(readFileSync(join(site, 'index.html'), 'utf8'), /<script src="app.js"><\/script>/);
});

test('the deployed bundle renders the dashboard', () => {
  const context = createContext({});
  runInContext(readFileSync(join(site, 'app.js'), 'utf8'), context);
  const run = { pipeline: 'orders', status: 'running', durationMs: 90_000 };
  assert.equal(
    context.AiEtl.renderDashboard([run]),
    '<p>1 runs: 1 running</p>' +
      '<table><tr><td>orders</td><td>🔄 running</td><td>1m 30s</td></tr></table>',
  );
});
