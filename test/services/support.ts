// Helpers for the native service tests: real servers, real clients, and a look at /proc to prove
// that nothing is left behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeServiceProvider } from '../../src/services/native.ts';
import type { RunningServices, ServiceSpec } from '../../src/services/types.ts';
import { which } from '../../src/executors/which.ts';

/** Fails (never skips) with the package to install when a program the tests need is missing. */
export function requirePrograms(programs: Record<string, string>): void {
  const missing = Object.entries(programs).filter(([program]) => which(program) === null && which(path.join('/usr/sbin', program)) === null);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, debianPackage]) => debianPackage))].join(' ');
    assert.fail(`these tests need ${missing.map(([program]) => program).join(', ')}: apt-get install -y ${packages} (.ci/run installs them)`);
  }
}

export interface ServiceHarness {
  provider: NativeServiceProvider;
  /** The folder the provider keeps every job's data in. */
  temporaryDirectory: string;
  lines: string[];
  start(specs: ServiceSpec[], signal?: AbortSignal): Promise<RunningServices>;
}

export function serviceHarness(): ServiceHarness {
  const temporaryDirectory = mkdtempSync(path.join(os.tmpdir(), 'gantry-services-test-'));
  // As root, postgres and mariadb run as their own accounts, which must reach their folders inside.
  chmodSync(temporaryDirectory, 0o711);
  const provider = new NativeServiceProvider({ temporaryDirectory });
  const lines: string[] = [];
  return {
    provider,
    temporaryDirectory,
    lines,
    start: (specs, signal) => provider.start(specs, { jobLabel: 'test', log: (line) => lines.push(line), ...(signal ? { signal } : {}) }),
  };
}

/** The seed's `backend-test` services, as written, with the given `ports:`. */
export function seedServices(postgresPorts: string[], redisPorts: string[]): ServiceSpec[] {
  const health = (command: string) => `--health-cmd ${command} --health-interval 10s --health-timeout 5s --health-retries 5`;
  return [
    { id: 'postgres', image: 'postgres:15', env: { POSTGRES_PASSWORD: 'postgres', POSTGRES_DB: 'test_db' }, ports: postgresPorts, options: health('pg_isready') },
    { id: 'redis', image: 'redis:7-alpine', env: {}, ports: redisPorts, options: health('"redis-cli ping"') },
  ];
}

export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(program: string, args: string[], env: Record<string, string> = {}): Promise<CommandOutput> {
  return new Promise((resolve) => {
    execFile(program, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

/** `select 1` with psql over TCP, as a step of the job would connect. */
export function psqlSelectOne(port: string, user: string, password: string, database: string): Promise<CommandOutput> {
  return run('psql', ['-h', '127.0.0.1', '-p', port, '-U', user, '-d', database, '-tAc', 'select 1'], { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' });
}

/** Processes whose working folder or command line is inside `directory` (postgres workers run in their data folder). */
export function processesInside(directory: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cwd.startsWith(directory) || commandLine.includes(directory)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to look at
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asserts that `stop()` left nothing: no process from before, none inside the folder, an empty folder. */
export function assertNothingLeft(harness: ServiceHarness, pidsBefore: number[]): void {
  assert.deepEqual(
    pidsBefore.filter((pid) => isAlive(pid)),
    [],
    'every process of the services has ended',
  );
  assert.deepEqual(processesInside(harness.temporaryDirectory), []);
  assert.deepEqual(readdirSync(harness.temporaryDirectory), [], 'the data folders are removed');
}
