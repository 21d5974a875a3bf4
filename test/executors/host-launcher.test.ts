// The host executor's process launcher: what it changes beyond host.test.ts (which runs every host
// behaviour through it): processes outlive neither Gantry nor the launcher unnoticed.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostLauncher } from '../../src/executors/host-launcher.ts';
import { HostExecutor } from '../../src/executors/host.ts';
import type { LauncherKind } from '../../src/executors/native-launcher.ts';
import { ProcessStartError } from '../../src/executors/types.ts';

const basePath = process.env.PATH ?? '/usr/bin:/bin';
let scratch = '';

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'gantry-launcher-test-'));
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The pids of `parent`'s launchers of this kind: the C one runs as gantry-process-launcher-<hash>. */
function launchersOf(kind: LauncherKind, parent = process.pid): number[] {
  const listing = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((line) => line.includes('gantry-process-launcher') && line.includes('gantry-process-launcher-') === (kind === 'native'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

for (const launcher of ['native', 'node'] as const) {
  describe(`the ${launcher} process launcher`, () => {
    it('ends a running step when the Gantry process that started it is killed with SIGKILL', async () => {
      const pidFile = path.join(scratch, `sleeper-${launcher}.pid`);
      const program = `
        import { HostExecutor } from ${JSON.stringify(new URL('../../src/executors/host.ts', import.meta.url).href)};
        await new HostExecutor({ launcher: ${JSON.stringify(launcher)} }).run({
          argv: ['bash', '-c', 'sleep 300 & echo $! > ${pidFile}; wait'],
          env: { PATH: ${JSON.stringify(basePath)} },
          cwd: ${JSON.stringify(scratch)},
          onLine: () => {},
        });`;
      const gantry = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', program], { stdio: 'ignore' });
      try {
        await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the step to start its sleep');
        const sleeper = Number(readFileSync(pidFile, 'utf8').trim());
        assert.ok(alive(sleeper), 'the step runs');
        const launcherPid = launchersOf(launcher, gantry.pid)[0]!;
        gantry.kill('SIGKILL');
        await until(() => !alive(sleeper), 'the step to end with the Gantry process');
        await until(() => !alive(launcherPid), 'the launcher to end with the Gantry process');
      } finally {
        gantry.kill('SIGKILL');
      }
    });

    it('reports a step as failed when the launcher ends under it, and starts a new launcher for the next one', async () => {
      const executor = new HostExecutor({ launcher });
      const launchers = launchersOf(launcher);
      assert.equal(launchers.length, 1, 'one launcher serves this process');
      const pidFile = path.join(scratch, `orphan-${launcher}.pid`);
      const running = executor.run({
        argv: ['bash', '-c', `echo $$ > ${pidFile}; sleep 300`],
        env: { PATH: basePath },
        cwd: scratch,
        onLine: () => {},
      });
      await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the step to start');
      const step = Number(readFileSync(pidFile, 'utf8').trim());
      // The launcher reports the start after the exec, on another channel than the step's writes:
      // give the report time to arrive, so that the launcher dies under a step Gantry knows of.
      await sleep(250);
      process.kill(launchers[0]!, 'SIGKILL');
      await assert.rejects(running, (error: unknown) => error instanceof ProcessStartError && /lost track of the process/.test(error.message));
      await until(() => !alive(step), 'the step to be killed with its group');

      const lines: string[] = [];
      const next = await executor.run({ argv: ['bash', '-c', 'echo again'], env: { PATH: basePath }, cwd: scratch, onLine: (_, line) => lines.push(line) });
      assert.equal(next.exitCode, 0);
      assert.deepEqual(lines, ['again']);
      const replaced = launchersOf(launcher);
      assert.equal(replaced.length, 1);
      assert.notEqual(replaced[0], launchers[0]);
    });

    it('keeps the output of steps that run at the same time apart', async () => {
      const executor = new HostExecutor({ launcher });
      const runs = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const lines: string[] = [];
          const result = await executor.run({
            argv: ['bash', '-c', `for n in $(seq 200); do echo "step${i} line$n"; echo "step${i} err$n" >&2; done`],
            env: { PATH: basePath },
            cwd: scratch,
            onLine: (stream, line) => lines.push(`${stream} ${line}`),
          });
          return { i, result, lines };
        }),
      );
      for (const { i, result, lines } of runs) {
        assert.equal(result.exitCode, 0);
        assert.equal(lines.length, 400);
        assert.ok(lines.every((line) => line.startsWith(`stdout step${i} line`) || line.startsWith(`stderr step${i} err`)), `step ${i} saw only its own output`);
      }
    });

    it('reports the end of a running process\'s output with its exit, not alone', async () => {
      const closed = path.join(scratch, `closed-output-${launcher}`);
      const go = path.join(scratch, `go-${launcher}`);
      const launched = await hostLauncher(launcher).launch(
        { argv: ['bash', '-c', `echo before; exec >&- 2>&-; : > ${closed}; until [ -e ${go} ]; do sleep 0.05; done`], env: { PATH: basePath }, cwd: scratch },
        () => {},
      );
      let outputEnded = false;
      void launched.outputClosed.then(() => (outputEnded = true));
      try {
        await until(() => existsSync(closed), 'the process to close its output');
        // Long enough for an end reported at once to arrive many times over.
        await sleep(300);
        assert.equal(outputEnded, false, 'the end of output was reported while the process ran');
      } finally {
        execFileSync('touch', [go]);
      }
      assert.equal((await launched.exited).code, 0);
      await launched.outputClosed;
    });
  });
}

describe('the C process launcher', () => {
  it("takes its step down with it when it dies, even one Gantry has not heard of (the step's parent-death signal)", async () => {
    const pidFile = path.join(scratch, 'unheard.pid');
    // The launcher alone, without the executor that kills known groups when it loses its launcher.
    const launched = hostLauncher('native').launch({ argv: ['bash', '-c', `echo $$ > ${pidFile}; exec sleep 300`], env: { PATH: basePath }, cwd: scratch }, () => {});
    launched.catch(() => {});
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the step to start');
    const step = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      // The step left the launcher's session at its start, so only the parent-death signal reaches it.
      process.kill(launchersOf('native')[0]!, 'SIGKILL');
      await until(() => !alive(step), 'the step to die with its launcher', 5_000);
    } finally {
      if (alive(step)) process.kill(step, 'SIGKILL');
    }
  });
});
