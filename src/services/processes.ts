// The processes behind native services: long-running servers we own (foreground, never daemonized)
// and short commands (initdb, health checks). Each runs in its own process group, so stopping one
// reaches the workers it forked.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { forgetProcessGroup, signalProcessGroup, trackProcessGroup } from './leftovers.ts';
import type { SystemUser } from './users.ts';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildSpec {
  argv: string[];
  /** The complete environment; nothing is inherited. */
  env: Record<string, string>;
  cwd: string;
  /** Switch to this account (only possible as root). */
  runAs?: SystemUser;
  onLine(line: string): void;
}

export interface ServerProcess {
  readonly pid: number;
  /** Settles when the server has exited (and whatever was left of its group is killed). */
  readonly exited: Promise<ExitStatus>;
  /** Asks the server to shut down with `signal`, then kills its group after `graceMs`. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
}

export interface CommandResult {
  exit: ExitStatus;
  timedOut: boolean;
}

/** The last lines of a service's output, as `docker logs --tail` would show them. */
export class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly limit = 500) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }

  last(count: number): string[] {
    return this.lines.slice(-count);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export function describeExit(status: ExitStatus): string {
  return status.signal === null ? `exited with code ${status.code}` : `was ended by ${status.signal}`;
}

export async function startServer(spec: ChildSpec): Promise<ServerProcess> {
  const { child, pid } = await spawnInOwnGroup(spec);
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => {
      signalProcessGroup(pid, 'SIGKILL');
      forgetProcessGroup(pid);
      resolve({ code, signal });
    }),
  );
  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  return { pid, exited, stop };
}

/** Runs a command to its end; aborting `signal` kills it and rejects with the signal's reason. */
export async function runCommand(spec: ChildSpec & { timeoutMs: number; signal?: AbortSignal }): Promise<CommandResult> {
  spec.signal?.throwIfAborted();
  const { child, pid } = await spawnInOwnGroup(spec);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalProcessGroup(pid, 'SIGKILL');
  }, spec.timeoutMs);
  const kill = () => signalProcessGroup(pid, 'SIGKILL');
  spec.signal?.addEventListener('abort', kill, { once: true });
  try {
    const exit = await new Promise<ExitStatus>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    spec.signal?.throwIfAborted();
    return { exit, timedOut };
  } finally {
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', kill);
    signalProcessGroup(pid, 'SIGKILL');
    forgetProcessGroup(pid);
  }
}

async function spawnInOwnGroup(spec: ChildSpec): Promise<{ child: ChildProcess; pid: number }> {
  const [program, ...args] = spec.argv;
  if (program === undefined) throw new Error('cannot start a process: argv is empty');
  const child = spawn(program, args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(spec.runAs === undefined ? {} : { uid: spec.runAs.uid, gid: spec.runAs.gid }),
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`cannot start ${program}: ${error.message}`, { cause: error })));
  });
  // Errors after the start (a failed kill) change nothing: the exit is what counts.
  child.on('error', () => {});
  const pid = child.pid ?? 0;
  trackProcessGroup(pid);
  for (const stream of [child.stdout, child.stderr]) {
    if (stream !== null) createInterface({ input: stream, crlfDelay: Infinity }).on('line', spec.onLine);
  }
  return { child, pid };
}
