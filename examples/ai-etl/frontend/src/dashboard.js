import { escapeHtml, formatDuration, statusLabel } from './format.js';

/** @typedef {{ pipeline: string, status: string, durationMs: number }} Run */

/**
 * How many runs there are, and how many of them per status.
 * @param {Run[]} runs
 * @returns {{ total: number, byStatus: Record<string, number> }}
 */
export function summarize(runs) {
  /** @type {Record<string, number>} */
  const byStatus = {};
  for (const run of runs) byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
  return { total: runs.length, byStatus };
}

/**
 * The dashboard's HTML: a summary line and one table row per run.
 * @param {Run[]} runs
 * @returns {string}
 */
export function renderDashboard(runs) {
  if (runs.length === 0) return '<p>No pipeline runs yet</p>';
  const { total, byStatus } = summarize(runs);
  const counts = Object.entries(byStatus).map(([status, count]) => `${count} ${status}`);
  const rows = runs.map(
    (run) =>
      `<tr><td>${escapeHtml(run.pipeline)}</td><td>${statusLabel(run.status)}</td>` +
      `<td>${formatDuration(run.durationMs)}</td></tr>`,
  );
  return `<p>${total} runs: ${counts.join(', ')}</p><table>${rows.join('')}</table>`;
}
