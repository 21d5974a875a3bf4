// A scripted run for the renderer tests: two workflows, a matrix job with a
// failing leg, a job skipped because of it, annotations, a group, a skipped step,
// a step allowed to fail, and a step summary. Skipped jobs and steps are
// started and finished at once, as the engine does.

import type { EngineEvent, JobKey } from '../../../src/engine/events.ts';
import type { RenderTarget } from '../../../src/cli/render/target.ts';

export const runStartedAt = Date.UTC(2024, 0, 1);

/** The epoch time `seconds` after the run started. */
export const at = (seconds: number): number => runStartedAt + Math.round(seconds * 1000);

const ci = { workflowFile: '.github/workflows/ci.yml', workflowName: 'Continuous Integration' };
const release = { workflowFile: '.github/workflows/release.yml', workflowName: 'Release' };

export const jobs = {
  lint: '.github/workflows/ci.yml#lint#0',
  test310: '.github/workflows/ci.yml#backend-test#0',
  test311: '.github/workflows/ci.yml#backend-test#1',
  deploy: '.github/workflows/ci.yml#deploy#0',
  publish: '.github/workflows/release.yml#publish#0',
} satisfies Record<string, JobKey>;

const stdout = (job: JobKey, step: number | null, line: string, seconds: number): EngineEvent => ({ type: 'log', job, step, stream: 'stdout', line, at: at(seconds) });

export const scriptedRun: EngineEvent[] = [
  { type: 'run-started', runId: 'r7', at: at(0) },
  { type: 'workflow-started', ...ci, at: at(0) },
  { type: 'workflow-started', ...release, at: at(0) },
  { type: 'job-queued', job: jobs.lint, ...ci, jobId: 'lint', name: 'lint', needs: [], at: at(0) },
  { type: 'job-queued', job: jobs.test310, ...ci, jobId: 'backend-test', name: 'backend-test (3.10)', needs: [jobs.lint], at: at(0) },
  { type: 'job-queued', job: jobs.test311, ...ci, jobId: 'backend-test', name: 'backend-test (3.11)', needs: [jobs.lint], at: at(0) },
  { type: 'job-queued', job: jobs.deploy, ...ci, jobId: 'deploy', name: 'deploy', needs: [jobs.test310, jobs.test311], at: at(0) },
  { type: 'job-queued', job: jobs.publish, ...release, jobId: 'publish', name: 'publish', needs: [], at: at(0) },

  { type: 'job-started', job: jobs.lint, at: at(0.1) },
  { type: 'job-started', job: jobs.publish, at: at(0.1) },
  { type: 'log', job: jobs.publish, step: null, stream: 'system', line: 'Runner: host executor', at: at(0.1) },
  { type: 'step-started', job: jobs.lint, step: 0, name: 'Checkout', at: at(0.2) },
  { type: 'step-finished', job: jobs.lint, step: 0, name: 'Checkout', outcome: 'success', conclusion: 'success', durationMs: 300, at: at(0.5) },
  { type: 'step-started', job: jobs.publish, step: 0, name: 'Build package', at: at(0.5) },
  { type: 'step-started', job: jobs.lint, step: 1, name: 'Run eslint', at: at(0.6) },
  { type: 'group', job: jobs.lint, step: 1, action: 'start', title: 'Install dependencies', at: at(0.7) },
  stdout(jobs.lint, 1, 'added 120 packages', 0.8),
  { type: 'group', job: jobs.lint, step: 1, action: 'end', at: at(0.9) },
  stdout(jobs.lint, 1, 'src/index.ts', 1.0),
  { type: 'annotation', job: jobs.lint, step: 1, annotation: { level: 'warning', message: 'Unexpected any', file: 'src/index.ts', line: 12, col: 5 }, at: at(1.1) },
  stdout(jobs.publish, 0, 'built dist/app.tgz', 1.5),
  { type: 'annotation', job: jobs.publish, step: 0, annotation: { level: 'notice', message: 'package size 12 kB' }, at: at(1.6) },
  { type: 'step-finished', job: jobs.lint, step: 1, name: 'Run eslint', outcome: 'success', conclusion: 'success', durationMs: 1400, at: at(2.0) },
  { type: 'job-finished', job: jobs.lint, conclusion: 'success', durationMs: 2000, at: at(2.1) },
  { type: 'step-finished', job: jobs.publish, step: 0, name: 'Build package', outcome: 'success', conclusion: 'success', durationMs: 2000, at: at(2.5) },
  { type: 'step-started', job: jobs.publish, step: 1, name: 'Check size', at: at(2.5) },
  { type: 'step-finished', job: jobs.publish, step: 1, name: 'Check size', outcome: 'failure', conclusion: 'success', durationMs: 100, at: at(2.6) },
  { type: 'step-started', job: jobs.publish, step: 2, name: 'Upload', at: at(2.6) },
  { type: 'step-finished', job: jobs.publish, step: 2, name: 'Upload', outcome: 'skipped', conclusion: 'skipped', durationMs: 0, at: at(2.6) },
  { type: 'job-finished', job: jobs.publish, conclusion: 'success', durationMs: 2600, at: at(2.7) },
  { type: 'workflow-finished', workflowFile: release.workflowFile, conclusion: 'success', at: at(2.7) },

  { type: 'job-started', job: jobs.test310, at: at(3.0) },
  { type: 'job-started', job: jobs.test311, at: at(3.0) },
  { type: 'step-started', job: jobs.test310, step: 0, name: 'Run tests', at: at(3.1) },
  { type: 'step-started', job: jobs.test311, step: 0, name: 'Run tests', at: at(3.1) },
  stdout(jobs.test310, 0, '5 passed', 4.0),
  { type: 'log', job: jobs.test311, step: 0, stream: 'stderr', line: 'FAILED tests/test_app.py::test_div', at: at(4.2) },
  { type: 'annotation', job: jobs.test311, step: 0, annotation: { level: 'error', title: 'pytest', message: 'assert 1 == 2', file: 'tests/test_app.py', line: 3 }, at: at(4.3) },
  { type: 'step-finished', job: jobs.test311, step: 0, name: 'Run tests', outcome: 'failure', conclusion: 'failure', durationMs: 1400, at: at(4.5) },
  { type: 'job-finished', job: jobs.test311, conclusion: 'failure', durationMs: 1600, at: at(4.6) },
  { type: 'step-summary', job: jobs.test310, step: 0, markdown: '## Coverage\n\n| file | % |\n|---|---|\n| app.py | 92 |\n', at: at(5.0) },
  { type: 'step-finished', job: jobs.test310, step: 0, name: 'Run tests', outcome: 'success', conclusion: 'success', durationMs: 2000, at: at(5.1) },
  { type: 'job-finished', job: jobs.test310, conclusion: 'success', durationMs: 2200, at: at(5.2) },
  { type: 'job-started', job: jobs.deploy, at: at(5.3) },
  { type: 'job-finished', job: jobs.deploy, conclusion: 'skipped', durationMs: 0, at: at(5.3) },
  { type: 'workflow-finished', workflowFile: ci.workflowFile, conclusion: 'failure', at: at(5.3) },
  { type: 'run-finished', runId: 'r7', conclusion: 'failure', durationMs: 5400, logDir: '.gantry/runs/r7', at: at(5.4) },
];

/** The events up to and including the given moment. */
export function eventsUntil(seconds: number): EngineEvent[] {
  return scriptedRun.filter((event) => event.at <= at(seconds));
}

export interface CapturedOutput extends RenderTarget {
  readonly writes: string[];
  text(): string;
}

export function captureOutput(size: { columns?: number; rows?: number } = {}): CapturedOutput {
  const writes: string[] = [];
  return { ...size, writes, write: (text) => void writes.push(text), text: () => writes.join('') };
}

/* eslint-disable no-control-regex -- these find the escape sequences the renderers write */
export const ansiEscape = /\x1b/;
export const colourCode = /\x1b\[[0-9;]*m/;
/** The colour code a line starts with, before its `[workflow/job]` prefix. */
export const leadingColour = /^(\x1b\[[0-9;]*m)\[/;
/* eslint-enable no-control-regex */
