import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ProcessStartError, type Executor, type ProcessResult, type ProcessSpec } from './types.ts';

const defaultKillGraceMs = 7500;
/** How long output may stay open after the process group is gone (only a daemon that left the group can hold it). */
const outputDrainMs = 2000;
/** A "line" this long is passed on without its end, so output without newlines cannot fill memory. */
const maxLineLength = 16 * 1024 * 1024;

/**
 * Runs processes directly on this machine, each in its own process group so that stopping reaches
 * the whole tree. Processes that leave the group (setsid, daemons) are not tracked.
 */
export class HostExecutor implements Executor {
  readonly name = 'host';

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    if (spec.signal?.aborted || spec.kill?.aborted) return { exitCode: null, signal: null, stopped: true, durationMs: 0 };
    const startedAt = performance.now();
    // Listeners must be attached before anything is awaited: spawn reports some failures on the next tick.
    const child = spawnInOwnGroup(spec);
    if (child instanceof Error) throw await startError(child, spec);
    const pid = child.pid;
    if (pid === undefined) throw await startError(await spawnFailure(child), spec);

    const outputClosed = Promise.all([
      forwardLines(child.stdout, (line) => spec.onLine('stdout', line)),
      forwardLines(child.stderr, (line) => spec.onLine('stderr', line)),
    ]);
    liveGroups.add(pid);
    const stopper = stopOnAbort(spec.signal, spec.kill, pid, spec.killGraceMs ?? defaultKillGraceMs);
    const exit = await exitOf(child);
    const durationMs = performance.now() - startedAt;
    stopper.dispose();
    const keep = spec.keepBackgroundProcesses === true && !stopper.stopped() && groupAlive(pid);
    if (!keep) {
      signalGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    }
    await drain(outputClosed, [child.stdout, child.stderr]);
    const result: ProcessResult = { exitCode: exit.code, signal: exit.signal, stopped: stopper.stopped(), durationMs };
    if (keep) {
      result.background = {
        end: () => {
          signalGroup(pid, 'SIGKILL');
          liveGroups.delete(pid);
        },
      };
    }
    return result;
  }
}

/**
 * Splits a byte stream into lines as the runner reads them (.NET ReadLine): a line ends at `\n`,
 * `\r\n` or a lone `\r`; the last line may lack its end. UTF-8 is decoded across chunk boundaries.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lineBreak = /\r\n?|\n/g;
  private partial = '';
  private skipLineFeed = false;

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    this.consume(this.decoder.write(chunk));
  }

  end(): void {
    this.consume(this.decoder.end());
    if (this.partial !== '') this.emit('');
  }

  private consume(text: string): void {
    if (text === '') return;
    // A `\r` that ended the previous chunk already ended its line; a `\n` right after it belongs to it.
    let start = this.skipLineFeed && text.startsWith('\n') ? 1 : 0;
    this.skipLineFeed = text.endsWith('\r');
    if (!text.includes('\r')) {
      // Most output ends its lines with `\n` alone: indexOf finds them several times faster than the expression.
      for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
        this.emit(text.slice(start, end));
        start = end + 1;
      }
      this.keepPartial(text, start);
      return;
    }
    this.lineBreak.lastIndex = start;
    for (let match = this.lineBreak.exec(text); match !== null; match = this.lineBreak.exec(text)) {
      this.emit(text.slice(start, match.index));
      start = this.lineBreak.lastIndex;
    }
    this.keepPartial(text, start);
  }

  private keepPartial(text: string, start: number): void {
    this.partial += text.slice(start);
    if (this.partial.length >= maxLineLength) this.emit('');
  }

  private emit(rest: string): void {
    if (this.partial === '') return this.onLine(rest);
    const line = this.partial + rest;
    this.partial = '';
    this.onLine(line);
  }
}

/** Some failures throw rather than emit 'error' (arguments Node refuses, a cwd that is a file); they are returned. */
function spawnInOwnGroup(spec: ProcessSpec): ChildProcessByStdio<null, Readable, Readable> | Error {
  const [program, ...args] = spec.argv;
  if (program === undefined) return new ProcessStartError('cannot start a process: argv is empty');
  try {
    return spawn(program, args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function spawnFailure(child: ChildProcess): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve) => child.once('error', resolve));
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function startError(error: Error, spec: ProcessSpec): Promise<ProcessStartError> {
  if (error instanceof ProcessStartError) return error;
  const program = spec.argv[0] ?? '';
  const options = { cause: error };
  const code = errnoCode(error);
  const cwdProblem = await directoryProblem(spec.cwd);
  if (cwdProblem !== null) {
    return new ProcessStartError(`${program}: cannot start in ${spec.cwd}: ${cwdProblem}`, options);
  }
  if (code === 'ENOENT') return new ProcessStartError(await notFoundReason(program, spec), options);
  if (code === 'EACCES') return new ProcessStartError(`${program}: permission denied (not an executable file)`, options);
  return new ProcessStartError(`${program}: cannot start: ${error.message}`, options);
}

async function directoryProblem(directory: string): Promise<string | null> {
  try {
    return (await stat(directory)).isDirectory() ? null : 'the working directory is not a directory';
  } catch {
    return 'the working directory does not exist';
  }
}

async function notFoundReason(program: string, spec: ProcessSpec): Promise<string> {
  if (!program.includes('/')) {
    const noPath = spec.env.PATH === undefined ? ' (the environment has no PATH)' : '';
    return `${program}: not found on PATH${noPath}`;
  }
  const exists = await stat(path.resolve(spec.cwd, program)).then(
    () => true,
    () => false,
  );
  // execve reports a missing #! interpreter as ENOENT for the script itself.
  return exists ? `${program}: its interpreter (the #! line) was not found` : `${program}: no such file`;
}

function forwardLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  const splitter = new LineSplitter(onLine);
  stream.on('data', (chunk: Buffer) => splitter.write(chunk));
  // A read error ends the stream; 'close' follows and flushes what was read.
  stream.on('error', () => {});
  return new Promise((resolve) =>
    stream.once('close', () => {
      splitter.end();
      resolve();
    }),
  );
}

async function drain(outputClosed: Promise<unknown>, streams: Readable[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, outputDrainMs)));
  await Promise.race([outputClosed, timedOut]);
  clearTimeout(timer);
  for (const stream of streams) stream.destroy();
  await outputClosed;
}

interface Stopper {
  stopped(): boolean;
  dispose(): void;
}

/**
 * On abort of `signal`: SIGINT to the group, then SIGTERM and SIGKILL, each `graceMs` after the
 * previous one. On abort of `kill`: SIGKILL at once, whether or not stopping has begun.
 */
function stopOnAbort(signal: AbortSignal | undefined, kill: AbortSignal | undefined, pid: number, graceMs: number): Stopper {
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const escalate = () => {
    stopped = true;
    signalGroup(pid, 'SIGINT');
    timers.push(setTimeout(() => signalGroup(pid, 'SIGTERM'), graceMs));
    timers.push(setTimeout(() => signalGroup(pid, 'SIGKILL'), 2 * graceMs));
  };
  const killNow = () => {
    stopped = true;
    signalGroup(pid, 'SIGKILL');
  };
  signal?.addEventListener('abort', escalate, { once: true });
  kill?.addEventListener('abort', killNow, { once: true });
  return {
    stopped: () => stopped,
    dispose: () => {
      signal?.removeEventListener('abort', escalate);
      kill?.removeEventListener('abort', killNow);
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing of the group is left.
  }
}

/** Groups still running, killed if Gantry itself exits while they run. */
const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
});

function errnoCode(error: Error): string | undefined {
  return 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
