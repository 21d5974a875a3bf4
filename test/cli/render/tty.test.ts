import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sanitizeLine, stripAnsi, truncate, visibleWidth } from '../../../src/cli/render/ansi.ts';
import { TtyRenderer, type Ticker } from '../../../src/cli/render/tty.ts';
import { ansiEscape, at, captureOutput, colourCode, eventsUntil, jobs, scriptedRun, type CapturedOutput } from './scripted-run.ts';

interface Harness {
  renderer: TtyRenderer;
  out: CapturedOutput;
  clock: { now: number };
}

/** A live view fed the scripted run up to `seconds`, its clock stopped there. */
function liveViewAt(seconds: number, options: { color?: boolean; columns?: number; rows?: number; outputLines?: number } = {}): Harness {
  const clock = { now: at(seconds) };
  const out = captureOutput({ columns: options.columns ?? 80, rows: options.rows ?? 30 });
  const renderer = new TtyRenderer({ out, color: options.color ?? false, now: () => clock.now, outputLines: options.outputLines });
  for (const event of eventsUntil(seconds)) renderer.listener(event);
  return { renderer, out, clock };
}

const lineCount = (text: string) => text.split('\n').length - 1;

describe('tty renderer frame', () => {
  it('shows the job graph in dependency order with states and times, the steps of running jobs, and their latest output', () => {
    const { renderer } = liveViewAt(4.3);
    assert.equal(
      renderer.frame(),
      [
        'Run r7 · 2/5 jobs done · 4.3s',
        'Continuous Integration',
        '  ✓ lint                 2.0s',
        '  ⠸ backend-test (3.10)  1.3s',
        '      ⠸ Run tests        1.2s',
        '  ⠸ backend-test (3.11)  1.3s',
        '      ⠸ Run tests        1.2s',
        '  ○ deploy               waiting for backend-test (3.10), backend-test (3.11)',
        'Release',
        '  ✓ publish              2.6s',
        '── output ──',
        'Continuous Integration/backend-test (3.10) | 5 passed',
        'Continuous Integration/backend-test (3.11) | FAILED tests/test_app.py::test_div',
        '',
      ].join('\n'),
    );
  });

  it('shows steps as they finish, skipped and allowed-to-fail ones included, jobs whose needs are met as queued, and only the output of running jobs', () => {
    const { renderer } = liveViewAt(2.6);
    assert.equal(
      renderer.frame(),
      [
        'Run r7 · 1/5 jobs done · 2.6s',
        'Continuous Integration',
        '  ✓ lint                 2.0s',
        '  ○ backend-test (3.10)  queued',
        '  ○ backend-test (3.11)  queued',
        '  ○ deploy               waiting for backend-test (3.10), backend-test (3.11)',
        'Release',
        '  ⠦ publish              2.5s',
        '      ✓ Build package    2.0s',
        '      ✗ Check size       0.1s',
        '      ↷ Upload           skipped',
        '── output ──',
        'Release/publish | Runner: host executor',
        'Release/publish | built dist/app.tgz',
        '',
      ].join('\n'),
    );
  });

  it('moves the spinner and the elapsed times with the clock', () => {
    const { renderer, clock } = liveViewAt(4.3);
    const before = renderer.frame();
    clock.now += 100;
    const after = renderer.frame();
    assert.match(after, /⠼ backend-test \(3\.10\) {2}1\.4s/);
    assert.notEqual(after, before);
  });

  it('never grows taller than the terminal less one row, nor wider than it', () => {
    for (let rows = 2; rows <= 20; rows++) {
      for (const columns of [20, 40, 120]) {
        const frame = liveViewAt(4.3, { rows, columns }).renderer.frame();
        assert.ok(lineCount(frame) <= rows - 1, `${lineCount(frame)} lines for ${rows} rows`);
        for (const line of frame.split('\n')) assert.ok(visibleWidth(line) <= columns - 1, `"${line}" fits ${columns} columns`);
      }
    }
  });

  it('gives the output only the rows the graph leaves, and says how much of the graph was cut', () => {
    // The graph takes 10 lines; one row stays free below the frame.
    const outputLines = ['Continuous Integration/backend-test (3.10) | 5 passed', 'Continuous Integration/backend-test (3.11) | FAILED tests/test_app.py::test_div'];
    assert.deepEqual(liveViewAt(4.3, { rows: 14 }).renderer.frame().split('\n').slice(-4), ['── output ──', ...outputLines, '']);
    assert.deepEqual(liveViewAt(4.3, { rows: 13 }).renderer.frame().split('\n').slice(-3), ['── output ──', outputLines[1], '']);
    assert.deepEqual(liveViewAt(4.3, { rows: 12 }).renderer.frame().split('\n').slice(-2), ['  ✓ publish              2.6s', '']);
    assert.deepEqual(liveViewAt(4.3, { rows: 6 }).renderer.frame().split('\n').slice(-3), ['  ⠸ backend-test (3.10)  1.3s', '… 6 more', '']);
    assert.deepEqual(liveViewAt(4.3, { outputLines: 1 }).renderer.frame().split('\n').slice(-3), ['── output ──', outputLines[1], '']);
  });

  it('keeps program output from moving the cursor or clearing the screen', () => {
    const { renderer } = liveViewAt(4.3);
    const hostile = 'progress 10%\rprogress 100%\x1b[2J\x1b[H\x1b[31m done\x1b]0;title\x07\x08';
    renderer.listener({ type: 'log', job: jobs.test310, step: 0, stream: 'stdout', line: hostile, at: at(4.3) });
    const lastOutputLine = renderer.frame().split('\n').at(-2);
    assert.equal(lastOutputLine, 'Continuous Integration/backend-test (3.10) | progress 100% done');
  });

  it('uses colour only when asked to', () => {
    assert.match(liveViewAt(4.3, { color: true }).renderer.frame(), colourCode);
    assert.doesNotMatch(liveViewAt(4.3, { color: false }).renderer.frame(), ansiEscape);
    assert.equal(stripAnsi(liveViewAt(4.3, { color: true }).renderer.frame()), liveViewAt(4.3).renderer.frame());
  });

  it('puts a job after the jobs it needs even when it was queued first', () => {
    const out = captureOutput();
    const renderer = new TtyRenderer({ out, color: false, now: () => at(1) });
    const workflow = { workflowFile: 'ci.yml', workflowName: 'CI' };
    renderer.listener({ type: 'run-started', runId: 'r2', at: at(0) });
    renderer.listener({ type: 'job-queued', job: 'ci.yml#deploy#0', ...workflow, jobId: 'deploy', name: 'deploy', needs: ['ci.yml#build#0'], at: at(0) });
    renderer.listener({ type: 'job-queued', job: 'ci.yml#build#0', ...workflow, jobId: 'build', name: 'build', needs: [], at: at(0) });
    assert.equal(renderer.frame(), 'Run r2 · 0/2 jobs done · 1.0s\nCI\n  ○ build   queued\n  ○ deploy  waiting for build\n');
  });

  it('draws nothing before the run has started', () => {
    const out = captureOutput();
    const renderer = new TtyRenderer({ out, color: false });
    renderer.render();
    assert.equal(renderer.frame(), '');
    assert.deepEqual(out.writes, []);
  });
});

describe('tty renderer redraw', () => {
  it('rewrites the drawn area in place: back up over the last frame, erase, draw', () => {
    const { renderer, out, clock } = liveViewAt(4.3, { color: false });
    renderer.render();
    const first = renderer.frame();
    assert.deepEqual(out.writes, [first]);

    renderer.render();
    assert.equal(out.writes.length, 1, 'an unchanged frame is not written again');

    clock.now += 100;
    renderer.render();
    assert.equal(out.writes[1], `\r\x1b[${lineCount(first)}A\x1b[J${renderer.frame()}`);
  });

  it('on finish replaces the live area with the final state and the summary, once', () => {
    const { renderer, out, clock } = liveViewAt(4.3);
    renderer.render();
    const drawn = lineCount(renderer.frame());
    for (const event of scriptedRun.filter((event) => event.at > at(4.3))) renderer.listener(event);
    const final = out.writes.at(-1) ?? '';
    const expectedFinalState = [
      'Continuous Integration',
      '  ✓ lint                 2.0s',
      '  ✓ backend-test (3.10)  2.2s',
      '  ✗ backend-test (3.11)  1.6s',
      '      ✗ Run tests        1.4s',
      '  ↷ deploy               skipped',
      'Release',
      '  ✓ publish              2.6s',
      '── Continuous Integration/backend-test (3.11) › Run tests: last line ──',
      '  FAILED tests/test_app.py::test_div',
      '',
      'Jobs',
    ].join('\n');
    assert.ok(final.startsWith(`\r\x1b[${drawn}A\x1b[J${expectedFinalState}\n`), JSON.stringify(final));
    assert.ok(final.endsWith('logs: .gantry/runs/r7\n❌ 1 of 5 jobs failed in 5.4s (Continuous Integration/backend-test (3.11))\n'));

    const writes = out.writes.length;
    clock.now += 1000;
    renderer.render();
    assert.equal(out.writes.length, writes, 'nothing is drawn after the final state');
  });

  it('prints only the final state when no frame was drawn', () => {
    const out = captureOutput();
    const renderer = new TtyRenderer({ out, color: false, now: () => at(5.4) });
    for (const event of scriptedRun) renderer.listener(event);
    assert.equal(out.writes.length, 1);
    assert.match(out.writes[0] ?? '', /^Continuous Integration\n/);
  });

  it('leaves the job graph out of the final state when no job failed: the summary lists the jobs', () => {
    const out = captureOutput();
    const renderer = new TtyRenderer({ out, color: false, now: () => at(5.4) });
    const succeeded = scriptedRun.map((event) =>
      event.type === 'job-finished' && event.conclusion === 'failure' ? { ...event, conclusion: 'success' as const } : event,
    );
    for (const event of succeeded) renderer.listener(event);
    const final = out.writes.join('');
    assert.doesNotMatch(final, /^Continuous Integration\n/);
    assert.match(final, /Jobs\n/);
  });
});

describe('tty renderer timer', () => {
  /** A ticker driven by hand: `tick()` is one timer interval passing. */
  function manualTicker() {
    const ticker = { intervalMs: 0, starts: 0, stops: 0, tick: (): void => assert.fail('not ticking') };
    const start: Ticker = (tick, intervalMs) => {
      Object.assign(ticker, { intervalMs, starts: ticker.starts + 1, tick });
      return () => Object.assign(ticker, { stops: ticker.stops + 1, tick: () => assert.fail('ticked after stop') });
    };
    return { ticker, start };
  }

  it('redraws on every tick, ten times a second, until stopped', () => {
    const { ticker, start } = manualTicker();
    const clock = { now: at(4.3) };
    const out = captureOutput();
    const renderer = new TtyRenderer({ out, color: false, now: () => clock.now, ticker: start });
    for (const event of eventsUntil(4.3)) renderer.listener(event);
    renderer.start();
    renderer.start();
    assert.deepEqual([ticker.starts, ticker.intervalMs, renderer.isRedrawing], [1, 100, true]);

    ticker.tick();
    clock.now += 100;
    ticker.tick();
    assert.equal(out.writes.length, 2);

    clock.now += 100;
    renderer.stop();
    renderer.stop();
    assert.deepEqual([ticker.stops, renderer.isRedrawing], [1, false]);
    assert.equal(out.writes.length, 3, 'the state at the moment of stopping is drawn');
  });

  it('stops ticking when the run finishes, for good', () => {
    const { ticker, start } = manualTicker();
    const renderer = new TtyRenderer({ out: captureOutput(), color: false, ticker: start });
    renderer.start();
    for (const event of scriptedRun) renderer.listener(event);
    assert.deepEqual([ticker.stops, renderer.isRedrawing], [1, false]);
    renderer.start();
    assert.deepEqual([ticker.starts, renderer.isRedrawing], [1, false], 'a finished view does not start again');
  });

  const ttyModule = fileURLToPath(new URL('../../../src/cli/render/tty.ts', import.meta.url));
  const script = (stop: boolean) =>
    `import { TtyRenderer } from ${JSON.stringify(ttyModule)};
     const renderer = new TtyRenderer({ out: { write() {} }, color: false });
     renderer.start();
     ${stop ? 'renderer.stop();' : ''}`;

  /** Whether a process that starts a live view (and maybe stops it) ends on its own within `ms`. */
  function exitsWithin(ms: number, source: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { stdio: 'ignore' });
      const timer = setTimeout(() => {
        child.kill();
        resolve(false);
      }, ms);
      child.on('error', reject);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  it('lets the process exit once stopped, and keeps it alive while running', async () => {
    const [stopped, running] = await Promise.all([exitsWithin(10_000, script(true)), exitsWithin(3_000, script(false))]);
    assert.equal(stopped, true, 'the process exits after stop()');
    assert.equal(running, false, 'a running view keeps the process alive');
  });
});

describe('terminal text helpers', () => {
  it('keeps colours only when asked, and closes them', () => {
    assert.equal(sanitizeLine('\x1b[32mok\x1b[39m\tdone\r\n', false), 'ok      done');
    assert.equal(sanitizeLine('\x1b[32mok', true), '\x1b[32mok\x1b[0m');
    assert.equal(sanitizeLine('a\x1b[1Ab\x1b(Bc', true), 'abc');
  });

  it('measures and cuts by columns, not characters', () => {
    assert.equal(visibleWidth('\x1b[31m日本\x1b[39m ok'), 7);
    assert.equal(truncate('hello world', 8), 'hello w…');
    assert.equal(truncate('日本語のテキスト', 7), '日本語…');
    assert.equal(truncate('\x1b[31mhello world\x1b[39m', 6), '\x1b[31mhello…\x1b[0m');
    assert.equal(truncate('short', 10), 'short');
  });
});
