// Line-by-line output for pipes and CI logs, in the manner of `act`: every line
// carries a `[workflow/job]` prefix, so interleaved jobs stay readable.

import type { Conclusion, EngineEvent, EngineListener, JobKey } from '../../engine/events.ts';
import { createPalette, type Palette } from './ansi.ts';
import { formatDuration } from './duration.ts';
import { annotationText, conclusionPaint } from './labels.ts';
import { RunState } from './run-state.ts';
import { formatSummary } from './summary.ts';
import type { Renderer, RenderTarget } from './target.ts';

export interface PlainRendererOptions {
  out: RenderTarget;
  color: boolean;
}

const jobResultWords: Record<Conclusion, string> = { success: 'succeeded', failure: 'failed', cancelled: 'cancelled', skipped: 'skipped' };

export class PlainRenderer implements Renderer {
  readonly listener: EngineListener = (event) => this.handle(event);
  private readonly state = new RunState();
  private readonly out: RenderTarget;
  private readonly palette: Palette;
  /** Jobs whose start line is printed: only once they do something, as skipped jobs are started and finished at once. */
  private readonly announcedJobs = new Set<JobKey>();
  /** Titles of the groups open in each job's current step, innermost last. */
  private readonly openGroups = new Map<JobKey, string[]>();

  constructor(options: PlainRendererOptions) {
    this.out = options.out;
    this.palette = createPalette(options.color);
  }

  handle(event: EngineEvent): void {
    this.state.apply(event);
    const { palette } = this;
    switch (event.type) {
      case 'step-started':
        this.announce(event.job);
        this.openGroups.delete(event.job);
        this.jobLine(event.job, `⭐ Start - ${event.name}`);
        return;
      case 'log':
        this.announce(event.job);
        this.stepLine(event.job, event.stream === 'system' ? palette.dim(`⚙ ${event.line}`) : `| ${event.line}`);
        return;
      case 'group':
        this.announce(event.job);
        this.group(event.job, event.action, event.title);
        return;
      case 'annotation':
        this.announce(event.job);
        this.stepLine(event.job, annotationText(event.annotation, palette));
        return;
      case 'step-finished': {
        this.openGroups.delete(event.job);
        this.stepLine(event.job, this.stepResult(this.state.stepName(event.job, event.step), event));
        return;
      }
      case 'job-finished': {
        const duration = event.conclusion === 'skipped' ? '' : ` [${formatDuration(event.durationMs)}]`;
        this.jobLine(event.job, `🏁 ${conclusionPaint(event.conclusion, palette)(`Job ${jobResultWords[event.conclusion]}`)}${duration}`);
        return;
      }
      case 'run-finished':
        this.out.write(formatSummary(this.state, palette));
        return;
      case 'run-started':
      case 'workflow-started':
      case 'job-started':
      case 'job-queued':
      case 'step-summary':
      case 'workflow-finished':
        return;
    }
  }

  /** Nothing to release: lines are written as their events arrive. */
  stop(): void {}

  private announce(job: JobKey): void {
    if (this.announcedJobs.has(job)) return;
    this.announcedJobs.add(job);
    this.jobLine(job, '🚀 Job started');
  }

  private group(job: JobKey, action: 'start' | 'end', title: string | undefined): void {
    const open = this.openGroups.get(job) ?? [];
    this.openGroups.set(job, open);
    if (action === 'start') {
      const shownTitle = title ?? 'group';
      this.stepLine(job, this.palette.bold(`┌ ${shownTitle}`));
      open.push(shownTitle);
    } else {
      const closed = open.pop() ?? title ?? 'group';
      this.stepLine(job, this.palette.bold(`└ ${closed}`));
    }
  }

  private stepResult(name: string, result: { outcome: Conclusion; conclusion: Conclusion; durationMs: number }): string {
    const duration = ` [${formatDuration(result.durationMs)}]`;
    const { palette } = this;
    if (result.conclusion === 'success' && result.outcome === 'failure') {
      return palette.yellow(`❌ Failure (continue-on-error) - ${name}`) + duration;
    }
    switch (result.conclusion) {
      case 'success':
        return palette.green(`✅ Success - ${name}`) + duration;
      case 'failure':
        return palette.red(`❌ Failure - ${name}`) + duration;
      case 'cancelled':
        return palette.yellow(`🚫 Cancelled - ${name}`) + duration;
      case 'skipped':
        return palette.dim(`⏭ Skipped - ${name}`);
    }
  }

  private jobLine(key: JobKey, text: string): void {
    this.writeLines(this.prefix(key), ' ', text);
  }

  private stepLine(key: JobKey, text: string): void {
    const depth = this.openGroups.get(key)?.length ?? 0;
    const groupBars = depth > 0 ? this.palette.bold('│ '.repeat(depth)) : '';
    this.writeLines(this.prefix(key), '   ' + groupBars, text);
  }

  /** Multi-line text (an annotation's message) gets the prefix on every line. */
  private writeLines(prefix: string, indent: string, text: string): void {
    this.out.write(text.split('\n').map((line) => `${prefix}${indent}${line}\n`).join(''));
  }

  private prefix(key: JobKey): string {
    const job = this.state.job(key);
    return this.palette.job(job.ordinal)(`[${job.workflowName}/${job.name}]`);
  }
}
