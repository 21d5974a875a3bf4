// The end-of-run summary both renderers print: a row per job leg, the
// annotations, the step summaries, where the logs are, and one verdict line.

import { padEndVisible, padStartVisible, visibleWidth, type Palette } from './ansi.ts';
import { formatDuration } from './duration.ts';
import { annotationText, conclusionIcons, conclusionPaint, queuedIcon } from './labels.ts';
import type { JobView, RunState } from './run-state.ts';

export function formatSummary(state: RunState, palette: Palette): string {
  const sections = [jobTable(state, palette), annotationList(state, palette), stepSummaries(state, palette), [logsLine(state), verdictLine(state, palette)]];
  return sections
    .filter((lines) => lines.length > 0)
    .map((lines) => `\n${lines.filter((line) => line !== '').join('\n')}\n`)
    .join('');
}

function jobTable(state: RunState, palette: Palette): string[] {
  const jobs = state.dependencyOrder();
  if (jobs.length === 0) return [];
  const rows = jobs.map((job) => ({ icon: statusIcon(job, palette), label: state.jobLabel(job), result: resultWord(job, palette), duration: jobDuration(job) }));
  const labelWidth = Math.max(...rows.map((row) => visibleWidth(row.label)));
  const resultWidth = Math.max(...rows.map((row) => visibleWidth(row.result)));
  const durationWidth = Math.max(...rows.map((row) => row.duration.length));
  const lines = rows.map((row) => `  ${row.icon} ${padEndVisible(row.label, labelWidth)}  ${padEndVisible(row.result, resultWidth)}  ${padStartVisible(row.duration, durationWidth)}`);
  return [palette.bold('Jobs'), ...lines.map((line) => line.trimEnd())];
}

function statusIcon(job: JobView, palette: Palette): string {
  if (job.status === 'queued' || job.status === 'running') return palette.dim(queuedIcon);
  return conclusionPaint(job.status, palette)(conclusionIcons[job.status]);
}

function resultWord(job: JobView, palette: Palette): string {
  if (job.status === 'queued' || job.status === 'running') return palette.dim('incomplete');
  return conclusionPaint(job.status, palette)(job.status);
}

function jobDuration(job: JobView): string {
  if (job.status === 'skipped' || job.durationMs === undefined) return '-';
  return formatDuration(job.durationMs);
}

function annotationList(state: RunState, palette: Palette): string[] {
  if (state.annotations.length === 0) return [];
  const lines = [palette.bold('Annotations')];
  let previousHeading = '';
  for (const { job, step, annotation } of state.annotations) {
    const heading = `  ${state.jobLabel(state.job(job))} › ${state.stepName(job, step)}`;
    if (heading !== previousHeading) lines.push(heading);
    previousHeading = heading;
    lines.push(...annotationText(annotation, palette).split('\n').map((line) => `    ${line}`));
  }
  return lines;
}

function stepSummaries(state: RunState, palette: Palette): string[] {
  if (state.stepSummaries.length === 0) return [];
  const lines = [palette.bold('Step summaries')];
  for (const { job, step, markdown } of state.stepSummaries) {
    lines.push(palette.dim(`── ${state.jobLabel(state.job(job))} › ${state.stepName(job, step)} ──`), markdown.replace(/\n+$/, ''));
  }
  return lines;
}

function logsLine(state: RunState): string {
  return state.end ? `logs: ${state.end.logDir}` : '';
}

/** `✅ 6 jobs succeeded in 12.3s` or `❌ 1 of 6 jobs failed in 12.3s (backend-test (3.11))`. */
export function verdictLine(state: RunState, palette: Palette): string {
  const jobs = state.dependencyOrder();
  const total = jobs.length;
  const failed = jobs.filter((job) => job.status === 'failure');
  const cancelled = jobs.filter((job) => job.status === 'cancelled');
  const skipped = jobs.filter((job) => job.status === 'skipped');
  const succeeded = jobs.filter((job) => job.status === 'success');
  const duration = state.end ? ` in ${formatDuration(state.end.durationMs)}` : '';
  const conclusion = state.end?.conclusion ?? (failed.length > 0 ? 'failure' : cancelled.length > 0 ? 'cancelled' : 'success');

  switch (conclusion) {
    case 'failure': {
      if (failed.length === 0) return palette.red(`❌ run failed${duration}`);
      const names = failed.map((job) => state.jobLabel(job)).join(', ');
      return palette.red(`❌ ${failed.length} of ${countOf(total, 'job')} failed${duration} (${names})`);
    }
    case 'cancelled':
      if (cancelled.length === 0) return palette.yellow(`🚫 run cancelled${duration}`);
      return palette.yellow(`🚫 ${cancelled.length} of ${countOf(total, 'job')} cancelled${duration}`);
    case 'success':
    case 'skipped': {
      if (total === 0) return palette.green(`✅ no jobs ran${duration}`);
      const skippedNote = skipped.length > 0 ? `, ${skipped.length} skipped` : '';
      return palette.green(`✅ ${countOf(succeeded.length, 'job')} succeeded${skippedNote}${duration}`);
    }
  }
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
