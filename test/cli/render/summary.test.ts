import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Conclusion, EngineEvent } from '../../../src/engine/events.ts';
import { createPalette, stripAnsi } from '../../../src/cli/render/ansi.ts';
import { formatDuration } from '../../../src/cli/render/duration.ts';
import { RunState } from '../../../src/cli/render/run-state.ts';
import { formatSummary, verdictLine } from '../../../src/cli/render/summary.ts';
import { ansiEscape, at, colourCode, scriptedRun } from './scripted-run.ts';

const noColour = createPalette(false);

function stateOf(events: readonly EngineEvent[]): RunState {
  const state = new RunState();
  for (const event of events) state.apply(event);
  return state;
}

/** One workflow whose jobs end as given; the run ends with `runConclusion` after 12.3s unless it is null. */
function runWithJobs(conclusions: Conclusion[], runConclusion: Conclusion | null): RunState {
  const workflow = { workflowFile: 'ci.yml', workflowName: 'CI' };
  const events: EngineEvent[] = [{ type: 'run-started', runId: 'r1', at: at(0) }];
  conclusions.forEach((conclusion, index) => {
    const job = `ci.yml#job${index}#0`;
    events.push(
      { type: 'job-queued', job, ...workflow, jobId: `job${index}`, name: `job${index}`, needs: [], at: at(0) },
      { type: 'job-started', job, at: at(0) },
      { type: 'job-finished', job, conclusion, durationMs: 1000, at: at(1) },
    );
  });
  if (runConclusion) events.push({ type: 'run-finished', runId: 'r1', conclusion: runConclusion, durationMs: 12_300, logDir: 'logs', at: at(12.3) });
  return stateOf(events);
}

describe('formatDuration', () => {
  it('shows tenths of seconds under a minute, then minutes and seconds, then hours and minutes', () => {
    assert.equal(formatDuration(0), '0.0s');
    assert.equal(formatDuration(49), '0.0s');
    assert.equal(formatDuration(1234), '1.2s');
    assert.equal(formatDuration(12_345), '12.3s');
    assert.equal(formatDuration(59_940), '59.9s');
    assert.equal(formatDuration(59_960), '1m 00s');
    assert.equal(formatDuration(184_000), '3m 04s');
    assert.equal(formatDuration(3_599_400), '59m 59s');
    assert.equal(formatDuration(3_720_000), '1h 02m');
    assert.equal(formatDuration(-5), '0.0s');
  });
});

describe('formatSummary', () => {
  it('lists every job leg, the annotations, the step summaries, the logs and a verdict', () => {
    const expected = [
      '',
      'Jobs',
      '  ✓ Continuous Integration/lint                 success  2.0s',
      '  ✓ Continuous Integration/backend-test (3.10)  success  2.2s',
      '  ✗ Continuous Integration/backend-test (3.11)  failure  1.6s',
      '  ↷ Continuous Integration/deploy               skipped     -',
      '  ✓ Release/publish                             success  2.6s',
      '',
      'Annotations',
      '  Continuous Integration/lint › Run eslint',
      '    warning src/index.ts:12:5: Unexpected any',
      '  Release/publish › Build package',
      '    notice: package size 12 kB',
      '  Continuous Integration/backend-test (3.11) › Run tests',
      '    error tests/test_app.py:3: pytest: assert 1 == 2',
      '',
      'Step summaries',
      '── Continuous Integration/backend-test (3.10) › Run tests ──',
      '## Coverage',
      '',
      '| file | % |',
      '|---|---|',
      '| app.py | 92 |',
      '',
      'logs: .gantry/runs/r7',
      '❌ 1 of 5 jobs failed in 5.4s (Continuous Integration/backend-test (3.11))',
      '',
    ].join('\n');
    assert.equal(formatSummary(stateOf(scriptedRun), noColour), expected);
  });

  it('names jobs without their workflow when the run has only one', () => {
    const summary = formatSummary(runWithJobs(['success', 'failure'], 'failure'), noColour);
    assert.match(summary, /^ {2}✗ job1 {2}failure {2}1\.0s$/m);
    assert.match(summary, /^❌ 1 of 2 jobs failed in 12\.3s \(job1\)$/m);
  });

  it('leaves out the sections that have nothing to show', () => {
    const summary = formatSummary(runWithJobs(['success'], 'success'), noColour);
    assert.equal(summary, '\nJobs\n  ✓ job0  success  1.0s\n\nlogs: logs\n✅ 1 job succeeded in 12.3s\n');
  });

  it('marks jobs the run never finished as incomplete', () => {
    const state = stateOf([
      { type: 'job-queued', job: 'ci.yml#build#0', workflowFile: 'ci.yml', workflowName: 'CI', jobId: 'build', name: 'build', needs: [], at: at(0) },
      { type: 'run-finished', runId: 'r1', conclusion: 'cancelled', durationMs: 500, logDir: 'logs', at: at(0.5) },
    ]);
    assert.match(formatSummary(state, noColour), /^ {2}○ build {2}incomplete {2}-$/m);
  });

  it('colours the table and the verdict only when colour is on', () => {
    const coloured = formatSummary(stateOf(scriptedRun), createPalette(true));
    assert.match(coloured, colourCode);
    assert.ok(coloured.includes('\x1b[31m❌ 1 of 5 jobs failed'));
    assert.equal(stripAnsi(coloured), formatSummary(stateOf(scriptedRun), noColour));
    assert.doesNotMatch(formatSummary(stateOf(scriptedRun), noColour), ansiEscape);
  });
});

describe('verdictLine', () => {
  const verdict = (conclusions: Conclusion[], run: Conclusion | null) => verdictLine(runWithJobs(conclusions, run), noColour);

  it('counts successes, with skipped jobs noted and the singular for one job', () => {
    assert.equal(verdict(Array<Conclusion>(6).fill('success'), 'success'), '✅ 6 jobs succeeded in 12.3s');
    assert.equal(verdict(['success'], 'success'), '✅ 1 job succeeded in 12.3s');
    assert.equal(verdict(['success', 'skipped', 'success'], 'success'), '✅ 2 jobs succeeded, 1 skipped in 12.3s');
    assert.equal(verdict([], 'success'), '✅ no jobs ran in 12.3s');
  });

  it('names the failed jobs', () => {
    assert.equal(verdict(['success', 'failure', 'failure'], 'failure'), '❌ 2 of 3 jobs failed in 12.3s (job1, job2)');
  });

  it('reports a cancelled run, and a failed run without failed jobs', () => {
    assert.equal(verdict(['success', 'cancelled'], 'cancelled'), '🚫 1 of 2 jobs cancelled in 12.3s');
    assert.equal(verdict(['success'], 'failure'), '❌ run failed in 12.3s');
  });

  it('judges by the jobs when the run has not finished', () => {
    assert.equal(verdict(['success', 'failure'], null), '❌ 1 of 2 jobs failed (job1)');
    assert.equal(verdict(['success'], null), '✅ 1 job succeeded');
  });
});
