import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderDashboard, summarize } from '../src/dashboard.js';
import { escapeHtml, formatDuration, statusLabel } from '../src/format.js';

const runs = [
  { pipeline: 'orders-daily', status: 'success', durationMs: 65_000 },
  { pipeline: 'crm-sync', status: 'failure', durationMs: 3_000 },
  { pipeline: 'orders-hourly', status: 'success', durationMs: 12_000 },
];

test('formatDuration picks the largest useful units, or a dash', () => {
  const durations = [42_000, 185_000, 4_320_000, -1, Number.NaN];
  assert.deepEqual(durations.map(formatDuration), ['42s', '3m 5s', '1h 12m', '-', '-']);
});

test('statusLabel knows the run statuses and flags unknown ones', () => {
  assert.equal(statusLabel('success'), '✅ success');
  assert.equal(statusLabel('skipped'), '❔ skipped');
  assert.equal(statusLabel('constructor'), '❔ constructor');
});

test('escapeHtml escapes markup', () => {
  assert.equal(escapeHtml('<a href="x">&</a>'), '&#60;a href=&#34;x&#34;&#62;&#38;&#60;/a&#62;');
});

test('summarize counts runs per status', () => {
  assert.deepEqual(summarize(runs), { total: 3, byStatus: { success: 2, failure: 1 } });
});

test('renderDashboard shows a summary and one escaped row per run', () => {
  const queued = { pipeline: '<script>', status: 'queued', durationMs: 0 };
  const html = renderDashboard([...runs, queued]);
  assert.match(html, /^<p>4 runs: 2 success, 1 failure, 1 queued<\/p>/);
  assert.equal(html.match(/<tr>/g)?.length, 4);
  assert.match(html, /<td>crm-sync<\/td><td>❌ failure<\/td><td>3s<\/td>/);
  assert.ok(!html.includes('<script>'));
});

test('renderDashboard says when there is nothing to show', () => {
  assert.equal(renderDashboard([]), '<p>No pipeline runs yet</p>');
});
