// The host executor's processes are started by a small helper process, one per Gantry process,
// started with the first HostExecutor: the C launcher (native-launcher.c) where this machine can build
// it, else one written for Node (host-launcher.mjs). Starting a process forks its parent: from
// Gantry's own process (hundreds of megabytes, on its event loop) that cost more than running a
// trivial step; from a helper it costs a fraction and happens beside Gantry. The helper reads each
// process's stdout and stderr from pipes and relays them with its reports (launcher-reports.ts), so a
// trivial step costs Gantry two wake-ups: its start and, in one read, its output, end and exit.
// Gantry signals the process groups itself. The sandbox runs the same launchers inside bubblewrap
// (sandbox-session.ts), where Gantry cannot see the processes' ids: there the launcher signals them.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
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
  | { op: 'close'; id: number }
  | { op: 'signal'; id: number; signal: NodeJS.Signals };

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
  /** Signals the process's group through the launcher, while the process runs. */
  signal(name: NodeJS.Signals): void;
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

/** A promise and its two settling functions (Promise.withResolvers, which Node 20 lacks). */
function settleable<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A process this launcher was asked to start, from the request until it has exited and its output has ended. */
class PendingProcess {
  private readonly open = new Set<OutputStream>(['stdout', 'stderr']);
  private pid: number | undefined;
  /** It has exited, or will not start. */
  private gone = false;
  private settled = false;
  private readonly exit = settleable<LaunchedExit>();
  private readonly output = settleable<void>();
  /** Settles when the launcher reports the start or the failure to start. */
  readonly started = settleable<Launched>();

  constructor(
    private readonly id: number,
    private readonly onOutput: (stream: OutputStream, chunk: Buffer) => void,
    /** Tells the launcher; `closeOutput`, `forget` and `signal` need it. */
    private readonly send: (request: Request) => void,
    /** Called once: the process has exited (or never started) and its output has ended. */
    private readonly done: () => void,
  ) {
    this.exit.promise.catch(() => {});
  }

  report(report: LauncherReport): void {
    if (report.event === 'started') {
      this.pid = report.pid;
      this.started.resolve({
        pid: report.pid,
        exited: this.exit.promise,
        outputClosed: this.output.promise,
        closeOutput: () => this.closeOutput(),
        forget: () => this.send({ op: 'forget', pid: report.pid }),
        signal: (name) => {
          if (!this.gone) this.send({ op: 'signal', id: this.id, signal: name });
        },
      });
    } else if (report.event === 'failed') {
      this.fail(new LaunchError(report.message, report.code));
    } else if (report.event === 'exit') {
      this.gone = true;
      this.exit.resolve({ code: report.code, signal: report.signal, groupLeft: report.groupLeft });
      this.settle();
    } else if (this.open.delete(report.stream) && this.open.size === 0) {
      this.output.resolve();
      this.settle();
    }
  }

  relay(stream: OutputStream, chunk: Buffer): void {
    if (this.open.has(stream)) this.onOutput(stream, chunk);
  }

  /** The launcher has gone. */
  abandon(error: Error): void {
    if (this.pid === undefined) return this.fail(new LaunchError(error.message, undefined));
    this.gone = true;
    this.open.clear();
    this.output.resolve();
    this.exit.reject(error);
    this.settle();
  }

  private closeOutput(): void {
    if (this.open.size === 0) return;
    this.open.clear();
    if (this.pid !== undefined) this.send({ op: 'close', id: this.id });
    this.output.resolve();
    this.settle();
  }

  private fail(error: Error): void {
    this.gone = true;
    this.closeOutput();
    this.started.reject(error);
    this.settle();
  }

  private settle(): void {
    if (this.settled || !this.gone || this.open.size > 0) return;
    this.settled = true;
    this.done();
  }
}

export interface LauncherOptions {
  kind: LauncherKind;
  /** Kill what is left of a process's group when it exits (the sandbox's rule). */
  endGroupsAtExit?: boolean;
  /** Runs the launcher inside another program: the command to spawn for the launcher's (bubblewrap's). */
  wrap?: (launcher: string[]) => string[];
  /** Gives the launcher a process group of its own, which `close` kills whole. */
  detached?: boolean;
  /** What the launcher (or what wraps it) writes to stderr; inherited when absent. */
  onStderr?: (chunk: Buffer) => void;
  /** What the spawned program is called in errors. Default: the process launcher. */
  name?: string;
}

export class Launcher {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable | null>;
  private readonly channel: HelperChannel;
  private readonly pending = new Map<number, PendingProcess>();
  private nextId = 1;
  private ended = false;
  private readonly detached: boolean;
  readonly kind: LauncherKind;

  /** `onEnd` is called once, when the launcher has gone (or failed to start), with why. */
  constructor(
    options: LauncherOptions,
    private readonly onEnd: (error: Error) => void,
  ) {
    this.kind = options.kind;
    this.detached = options.detached === true;
    const launcher = launcherCommand(options.kind, options.endGroupsAtExit === true);
    const [program, ...args] = options.wrap ? options.wrap(launcher) : launcher;
    this.child = spawn(program!, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', options.onStderr ? 'pipe' : 'inherit'],
      detached: this.detached,
    }) as ChildProcessByStdio<Writable, Readable, Readable | null>;
    if (options.onStderr) this.child.stderr?.on('data', options.onStderr);
    const reader = new ReportReader({
      report: (report) => this.pending.get(report.id)?.report(report),
      output: (id, stream, chunk) => this.pending.get(id)?.relay(stream, chunk),
    });
    this.channel = new HelperChannel(this.child, reader);
    this.child.once('error', (error) => this.end(error));
    const name = options.name ?? 'the process launcher';
    this.child.once('close', (code, signal) => this.end(new Error(`${name} ${signal === null ? `exited with code ${code}` : `was ended by ${signal}`}`)));
    this.idle();
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** Ends the launcher (its stdin ends, so it kills what it started); with `detached`, its whole process group at once. */
  close(): void {
    this.channel.close(true);
    if (!this.detached || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
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
    const starting = new PendingProcess(
      id,
      onOutput,
      (request) => this.send(request),
      () => {
        this.pending.delete(id);
        if (this.pending.size === 0) this.idle();
      },
    );
    this.pending.set(id, starting);
    this.channel.write(encoded);
    return starting.started.promise;
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
    // Each one leaves `pending` as it settles.
    for (const pending of [...this.pending.values()]) pending.abandon(error);
    this.channel.close(true);
    this.onEnd(error);
  }

  /** While processes run, the launcher keeps Gantry alive; idle, it does not. */
  private busy(): void {
    this.channel.keepAlive(true);
  }

  private idle(): void {
    this.channel.keepAlive(false);
  }
}

function launcherCommand(kind: LauncherKind, endGroupsAtExit: boolean): string[] {
  const flags = endGroupsAtExit ? ['--end-groups-at-exit'] : [];
  if (kind === 'node') return [process.execPath, '--title=gantry-process-launcher', '--input-type=module', '--eval', readFileSync(launcherPath, 'utf8'), '--', ...flags];
  const { program, reason } = nativeLauncher();
  if (program === undefined) throw new LaunchError(`the C process launcher cannot be built here: ${reason ?? 'unknown reason'}`, undefined);
  return [program, ...flags];
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
  } else if (request.op === 'signal') {
    text = `k${request.id}\0${constants.signals[request.signal]}\0`;
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
    const started: Launcher = new Launcher({ kind }, () => {
      if (shared.get(kind) === started) shared.delete(kind);
    });
    shared.set(kind, started);
    launcher = started;
  }
  return launcher;
}
