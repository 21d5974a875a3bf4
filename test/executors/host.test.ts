import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostExecutor } from '../../src/executors/host.ts';
import { LineSplitter } from '../../src/executors/line-splitter.ts';
import type { LauncherKind } from '../../src/executors/native-launcher.ts';
import { ProcessStartError, type ProcessResult, type ProcessSpec } from '../../src/executors/types.ts';

/** Both launchers pass every test: the C one, and the one for Node that replaces it where no C compiler is. */
const launchers: LauncherKind[] = ['native', 'node'];
let executor: HostExecutor;
const basePath = process.env.PATH ?? '/usr/bin:/bin';
let scratch = '';

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'gantry-host-'));
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Run extends ProcessResult {
  stdout: string[];
  stderr: string[];
}

async function run(argv: string[], overrides: Partial<ProcessSpec> = {}): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const result = await executor.run({
    argv,
    env: { PATH: basePath },
    cwd: scratch,
    onLine: (stream, line) => (stream === 'stdout' ? stdout : stderr).push(line),
    ...overrides,
  });
  return { ...result, stdout, stderr };
}

function bash(script: string, overrides: Partial<ProcessSpec> = {}): Promise<Run> {
  return run(['bash', '-c', script], overrides);
}

/** Runs `script`, aborting once it prints `ready`. */
async function bashStoppedWhenReady(script: string, killGraceMs = 200): Promise<Run> {
  const controller = new AbortController();
  const stdout: string[] = [];
  const result = await executor.run({
    argv: ['bash', '-c', script],
    env: { PATH: basePath },
    cwd: scratch,
    signal: controller.signal,
    killGraceMs,
    onLine: (stream, line) => {
      if (stream !== 'stdout') return;
      stdout.push(line);
      if (line === 'ready') controller.abort();
    },
  });
  return { ...result, stdout, stderr: [] };
}

function startErrorOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => assert.fail('the process started'),
    (error: unknown) => {
      assert.ok(error instanceof ProcessStartError, `expected a ProcessStartError, got ${String(error)}`);
      return error.message;
    },
  );
}

/** Alive and not a zombie; a killed process may take a moment to be gone. */
async function isAlive(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (!existsAndRuns(pid)) return false;
    await sleep(20);
  }
  return true;
}

function existsAndRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

for (const launcher of launchers) {
  describe(`HostExecutor with the ${launcher} launcher`, () => {
    before(() => {
      executor = new HostExecutor({ launcher });
    });

    describe('HostExecutor: exit and output', () => {
      it('reports the exit code', async () => {
        const ok = await bash('exit 0');
        assert.equal(ok.exitCode, 0);
        assert.equal(ok.signal, null);
        assert.equal(ok.stopped, false);
        assert.ok(ok.durationMs >= 0);
        assert.equal((await bash('exit 3')).exitCode, 3);
      });

      it('reports a signal that ended the process', async () => {
        const result = await bash('kill -TERM $$');
        assert.equal(result.exitCode, null);
        assert.equal(result.signal, 'SIGTERM');
        assert.equal(result.stopped, false);
      });

      it('streams stdout and stderr lines, each in order', async () => {
        const result = await bash('echo one; echo two >&2; echo three; echo four >&2; echo five');
        assert.deepEqual(result.stdout, ['one', 'three', 'five']);
        assert.deepEqual(result.stderr, ['two', 'four']);
      });

      it('joins a line written in parts and passes on a last line without newline', async () => {
        const result = await bash("printf 'par'; sleep 0.05; printf 'tial\\n\\nlast'");
        assert.deepEqual(result.stdout, ['partial', '', 'last']);
      });

      it('ends lines at \\n, \\r\\n and a lone \\r, as the runner reads them', async () => {
        const result = await bash("printf 'a\\r\\nb\\rc\\n'");
        assert.deepEqual(result.stdout, ['a', 'b', 'c']);
      });

      it('decodes a UTF-8 character whose bytes arrive in two writes', async () => {
        const result = await bash("printf '\\342\\202'; sleep 0.05; printf '\\254 euro \\360\\237'; sleep 0.05; printf '\\230\\200\\n'");
        assert.deepEqual(result.stdout, ['€ euro 😀']);
      });

      it('streams many lines', async () => {
        let count = 0;
        let last = '';
        await executor.run({
          argv: ['seq', '1', '200000'],
          env: { PATH: basePath },
          cwd: scratch,
          onLine: (_stream, line) => {
            count++;
            last = line;
          },
        });
        assert.equal(count, 200000);
        assert.equal(last, '200000');
      });

      it('closes stdin', async () => {
        const result = await bash('cat; echo done');
        assert.deepEqual(result.stdout, ['done']);
      });
    });

    describe('HostExecutor: environment and working directory', () => {
      it('passes exactly the given environment', async () => {
        process.env.GANTRY_HOST_TEST_LEAK = 'leaked';
        try {
          const result = await run(['/usr/bin/env'], { env: { ONLY: 'this one', EMPTY: '', UNICODE: 'naïve € 😀' } });
          assert.deepEqual(result.stdout.sort(), ['EMPTY=', 'ONLY=this one', 'UNICODE=naïve € 😀']);
        } finally {
          delete process.env.GANTRY_HOST_TEST_LEAK;
        }
      });

      it('finds the program on the PATH of the given environment', async () => {
        const message = await startErrorOf(run(['bash', '-c', 'true'], { env: { PATH: path.join(scratch, 'empty') } }));
        assert.equal(message, 'bash: not found on PATH');
      });

      it('looks in /bin and /usr/bin when the environment has no PATH, as execvp does', async () => {
        const result = await run(['true'], { env: {} });
        assert.equal(result.exitCode, 0);
      });

      it('runs an executable file without a #! line with /bin/sh, as Node does', async () => {
        const file = path.join(scratch, `no-interpreter-line-${launcher}`);
        writeFileSync(file, 'echo "run by sh with $1"\n');
        chmodSync(file, 0o755);
        const result = await run([file, 'one argument']);
        assert.equal(result.exitCode, 0);
        assert.deepEqual(result.stdout, ['run by sh with one argument']);
      });

      it('runs in the given directory', async () => {
        const result = await bash('pwd -P', { cwd: scratch });
        assert.deepEqual(result.stdout, [realpathSync(scratch)]);
      });
    });

    describe('HostExecutor: programs that cannot start', () => {
      it('a program not on PATH', async () => {
        assert.equal(await startErrorOf(run(['gantry-no-such-program'])), 'gantry-no-such-program: not found on PATH');
        assert.equal(
          await startErrorOf(run(['gantry-no-such-program'], { env: {} })),
          'gantry-no-such-program: not found on PATH (the environment has no PATH)',
        );
      });

      it('a missing file', async () => {
        assert.equal(await startErrorOf(run(['/nonexistent/gantry/tool'])), '/nonexistent/gantry/tool: no such file');
      });

      it('a file that is not executable', async () => {
        const file = path.join(scratch, 'not-executable.sh');
        writeFileSync(file, 'echo hi\n');
        chmodSync(file, 0o644);
        assert.match(await startErrorOf(run([file])), /not-executable\.sh: permission denied/);
      });

      it('a script whose interpreter is missing', async () => {
        const file = path.join(scratch, 'bad-interpreter.sh');
        writeFileSync(file, '#!/nonexistent/interpreter\necho hi\n');
        chmodSync(file, 0o755);
        assert.match(await startErrorOf(run([file])), /bad-interpreter\.sh: its interpreter .* was not found/);
      });

      it('a working directory that does not exist or is a file', async () => {
        const missing = path.join(scratch, 'missing-dir');
        assert.equal(
          await startErrorOf(bash('true', { cwd: missing })),
          `bash: cannot start in ${missing}: the working directory does not exist`,
        );
        const file = path.join(scratch, 'a-file');
        writeFileSync(file, '');
        assert.match(await startErrorOf(bash('true', { cwd: file })), /the working directory is not a directory/);
      });

      it('rejects, rather than throwing an uncaught error, when run from a timer callback', async () => {
        const started = new Promise<{ run: Promise<Run> }>((resolve) =>
          setTimeout(() => resolve({ run: run(['gantry-no-such-program']) }), 0),
        );
        assert.match(await startErrorOf((await started).run), /not found on PATH/);
      });

      it('an empty argv', async () => {
        assert.match(await startErrorOf(run([])), /argv is empty/);
      });

      it('arguments Node refuses, naming the one at fault', async () => {
        const argument = await startErrorOf(run(['bash', '-c', 'true\0']));
        assert.match(argument, /^bash: cannot start: /);
        assert.match(argument, /args\[1\]|argument 2/);
        const variable = await startErrorOf(run(['true'], { env: { PATH: basePath, BROKEN: 'a\0b' } }));
        assert.match(variable, /^true: cannot start: .*BROKEN/);
        assert.match(await startErrorOf(run(['true'], { cwd: `${scratch}\0` })), /^true: cannot start.*(cwd|working directory)/);
      });
    });

    describe('HostExecutor: stopping', () => {
      it('SIGINT stops a process that does not handle it', async () => {
        const started = performance.now();
        const result = await bashStoppedWhenReady('echo ready; sleep 1000', 10_000);
        assert.equal(result.stopped, true);
        assert.equal(result.signal, 'SIGINT');
        assert.ok(performance.now() - started < 8000);
      });

      it('escalates to SIGTERM and then SIGKILL for a script that traps them', async () => {
        const started = performance.now();
        // A loop of builtins runs each trap at once; the grace leaves a loaded machine time to print it.
        const result = await bashStoppedWhenReady(
          "trap 'echo got INT' INT; trap 'echo got TERM' TERM; echo ready; while true; do :; done",
          1000,
        );
        assert.equal(result.stopped, true);
        assert.equal(result.signal, 'SIGKILL');
        assert.equal(result.exitCode, null);
        assert.deepEqual(
          result.stdout.filter((line) => line.startsWith('got')),
          ['got INT', 'got TERM'],
        );
        assert.ok(performance.now() - started < 8000);
      });

      it('kill ends the process at once with SIGKILL, even while a long grace is running', async () => {
        const stop = new AbortController();
        const kill = new AbortController();
        const started = performance.now();
        const result = await executor.run({
          argv: ['bash', '-c', "trap '' INT TERM; echo ready; while true; do sleep 0.05; done"],
          env: { PATH: basePath },
          cwd: scratch,
          signal: stop.signal,
          kill: kill.signal,
          killGraceMs: 60_000,
          onLine: (stream, line) => {
            if (line !== 'ready') return;
            stop.abort();
            setTimeout(() => kill.abort(), 100);
          },
        });
        assert.equal(result.stopped, true);
        assert.equal(result.signal, 'SIGKILL');
        assert.ok(performance.now() - started < 5000);
      });

      it('does not start when the signal has already aborted', async () => {
        const result = await bash('echo ran', { signal: AbortSignal.abort() });
        assert.equal(result.stopped, true);
        assert.deepEqual(result.stdout, []);
      });

      it('a signal that aborts after the process ended changes nothing', async () => {
        const controller = new AbortController();
        const result = await bash('echo done', { signal: controller.signal });
        controller.abort();
        assert.equal(result.stopped, false);
        assert.equal(result.exitCode, 0);
      });
    });

    describe('HostExecutor: nothing of the process tree is left', () => {
      it('kills a background child that holds stdout once the script exits', async () => {
        const started = performance.now();
        const result = await bash('sleep 1000 & echo $!');
        const pid = Number(result.stdout[0]);
        assert.ok(pid > 0);
        assert.equal(result.exitCode, 0);
        assert.equal(await isAlive(pid), false);
        assert.ok(performance.now() - started < 5000);
      });

      it('kills a background child that ignores SIGINT when the run is stopped', async () => {
        // Background jobs of a non-interactive shell ignore SIGINT.
        const result = await bashStoppedWhenReady('sleep 1000 & echo $!; echo ready; wait', 10_000);
        const pid = Number(result.stdout[0]);
        assert.ok(pid > 0);
        assert.equal(result.stopped, true);
        assert.equal(await isAlive(pid), false);
      });

      it('ends the step 2 s after its exit when a process that left its group holds stdout, and stops reading it', async () => {
        const pidFile = path.join(scratch, `daemon-${launcher}.pid`);
        const brokenFile = path.join(scratch, `daemon-${launcher}.broken`);
        // The daemon ignores SIGPIPE, so a write once nobody reads fails and it says so before leaving.
        const daemon = `trap '' PIPE; echo $$ > ${pidFile}; while sleep 0.1; do echo tick || { echo broken > ${brokenFile}; exit; }; done`;
        const started = performance.now();
        // The step waits for the daemon's pid file, written once it has left the step's group: a daemon
        // still in the group when the step exits is killed with the group.
        const result = await bash(`setsid bash -c "${daemon}" & until [ -s ${pidFile} ]; do sleep 0.01; done; echo started`);
        const daemonPid = Number(readFileSync(pidFile, 'utf8'));
        try {
          assert.equal(result.exitCode, 0);
          assert.equal(result.stdout[0], 'started');
          assert.ok(result.stdout.includes('tick'), 'what the daemon printed before the drain ended is kept');
          const took = performance.now() - started;
          assert.ok(took >= 1900 && took < 6000, `the step ended after ${took.toFixed(0)} ms`);
          for (let waited = 0; waited < 50 && !existsSync(brokenFile); waited++) await sleep(100);
          assert.equal(readFileSync(brokenFile, 'utf8').trim(), 'broken', 'the launcher no longer reads the output');
        } finally {
          if (existsAndRuns(daemonPid)) process.kill(daemonPid, 'SIGKILL');
        }
      });

      it('hands back a group that outlived its process when asked to keep it, and nothing when it ended with it', async () => {
        const kept = await bash('sleep 1000 >/dev/null 2>&1 & echo $!', { keepBackgroundProcesses: true });
        const pid = Number(kept.stdout[0]);
        assert.ok(kept.background, 'the group with the background sleep is handed back');
        assert.equal(await isAlive(pid), true);
        kept.background.end();
        assert.equal(await isAlive(pid), false);

        const empty = await bash('echo alone', { keepBackgroundProcesses: true });
        assert.equal(empty.background, undefined);
      });
    });
  });
}

describe('LineSplitter', () => {
  function split(chunks: Buffer[]): string[] {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    for (const chunk of chunks) splitter.write(chunk);
    splitter.end();
    return lines;
  }

  function byteByByte(text: string): Buffer[] {
    return [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
  }

  it('splits the same however the bytes are chunked', () => {
    const text = 'ä€😀 one\r\ntwo\rthree\n\nfour';
    const expected = ['ä€😀 one', 'two', 'three', '', 'four'];
    assert.deepEqual(split([Buffer.from(text)]), expected);
    assert.deepEqual(split(byteByByte(text)), expected);
  });

  it('a \\r\\n split across chunks ends one line', () => {
    assert.deepEqual(split([Buffer.from('a\r'), Buffer.from('\nb\r'), Buffer.from('\r\n')]), ['a', 'b', '']);
  });

  it('a trailing newline adds no empty line; nothing gives no lines', () => {
    assert.deepEqual(split([Buffer.from('a\n')]), ['a']);
    assert.deepEqual(split([Buffer.from('a\r')]), ['a']);
    assert.deepEqual(split([]), []);
  });

  it('replaces invalid and truncated UTF-8 with U+FFFD', () => {
    assert.deepEqual(split([Buffer.from([0x61, 0xff, 0x0a, 0xe2, 0x82])]), ['a\uFFFD', '\uFFFD']);
  });
});
