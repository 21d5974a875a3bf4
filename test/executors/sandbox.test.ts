import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { nativeLauncher, type LauncherKind } from '../../src/executors/native-launcher.ts';
import { bwrapArguments, SandboxExecutor } from '../../src/executors/sandbox.ts';
import { ProcessStartError, type ProcessResult, type ProcessSpec } from '../../src/executors/types.ts';

/** Both launchers run inside the sandbox alike: the C one, and the one for Node where no C compiler is. */
const launchers: LauncherKind[] = ['native', 'node'];
let executor: SandboxExecutor;
const basePath = process.env.PATH ?? '/usr/bin:/bin';
let scratch = '';
let workspace = '';
let otherWorkspace = '';
let fakeHome = '';

before(() => {
  scratch = realpathSync(mkdtempSync(path.join(tmpdir(), 'gantry-sandbox-')));
  workspace = path.join(scratch, 'workspace');
  otherWorkspace = path.join(scratch, 'other-job');
  fakeHome = path.join(scratch, 'home');
  for (const folder of [workspace, otherWorkspace, fakeHome]) mkdirSync(folder);
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
    env: { PATH: basePath, HOME: fakeHome },
    cwd: workspace,
    isolation: { writable: [workspace], network: false },
    onLine: (stream, line) => (stream === 'stdout' ? stdout : stderr).push(line),
    ...overrides,
  });
  return { ...result, stdout, stderr };
}

function bash(script: string, overrides: Partial<ProcessSpec> = {}): Promise<Run> {
  return run(['bash', '-c', script], overrides);
}

for (const launcher of launchers) describe(`SandboxExecutor with the ${launcher} launcher`, () => {
  before(() => {
    executor = new SandboxExecutor({ launcher });
  });

  after(() => executor.close());

  it('runs a command, passing on its output lines and exit code', async () => {
    const result = await bash('echo one; echo two >&2; echo three; exit 7');
    assert.deepEqual(result.stdout, ['one', 'three']);
    assert.deepEqual(result.stderr, ['two']);
    assert.equal(result.exitCode, 7);
    assert.equal(result.stopped, false);
  });

  it('passes the environment exactly and starts in the working directory', async () => {
    const result = await bash('echo "$GREETING"; pwd; env | grep -c . ', { env: { PATH: basePath, HOME: fakeHome, GREETING: 'hi' } });
    assert.deepEqual(result.stdout.slice(0, 2), ['hi', workspace]);
  });

  it('lets the process write to its writable folders', async () => {
    const result = await bash('echo written > out.txt && mkdir -p sub && echo nested > sub/file');
    assert.equal(result.exitCode, 0, result.stderr.join('\n'));
    assert.equal(readFileSync(path.join(workspace, 'out.txt'), 'utf8'), 'written\n');
    assert.equal(readFileSync(path.join(workspace, 'sub', 'file'), 'utf8'), 'nested\n');
  });

  it('keeps a HOME inside a writable folder writable (the binds come after the tmpfs mounts)', async () => {
    const home = path.join(workspace, 'home');
    mkdirSync(home, { recursive: true });
    const result = await bash('echo kept > "$HOME/file"', { env: { PATH: basePath, HOME: home } });
    assert.equal(result.exitCode, 0, result.stderr.join('\n'));
    assert.equal(readFileSync(path.join(home, 'file'), 'utf8'), 'kept\n');
  });

  it('works when its own code is in the folder it hides (a HOME holding Gantry)', async () => {
    const gantryFolder = realpathSync(path.join(import.meta.dirname, '..', '..', 'src', 'executors'));
    const result = await run(['sh', '-c', 'ls "$HOME" | wc -l; echo still runs'], { env: { PATH: basePath, HOME: gantryFolder } });
    assert.deepEqual([result.exitCode, result.stdout], [0, ['0', 'still runs']], result.stderr.join('\n'));
  });

  if (launcher === 'native') {
    it('works when the C launcher is in the folder it hides (a HOME holding its build)', async () => {
      const program = nativeLauncher().program;
      assert.ok(program, 'the C launcher builds here');
      const result = await run(['sh', '-c', 'echo still runs'], { env: { PATH: basePath, HOME: path.dirname(program) } });
      assert.deepEqual([result.exitCode, result.stdout], [0, ['still runs']], result.stderr.join('\n'));
    });
  }

  it('runs the process in its own PID namespace', async () => {
    // PID 1 is bwrap's init, and nothing of the host (this test's own process included) is visible.
    const result = await bash(`cat /proc/1/comm; test -e /proc/${process.pid} && echo host-visible; ls /proc | grep -c '^[0-9]'`);
    assert.equal(result.stdout[0], 'bwrap');
    assert.ok(!result.stdout.includes('host-visible'), result.stdout.join('\n'));
    assert.ok(Number(result.stdout.at(-1)) < 10, `processes visible inside: ${result.stdout.at(-1)}`);
  });

  it('refuses to run without isolation', async () => {
    await assert.rejects(
      executor.run({ argv: ['true'], env: { PATH: basePath }, cwd: workspace, onLine: () => {} }),
      (error: unknown) => error instanceof ProcessStartError && /writable folders/.test(error.message),
    );
  });

  it('names the bubblewrap package when bwrap is missing', async () => {
    const missing = new SandboxExecutor({ bwrapPath: path.join(scratch, 'no-bwrap') });
    await assert.rejects(
      missing.run({ argv: ['true'], env: { PATH: basePath }, cwd: workspace, isolation: { writable: [workspace], network: false }, onLine: () => {} }),
      (error: unknown) => error instanceof ProcessStartError && /bubblewrap/.test(error.message),
    );
  });

  it('reports a program missing on PATH, and a missing writable folder before starting', async () => {
    await assert.rejects(run(['no-such-program-gantry']), (error: unknown) => error instanceof ProcessStartError && error.message === 'no-such-program-gantry: not found on PATH');
    await assert.rejects(
      run(['true'], { isolation: { writable: [path.join(scratch, 'absent')], network: false } }),
      (error: unknown) => error instanceof ProcessStartError && /does not exist/.test(error.message),
    );
  });

  it('reports a program on a PATH folder the sandbox hides as not found, as the sandbox sees it', async () => {
    const toolHome = realpathSync(mkdtempSync(path.join(tmpdir(), 'gantry-tool-home-')));
    try {
      const hiddenBin = path.join(toolHome, 'bin');
      mkdirSync(hiddenBin);
      writeFileSync(path.join(hiddenBin, 'gantry-home-tool'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
      const spec = { env: { PATH: `${hiddenBin}:${basePath}`, HOME: toolHome } };
      await assert.rejects(run(['gantry-home-tool'], spec), (error: unknown) => error instanceof ProcessStartError && error.message === 'gantry-home-tool: not found on PATH');
      // The host sees the file, the sandbox does not: no guess from the host's file system.
      await assert.rejects(run([path.join(hiddenBin, 'gantry-home-tool')], spec), (error: unknown) => error instanceof ProcessStartError && /cannot start in the sandbox: .*(ENOENT|no such file)/i.test(error.message));
    } finally {
      rmSync(toolHome, { recursive: true, force: true });
    }
  });

  it('runs a program whose name contains "=" (no env wrapper takes it for an assignment)', async () => {
    const folder = path.join(workspace, 'odd-bin');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'A=B'), '#!/bin/sh\necho odd name ran\n', { mode: 0o755 });
    const result = await run(['A=B'], { env: { PATH: `${folder}:${basePath}`, HOME: fakeHome } });
    assert.deepEqual([result.exitCode, result.stdout], [0, ['odd name ran']]);
  });

  it('builds the sandbox options in order: tmpfs mounts, then the writable binds', () => {
    const args = bwrapArguments({ env: { HOME: '/home/runner' }, cwd: '/w' }, { writable: ['/tmp/a', '/w'], network: true });
    assert.deepEqual(args, [
      '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
      '--tmpfs', '/root', '--tmpfs', '/home/runner',
      '--bind', '/tmp/a', '/tmp/a', '--bind', '/w', '/w',
      '--unshare-all', '--share-net', '--die-with-parent', '--chdir', '/w',
    ]);
    assert.ok(!bwrapArguments({ env: {}, cwd: '/w' }, { writable: [], network: false }).includes('--share-net'));
  });

  it('still stops the process, escalating, when the signal aborts', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const result = await bash('echo ready; sleep 100', {
      signal: controller.signal,
      killGraceMs: 500,
      onLine: (_stream, line) => {
        if (line === 'ready') controller.abort();
      },
    });
    assert.equal(result.stopped, true);
    // bwrap reports a step that died of a signal as 128+n, not as a signal.
    assert.equal(result.exitCode, 130);
    assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
  });

  it('lets a trap handle SIGINT inside the sandbox (the step stays in the signalled group)', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const result = await bash('trap "echo interrupted; exit 3" INT; echo ready; sleep 100 & wait', {
      signal: controller.signal,
      killGraceMs: 2000,
      onLine: (_stream, line) => {
        lines.push(line);
        if (line === 'ready') controller.abort();
      },
    });
    assert.equal(result.stopped, true);
    assert.ok(lines.includes('interrupted'), lines.join('\n'));
    assert.equal(result.exitCode, 3);
  });

  it('ends background processes with the step, even when asked to keep them', async () => {
    const marker = '987.654';
    const result = await bash(`sleep ${marker} & echo started`, { keepBackgroundProcesses: true });
    assert.deepEqual(result.stdout, ['started']);
    assert.equal(result.background, undefined);
    await sleep(100);
    assert.equal(sleepersWith(marker), 0);
  });

  describe('escape attempts fail', () => {
    it('cannot write to /etc', async () => {
      const result = await bash('echo escaped > /etc/gantry-escape');
      assert.notEqual(result.exitCode, 0);
      assert.equal(existsSync('/etc/gantry-escape'), false);
    });

    it('cannot write to HOME on the host', async () => {
      const result = await bash('echo escaped > "$HOME/escape" && ls -A "$HOME"');
      // The write lands in a throw-away tmpfs, never in the host's folder.
      assert.deepEqual(result.stdout, ['escape']);
      assert.deepEqual(readdirSync(fakeHome), []);
    });

    it("cannot write to another job's workspace", async () => {
      const result = await bash(`echo escaped > ${otherWorkspace}/escape`);
      assert.notEqual(result.exitCode, 0);
      assert.deepEqual(readdirSync(otherWorkspace), []);
    });

    it("cannot read root's home", async () => {
      const result = await bash('ls -A /root');
      assert.equal(result.exitCode, 0);
      assert.deepEqual(result.stdout, []);
    });

    it('cannot see the private /tmp of the host', async () => {
      const result = await bash(`ls -A ${path.dirname(scratch)} | grep -c gantry-sandbox- || true`);
      // Only the path down to the bound workspace exists inside; its siblings do not.
      assert.deepEqual(readdirSync(scratch).sort(), ['home', 'other-job', 'workspace']);
      assert.ok(Number(result.stdout[0]) <= 1);
    });

    describe('network', () => {
      let server: Server;
      const sockets = new Set<Socket>();
      let port = 0;
      before(async () => {
        server = createServer((socket) => {
          sockets.add(socket);
          socket.on('error', () => {});
          socket.on('close', () => sockets.delete(socket));
          socket.end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const address = server.address();
        assert.ok(address !== null && typeof address === 'object');
        port = address.port;
      });
      after(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      });

      it('cannot reach the network without network: true', async () => {
        const result = await bash(`echo > /dev/tcp/127.0.0.1/${port}`);
        assert.notEqual(result.exitCode, 0);
      });

      it('reaches the network with network: true', async () => {
        const result = await bash(`echo > /dev/tcp/127.0.0.1/${port}`, { isolation: { writable: [workspace], network: true } });
        assert.equal(result.exitCode, 0, result.stderr.join('\n'));
      });
    });
  });
});

/** How many processes run `sleep <marker>`. */
function sleepersWith(marker: string): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('sleep') === true && argv[1] === marker) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}
