// The host executor's processes are started by a small helper process, one per Gantry process,
// started with the first HostExecutor: the C launcher (native-launcher.c) where this machine can build
// it, else one written for Node (host-launcher.mjs). Starting a process forks its parent: from
// Gantry's own process (hundreds of megabytes, on its event loop) that cost more than running a
// trivial step; from a helper it costs a fraction and happens beside Gantry. The helper reads each
// process's stdout and stderr from pipes and relays them with its reports (launcher-reports.ts), so a
// trivial step costs Gantry two wake-ups: its start and, in one read, its output, end and exit.
// Gantry signals the process groups itself.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { HelperChannel } from './helper-channel.ts';
import { ReportReader, type LauncherReport, type OutputStream } from './launcher-reports.ts';
import { nativeLauncher, type LauncherKind } from './native-launcher.ts';

export type { OutputStream };

const launcherPath = fileURLToPath(new URL('./host-launcher.mjs', import.meta.url));

type Request =
  | { op: 'run'; id: number; argv: string[]; env: Record<string, string>; cwd: string }
  | { op: 'forget'; pid: number }
  | { op: 'close'; id: number };

export interface LaunchRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface LaunchedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether anything of the process's group still ran when it exited (a background process). */
  groupLeft: boolean;
}

export interface Launched {
  pid: number;
  /** How the process ended; rejects if the launcher itself ended first. */
  exited: Promise<LaunchedExit>;
  /** Resolves once both output streams have ended (or `closeOutput` gave up on them). */
  outputClosed: Promise<void>;
  /** Stops reading output that is still open (a process that left its group may hold it). */
  closeOutput(): void;
  /** The launcher no longer needs to end this process group when Gantry goes away. */
  forget(): void;
}

/** Why a process did not start, with the errno code when there is one (ENOENT, EACCES...). */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A process this launcher was asked to start, until it has exited and its output has ended. */
interface Pending {
  report(report: LauncherReport): void;
  output(stream: OutputStream, chunk: Buffer): void;
  abandon(error: Error): void;
}

class Launcher {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly channel: HelperChannel;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended = false;

  constructor(
    readonly kind: LauncherKind,
    private readonly onEnd: () => void,
  ) {
    const [program, ...args] = launcherCommand(kind);
    this.child = spawn(program!, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'inherit'] });
    const reader = new ReportReader({
      report: (report) => this.pending.get(report.id)?.report(report),
      output: (id, stream, chunk) => this.pending.get(id)?.output(stream, chunk),
    });
    this.channel = new HelperChannel(this.child, reader);
    this.child.once('error', (error) => this.end(error));
    this.child.once('close', (code, signal) => this.end(new Error(`the process launcher ${signal === null ? `exited with code ${code}` : `was ended by ${signal}`}`)));
    this.idle();
  }

  get alive(): boolean {
    return !this.ended;
  }

  launch(request: LaunchRequest, onOutput: (stream: OutputStream, chunk: Buffer) => void): Promise<Launched> {
    if (this.ended) return Promise.reject(new LaunchError('the process launcher has ended', undefined));
    const id = this.nextId++;
    let encoded: string | Buffer;
    try {
      encoded = this.encode({ op: 'run', id, argv: request.argv, env: request.env, cwd: request.cwd });
    } catch (error) {
      return Promise.reject(error as Error);
    }
    this.busy();
    return new Promise<Launched>((resolve, reject) => {
      let resolveExit!: (exit: LaunchedExit) => void;
      let rejectExit!: (error: Error) => void;
      const exited = new Promise<LaunchedExit>((res, rej) => {
        resolveExit = res;
        rejectExit = rej;
      });
      exited.catch(() => {});
      let outputDone!: () => void;
      const outputClosed = new Promise<void>((res) => (outputDone = res));
      const open = new Set<OutputStream>(['stdout', 'stderr']);
      let pid: number | undefined;
      let hasExited = false;
      const settle = () => {
        if (!hasExited || open.size > 0) return;
        this.pending.delete(id);
        if (this.pending.size === 0) this.idle();
      };
      const endOutput = (stream: OutputStream) => {
        if (!open.delete(stream) || open.size > 0) return;
        outputDone();
        settle();
      };
      const closeOutput = () => {
        if (open.size === 0) return;
        open.clear();
        if (pid !== undefined) this.send({ op: 'close', id });
        outputDone();
        settle();
      };
      const fail = (error: Error) => {
        hasExited = true;
        closeOutput();
        settle();
        reject(error);
      };
      this.pending.set(id, {
        report: (report) => {
          if (report.event === 'started') {
            pid = report.pid;
            resolve({ pid: report.pid, exited, outputClosed, closeOutput, forget: () => this.send({ op: 'forget', pid: report.pid }) });
          } else if (report.event === 'failed') {
            fail(new LaunchError(report.message, report.code));
          } else if (report.event === 'exit') {
            hasExited = true;
            settle();
            resolveExit({ code: report.code, signal: report.signal, groupLeft: report.groupLeft });
          } else {
            endOutput(report.stream);
          }
        },
        output: (stream, chunk) => {
          if (open.has(stream)) onOutput(stream, chunk);
        },
        abandon: (error) => {
          if (pid === undefined) return fail(new LaunchError(error.message, undefined));
          hasExited = true;
          open.clear();
          outputDone();
          settle();
          rejectExit(error);
        },
      });
      this.channel.write(encoded);
    });
  }

  private send(request: Request): void {
    this.channel.write(this.encode(request));
  }

  private encode(request: Request): string | Buffer {
    return this.kind === 'native' ? nativeFrame(request) : `${JSON.stringify(request)}\n`;
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    for (const pending of [...this.pending.values()]) pending.abandon(error);
    this.pending.clear();
    this.channel.close(true);
    this.onEnd();
  }

  /** While processes run, the launcher keeps Gantry alive; idle, it does not. */
  private busy(): void {
    this.channel.keepAlive(true);
  }

  private idle(): void {
    this.channel.keepAlive(false);
  }
}

function launcherCommand(kind: LauncherKind): string[] {
  if (kind === 'node') return [process.execPath, '--title=gantry-process-launcher', '--input-type=module', '--eval', readFileSync(launcherPath, 'utf8')];
  const { program, reason } = nativeLauncher();
  if (program === undefined) throw new LaunchError(`the C process launcher cannot be built here: ${reason ?? 'unknown reason'}`, undefined);
  return [program];
}

/**
 * A request as native-launcher.c reads it: a 4-byte little-endian length, an op byte, NUL-terminated
 * fields. Throws, as Node's own spawn does, when a field holds a NUL byte (execve could not pass it).
 */
function nativeFrame(request: Request): Buffer {
  let text: string;
  if (request.op === 'forget') {
    text = `f${request.pid}\0`;
  } else if (request.op === 'close') {
    text = `c${request.id}\0`;
  } else {
    let environment = '';
    let variables = 0;
    for (const name in request.env) {
      environment += `${name}=${request.env[name]}\0`;
      variables++;
    }
    text = `r${request.id}\0${request.argv.length}\0${variables}\0${request.argv.join('\0')}\0${environment}${request.cwd}\0`;
    if (countNuls(text) !== 4 + request.argv.length + variables) {
      throw new LaunchError(`${fieldWithNul(request)} holds a null byte`, 'ERR_INVALID_ARG_VALUE');
    }
  }
  const frame = Buffer.allocUnsafe(4 + Buffer.byteLength(text));
  frame.writeUInt32LE(frame.length - 4, 0);
  frame.write(text, 4);
  return frame;
}

/** Which field of a request holds a NUL byte, named for the user (looked for only once the count says one does). */
function fieldWithNul(request: Extract<Request, { op: 'run' }>): string {
  const argument = request.argv.findIndex((value) => value.includes('\0'));
  if (argument >= 0) return `argument ${argument}`;
  const variable = Object.entries(request.env).find(([name, value]) => name.includes('\0') || value.includes('\0'))?.[0];
  if (variable !== undefined) return `the environment variable ${JSON.stringify(variable.replaceAll('\0', '\\0'))}`;
  return 'the working directory';
}

function countNuls(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\0'); at !== -1; at = text.indexOf('\0', at + 1)) count++;
  return count;
}

const shared = new Map<LauncherKind, Launcher>();

/** This Gantry process's launcher of `kind`, started on first use (and again if it ended). */
export function hostLauncher(kind: LauncherKind): Launcher {
  let launcher = shared.get(kind);
  if (launcher === undefined || !launcher.alive) {
    const started: Launcher = new Launcher(kind, () => {
      if (shared.get(kind) === started) shared.delete(kind);
    });
    shared.set(kind, started);
    launcher = started;
  }
  return launcher;
}
