/** @type {Record<string, string>} */
const STATUS_LABELS = {
  queued: '⏳ queued',
  running: '🔄 running',
  success: '✅ success',
  failure: '❌ failure',
  cancelled: '⛔ cancelled',
};

/**
 * A run's duration the way a dashboard shows it: 42s, 3m 5s, 1h 12m.
 * @param {number} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** @param {string} status @returns {string} */
export function statusLabel(status) {
  return Object.hasOwn(STATUS_LABELS, status) ? STATUS_LABELS[status] : `❔ ${status}`;
}

/** @param {string} text @returns {string} */
export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
