// The live view for an interactive terminal: the job graph with states and
// times, the steps of running jobs, and the latest output of running steps,
// redrawn in place by a timer. When the run finishes the final state is
// printed once, followed by the summary.

import type { EngineEvent, EngineListener, JobKey } from '../../engine/events.ts';
import { createPalette, cursorUp, eraseToEndOfScreen, padEndVisible, sanitizeLine, truncate, visibleWidth, type Palette } from './ansi.ts';
import { formatDuration } from './duration.ts';
import { conclusionIcons, conclusionPaint, queuedIcon } from './labels.ts';
import { RunState, type JobView, type StepView } from './run-state.ts';
import { formatSummary } from './summary.ts';
import type { Renderer, RenderTarget } from './target.ts';

export interface TtyRendererOptions {
  out: RenderTarget;
  color: boolean;
  now?: () => number;
  /** At most this many output lines of running steps are shown; fewer when the terminal is short. */
  outputLines?: number;
  frameIntervalMs?: number;
  /** What calls the redraw repeatedly; tests pass their own. */
  ticker?: Ticker;
}

/** Calls `tick` every `intervalMs` until the returned function is called. */
export type Ticker = (tick: () => void, intervalMs: number) => () => void;

const intervalTicker: Ticker = (tick, intervalMs) => {
  const timer = setInterval(tick, intervalMs);
  return () => clearInterval(timer);
};

interface OutputLine {
  job: JobKey;
  text: string;
}

interface Row {
  left: string;
  right: string;
}

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const spinnerFrameMs = 100;
const defaultColumns = 80;
const defaultRows = 24;
const recentOutputCapacity = 500;
const failedStepTailLines = 10;

export class TtyRenderer implements Renderer {
  readonly listener: EngineListener = (event) => this.handle(event);
  private readonly state = new RunState();
  private readonly out: RenderTarget;
  private readonly color: boolean;
  private readonly palette: Palette;
  private readonly now: () => number;
  private readonly outputLines: number;
  private readonly frameIntervalMs: number;
  private readonly ticker: Ticker;
  private readonly recentOutput: OutputLine[] = [];
  /** The last lines of each job's current step, kept to show when that step fails. */
  private readonly currentStepTail = new Map<JobKey, string[]>();
  private readonly failedStepTail = new Map<JobKey, { step: number; lines: string[] }>();
  private stopTicking: (() => void) | undefined;
  private drawnFrame = '';
  private drawnLineCount = 0;
  private finished = false;

  constructor(options: TtyRendererOptions) {
    this.out = options.out;
    this.color = options.color;
    this.palette = createPalette(options.color);
    this.now = options.now ?? Date.now;
    this.outputLines = options.outputLines ?? 10;
    this.frameIntervalMs = options.frameIntervalMs ?? 100;
    this.ticker = options.ticker ?? intervalTicker;
  }

  handle(event: EngineEvent): void {
    this.state.apply(event);
    switch (event.type) {
      case 'step-started':
        this.currentStepTail.set(event.job, []);
        return;
      case 'log':
        this.remember(event.job, event.step, sanitizeLine(event.line, this.color));
        return;
      case 'step-finished':
        if (event.conclusion === 'failure' && !this.failedStepTail.has(event.job)) {
          this.failedStepTail.set(event.job, { step: event.step, lines: this.currentStepTail.get(event.job) ?? [] });
        }
        return;
      case 'run-finished':
        this.finish();
        return;
      default:
        return;
    }
  }

  get isRedrawing(): boolean {
    return this.stopTicking !== undefined;
  }

  start(): void {
    if (this.stopTicking !== undefined || this.finished) return;
    this.stopTicking = this.ticker(() => this.render(), this.frameIntervalMs);
  }

  /** Stops redrawing (the process can then exit), leaving the current frame on screen. */
  stop(): void {
    if (this.stopTicking === undefined) return;
    this.stopTicking();
    this.stopTicking = undefined;
    this.render();
  }

  /** Replaces the area drawn last time with the current frame; nothing is written when it is unchanged. */
  render(): void {
    if (this.finished) return;
    const frame = this.frame();
    if (frame === this.drawnFrame) return;
    this.out.write(this.eraseDrawnArea() + frame);
    this.drawnFrame = frame;
    this.drawnLineCount = frame === '' ? 0 : frame.split('\n').length - 1;
  }

  /** The live area as text: never taller than the terminal (less one row) nor wider than it. */
  frame(): string {
    if (this.state.runId === undefined && this.state.jobs.size === 0) return '';
    const now = this.now();
    const columns = this.out.columns ?? defaultColumns;
    const maxLines = Math.max(1, (this.out.rows ?? defaultRows) - 1);
    const lines = [this.headerLine(now), ...this.graphLines(now, columns, (job) => job.status === 'running')];
    if (lines.length > maxLines) {
      const shown = lines.slice(0, maxLines - 1);
      lines.splice(0, lines.length, ...shown, this.palette.dim(`… ${lines.length - shown.length} more`));
    } else {
      lines.push(...this.outputArea(maxLines - lines.length));
    }
    return lines.map((line) => truncate(line, columns - 1) + '\n').join('');
  }

  private finish(): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
    const columns = this.out.columns ?? defaultColumns;
    // The summary lists every job; the graph is kept only when it shows failed jobs' steps.
    const failed = [...this.state.jobs.values()].some((job) => job.status === 'failure');
    const graph = failed ? this.graphLines(this.now(), columns, (job) => job.status === 'failure') : [];
    const finalState = [...graph, ...this.failedStepOutput()].map((line) => line + '\n').join('');
    this.out.write(this.eraseDrawnArea() + finalState + formatSummary(this.state, this.palette));
    this.finished = true;
    this.drawnFrame = '';
    this.drawnLineCount = 0;
  }

  private eraseDrawnArea(): string {
    return this.drawnLineCount > 0 ? `\r${cursorUp(this.drawnLineCount)}${eraseToEndOfScreen}` : '';
  }

  private remember(job: JobKey, step: number | null, text: string): void {
    this.recentOutput.push({ job, text });
    if (this.recentOutput.length > recentOutputCapacity) this.recentOutput.shift();
    if (step === null) return;
    const tail = this.currentStepTail.get(job) ?? [];
    tail.push(text);
    if (tail.length > failedStepTailLines) tail.shift();
    this.currentStepTail.set(job, tail);
  }

  private headerLine(now: number): string {
    const jobs = [...this.state.jobs.values()];
    const done = jobs.filter((job) => job.status !== 'queued' && job.status !== 'running').length;
    const elapsed = this.state.startedAt === undefined ? '' : ` · ${formatDuration(now - this.state.startedAt)}`;
    const run = this.state.runId === undefined ? 'Run' : `Run ${this.state.runId}`;
    return this.palette.dim(`${run} · ${done}/${jobs.length} jobs done${elapsed}`);
  }

  /** Workflow headings, a row per job leg in dependency order, and the steps of the jobs `showSteps` picks. */
  private graphLines(now: number, columns: number, showSteps: (job: JobView) => boolean): string[] {
    const ordered = this.state.dependencyOrder();
    const workflowFiles = [...new Set(ordered.map((job) => job.workflowFile))];
    const sections: (string | Row)[] = [];
    for (const file of workflowFiles) {
      const jobs = ordered.filter((job) => job.workflowFile === file);
      sections.push(this.palette.bold(this.state.workflowNames.get(file) ?? file));
      for (const job of jobs) {
        sections.push({ left: `  ${this.jobIcon(job, now)} ${job.name}`, right: this.jobState(job, now) });
        if (!showSteps(job)) continue;
        const steps = [...job.steps.values()].sort((a, b) => a.index - b.index);
        for (const step of steps) sections.push({ left: `      ${this.stepIcon(step, now)} ${step.name}`, right: this.stepState(step, now) });
      }
    }
    const rows = sections.filter((section): section is Row => typeof section !== 'string');
    const leftWidth = Math.min(Math.max(0, ...rows.map((row) => visibleWidth(row.left))), Math.max(10, columns - 14));
    return sections.map((section) => (typeof section === 'string' ? section : `${padEndVisible(truncate(section.left, leftWidth), leftWidth)}  ${section.right}`));
  }

  private outputArea(room: number): string[] {
    const count = Math.min(this.outputLines, room - 1);
    if (count <= 0) return [];
    const running = this.recentOutput.filter(({ job }) => this.state.jobs.get(job)?.status === 'running');
    if (running.length === 0) return [];
    const lines = running.slice(-count).map(({ job, text }) => {
      const view = this.state.job(job);
      return `${this.palette.job(view.ordinal)(this.state.jobLabel(view))} | ${text}`;
    });
    return [this.palette.dim('── output ──'), ...lines];
  }

  private failedStepOutput(): string[] {
    const lines: string[] = [];
    for (const [job, { step, lines: tail }] of this.failedStepTail) {
      if (tail.length === 0) continue;
      const label = `${this.state.jobLabel(this.state.job(job))} › ${this.state.stepName(job, step)}`;
      lines.push(this.palette.red(`── ${label}: last ${tail.length === 1 ? 'line' : `${tail.length} lines`} ──`), ...tail.map((text) => `  ${text}`));
    }
    return lines;
  }

  private spinner(now: number): string {
    return this.palette.yellow(spinnerFrames[Math.floor(now / spinnerFrameMs) % spinnerFrames.length] ?? '');
  }

  private jobIcon(job: JobView, now: number): string {
    if (job.status === 'queued') return this.palette.dim(queuedIcon);
    if (job.status === 'running') return this.spinner(now);
    return conclusionPaint(job.status, this.palette)(conclusionIcons[job.status]);
  }

  private jobState(job: JobView, now: number): string {
    switch (job.status) {
      case 'queued': {
        const waitingFor = job.needs
          .map((key) => this.state.jobs.get(key))
          .filter((needed): needed is JobView => needed !== undefined && (needed.status === 'queued' || needed.status === 'running'));
        return this.palette.dim(waitingFor.length > 0 ? `waiting for ${waitingFor.map((needed) => needed.name).join(', ')}` : 'queued');
      }
      case 'running':
        return formatDuration(now - (job.startedAt ?? now));
      case 'skipped':
        return this.palette.dim('skipped');
      case 'cancelled':
        return this.palette.yellow(`cancelled ${formatDuration(job.durationMs ?? 0)}`);
      default:
        return formatDuration(job.durationMs ?? 0);
    }
  }

  private stepIcon(step: StepView, now: number): string {
    if (step.status === 'running') return this.spinner(now);
    if (step.status === 'success' && step.outcome === 'failure') return this.palette.yellow(conclusionIcons.failure);
    return conclusionPaint(step.status, this.palette)(conclusionIcons[step.status]);
  }

  private stepState(step: StepView, now: number): string {
    if (step.status === 'running') return formatDuration(now - step.startedAt);
    if (step.status === 'skipped') return this.palette.dim('skipped');
    return formatDuration(step.durationMs ?? 0);
  }
}
