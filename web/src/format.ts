// Small text helpers shared by the pages.

import type { Conclusion, Status } from './api/types.ts';

export type Tone = 'success' | 'failure' | 'cancelled' | 'skipped' | 'running' | 'queued';

export function toneOf(status: Status | undefined, conclusion: Conclusion | null | undefined): Tone {
  if (conclusion === 'success' || conclusion === 'neutral') return 'success';
  if (conclusion === 'failure' || conclusion === 'timed_out') return 'failure';
  if (conclusion === 'cancelled') return 'cancelled';
  if (conclusion === 'skipped') return 'skipped';
  if (status === 'running' || status === 'in_progress') return 'running';
  return 'queued';
}

export function stateLabel(status: Status | undefined, conclusion: Conclusion | null | undefined): string {
  if (conclusion) return conclusion.replace('_', ' ');
  if (status === 'in_progress') return 'running';
  return status ?? 'queued';
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** Elapsed time of something that started (and maybe finished). */
export function elapsed(startedAt: string | null, finishedAt: string | null, durationMs?: number | null, now = Date.now()): number | null {
  if (!startedAt) return null;
  if (durationMs !== null && durationMs !== undefined) return durationMs;
  const start = Date.parse(startedAt);
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

export function shortSha(sha: string): string {
  return sha ? sha.slice(0, 7) : '';
}

/** "matrix": { os: linux, node: 20 } -> "linux, 20" */
export function matrixLabel(matrix: Record<string, unknown> | null): string {
  if (!matrix) return '';
  return Object.values(matrix)
    .map((value) => (typeof value === 'object' ? JSON.stringify(value) : String(value)))
    .join(', ');
}

/** How long a job or step took (or has taken so far); nothing for one that was skipped. */
export function durationOf(item: { startedAt: string | null; finishedAt: string | null; durationMs?: number | null; conclusion?: string | null }, now: number): string {
  if (item.conclusion === 'skipped') return '';
  return formatDuration(elapsed(item.startedAt, item.finishedAt, item.durationMs, now));
}
