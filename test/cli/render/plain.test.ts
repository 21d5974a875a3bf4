import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../../src/engine/events.ts';
import { stripAnsi } from '../../../src/cli/render/ansi.ts';
import { createRenderer } from '../../../src/cli/render/index.ts';
import { PlainRenderer } from '../../../src/cli/render/plain.ts';
import { ansiEscape, at, captureOutput, colourCode, leadingColour, scriptedRun } from './scripted-run.ts';

function renderPlain(events: readonly EngineEvent[], color: boolean): string {
  const out = captureOutput();
  const renderer = new PlainRenderer({ out, color });
  for (const event of events) renderer.listener(event);
  return out.text();
}

const CI = '[Continuous Integration/lint]';
const PUBLISH = '[Release/publish]';
const T310 = '[Continuous Integration/backend-test (3.10)]';
const T311 = '[Continuous Integration/backend-test (3.11)]';

describe('plain renderer', () => {
  it('prints every line with a [workflow/job] prefix, step and job results, groups and annotations, then the summary', () => {
    const expected = [
      `${PUBLISH} 🚀 Job started`,
      `${PUBLISH}   ⚙ Runner: host executor`,
      `${CI} 🚀 Job started`,
      `${CI} ⭐ Start - Checkout`,
      `${CI}   ✅ Success - Checkout [0.3s]`,
      `${PUBLISH} ⭐ Start - Build package`,
      `${CI} ⭐ Start - Run eslint`,
      `${CI}   ┌ Install dependencies`,
      `${CI}   │ | added 120 packages`,
      `${CI}   └ Install dependencies`,
      `${CI}   | src/index.ts`,
      `${CI}   warning src/index.ts:12:5: Unexpected any`,
      `${PUBLISH}   | built dist/app.tgz`,
      `${PUBLISH}   notice: package size 12 kB`,
      `${CI}   ✅ Success - Run eslint [1.4s]`,
      `${CI} 🏁 Job succeeded [2.0s]`,
      `${PUBLISH}   ✅ Success - Build package [2.0s]`,
      `${PUBLISH} ⭐ Start - Check size`,
      `${PUBLISH}   ❌ Failure (continue-on-error) - Check size [0.1s]`,
      `${PUBLISH} ⭐ Start - Upload`,
      `${PUBLISH}   ⏭ Skipped - Upload`,
      `${PUBLISH} 🏁 Job succeeded [2.6s]`,
      `${T310} 🚀 Job started`,
      `${T310} ⭐ Start - Run tests`,
      `${T311} 🚀 Job started`,
      `${T311} ⭐ Start - Run tests`,
      `${T310}   | 5 passed`,
      `${T311}   | FAILED tests/test_app.py::test_div`,
      `${T311}   error tests/test_app.py:3: pytest: assert 1 == 2`,
      `${T311}   ❌ Failure - Run tests [1.4s]`,
      `${T311} 🏁 Job failed [1.6s]`,
      `${T310}   ✅ Success - Run tests [2.0s]`,
      `${T310} 🏁 Job succeeded [2.2s]`,
      // Skipped without ever running: no start line.
      `[Continuous Integration/deploy] 🏁 Job skipped`,
      '',
      'Jobs',
    ].join('\n');
    const text = renderPlain(scriptedRun, false);
    assert.equal(text.slice(0, expected.length), expected);
    assert.match(text, /\nlogs: \.gantry\/runs\/r7\n❌ 1 of 5 jobs failed in 5\.4s \(Continuous Integration\/backend-test \(3\.11\)\)\n$/);
    assert.doesNotMatch(text, ansiEscape);
  });

  it('prints nothing for a run until something happens in a job', () => {
    assert.equal(renderPlain(scriptedRun.slice(0, 9), false), '');
  });

  it('colours each job prefix with its own colour, the same on every line, and changes nothing else', () => {
    const coloured = renderPlain(scriptedRun, true);
    assert.match(coloured, colourCode);
    assert.equal(stripAnsi(coloured), renderPlain(scriptedRun, false));

    const prefixColour = (prefix: string) => {
      const linesOfJob = coloured.split('\n').filter((line) => stripAnsi(line).startsWith(prefix + ' '));
      const colours = new Set(linesOfJob.map((line) => leadingColour.exec(line)?.[1] ?? 'uncoloured'));
      assert.equal(colours.size, 1, `one colour for ${prefix}: ${[...colours].join(', ')}`);
      const [colour = ''] = colours;
      assert.match(colour, colourCode);
      return colour;
    };
    const colours = [CI, PUBLISH, T310, T311].map(prefixColour);
    assert.equal(new Set(colours).size, 4, 'four jobs, four colours');
    assert.ok(coloured.includes('\x1b[32m✅ Success - Checkout\x1b[39m'));
    assert.ok(coloured.includes('\x1b[31m❌ Failure - Run tests\x1b[39m'));
    assert.ok(coloured.includes('\x1b[31merror\x1b[39m tests/test_app.py:3'));
  });

  it('prefixes every line of a multi-line annotation and keeps log lines as they are', () => {
    const events: EngineEvent[] = [
      { type: 'job-queued', job: 'ci.yml#a#0', workflowFile: 'ci.yml', workflowName: 'CI', jobId: 'a', name: 'a', needs: [], at: at(0) },
      { type: 'step-started', job: 'ci.yml#a#0', step: 0, name: 'Test', at: at(0) },
      { type: 'log', job: 'ci.yml#a#0', step: 0, stream: 'stderr', line: '\x1b[31mred\x1b[0m\ttabbed', at: at(0) },
      { type: 'annotation', job: 'ci.yml#a#0', step: 0, annotation: { level: 'error', message: 'first\nsecond', file: 'a.ts' }, at: at(0) },
    ];
    assert.equal(
      renderPlain(events, false),
      '[CI/a] 🚀 Job started\n[CI/a] ⭐ Start - Test\n[CI/a]   | \x1b[31mred\x1b[0m\ttabbed\n[CI/a]   error a.ts: first\n[CI/a]   second\n',
    );
  });

  it('closes groups a step leaves open and names jobs it was never told about by their key', () => {
    const job = '.github/workflows/ci.yml#build#2';
    const events: EngineEvent[] = [
      { type: 'step-started', job, step: 3, name: 'Make', at: at(0) },
      { type: 'group', job, step: 3, action: 'start', title: 'Compile', at: at(0) },
      { type: 'step-finished', job, step: 3, name: 'Make', outcome: 'cancelled', conclusion: 'cancelled', durationMs: 1500, at: at(1.5) },
      { type: 'log', job, step: null, stream: 'stdout', line: 'after', at: at(2) },
    ];
    assert.equal(
      renderPlain(events, false),
      [
        '[.github/workflows/ci.yml/build] 🚀 Job started',
        '[.github/workflows/ci.yml/build] ⭐ Start - Make',
        '[.github/workflows/ci.yml/build]   ┌ Compile',
        '[.github/workflows/ci.yml/build]   🚫 Cancelled - Make [1.5s]',
        '[.github/workflows/ci.yml/build]   | after',
        '',
      ].join('\n'),
    );
  });
});

describe('createRenderer', () => {
  it('gives the plain renderer when the output is not a terminal', () => {
    const out = captureOutput({ columns: 80, rows: 24 });
    const renderer = createRenderer({ tty: false, color: false, out });
    for (const event of scriptedRun) renderer.listener(event);
    renderer.stop();
    renderer.stop();
    assert.ok(out.text().startsWith(`${PUBLISH} 🚀 Job started\n`));
    assert.doesNotMatch(out.text(), ansiEscape);
  });

  it('gives the live view on a terminal, which ends with the summary', () => {
    const out = captureOutput({ columns: 80, rows: 24 });
    const renderer = createRenderer({ tty: true, color: false, out, now: () => at(5.4) });
    try {
      for (const event of scriptedRun) renderer.listener(event);
    } finally {
      renderer.stop();
    }
    assert.doesNotMatch(out.text(), /\[Release\/publish\]/);
    assert.match(out.text(), /^Continuous Integration\n {2}✓ lint/);
    assert.match(out.text(), /❌ 1 of 5 jobs failed in 5\.4s/);
  });
});
