/** Durations as people read them: `0.4s`, `12.3s`, `3m 04s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  const tenths = Math.round(Math.max(0, ms) / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m ${twoDigits(totalSeconds % 60)}s`;
  return `${Math.floor(totalMinutes / 60)}h ${twoDigits(totalMinutes % 60)}m`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
