// The host executor's processes are started by a small helper process, one per Gantry process,
// started with the first HostExecutor: the C launcher (native-launcher.c) where this machine can build
// it, else one written for Node (host-launcher.mjs). Starting a process forks its parent: from
// Gantry's own process (hundreds of megabytes, on its event loop) that cost more than running a
// trivial step; from a helper it costs a fraction and happens beside Gantry. Output does not pass
// through the helper: each process's stdout and stderr are sockets connected to Gantry, so Gantry
// reads them as it would read pipes. Gantry signals the process groups itself.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { HelperChannel } from './helper-channel.ts';
import { nativeLauncher, type LauncherKind } from './native-launcher.ts';

const launcherPath = fileURLToPath(new URL('./host-launcher.mjs', import.meta.url));
const KEY_BYTES = 16;

type Request =
  | { op: 'run'; id: number; argv: string[]; env: Record<string, string>; cwd: string; keys: Record<OutputStream, string> }
  | { op: 'forget'; pid: number };

type Report =
  | { id: number; event: 'started'; pid: number }
  | { id: number; event: 'exit'; code: number | null; signal: NodeJS.Signals | null; groupLeft: boolean }
  | { id: number; event: 'failed'; code: string | null; message: string };

export interface LaunchRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export type OutputStream = 'stdout' | 'stderr';

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

interface Pending {
  started(pid: number): void;
  failed(error: LaunchError): void;
  exited(report: Extract<Report, { event: 'exit' }>): void;
  abandon(error: Error): void;
}

/** 16 bytes, 122 of them random, in hex: randomUUID draws from a cached pool, randomBytes makes a system call each time. */
function streamKey(): string {
  return randomUUID().replaceAll('-', '');
}

class Launcher {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly channel: HelperChannel<Report>;
  private readonly server: Server;
  private readonly socketDir: string;
  private readonly pending = new Map<number, Pending>();
  /** Output sockets expected, by key: who takes each when it connects. */
  private readonly outputs = new Map<string, (socket: Socket, first: Buffer) => void>();
  private nextId = 1;
  private ended = false;

  constructor(
    readonly kind: LauncherKind,
    private readonly onEnd: () => void,
  ) {
    const [program, ...args] = launcherCommand(kind);
    this.socketDir = mkdtempSync(path.join(tmpdir(), 'gantry-launcher-'));
    const socketPath = path.join(this.socketDir, 'output.sock');
    this.server = createServer((socket) => this.accept(socket));
    this.server.listen(socketPath);
    this.server.on('error', (error) => this.end(error));
    this.child = spawn(program!, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GANTRY_LAUNCHER_SOCKET: socketPath },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.channel = new HelperChannel<Report>(this.child, (report) => this.dispatch(report));
    this.child.once('error', (error) => this.end(error));
    this.child.once('close', (code, signal) => this.end(new Error(`the process launcher ${signal === null ? `exited with code ${code}` : `was ended by ${signal}`}`)));
    process.once('exit', () => rmSync(this.socketDir, { recursive: true, force: true }));
    this.idle();
  }

  get alive(): boolean {
    return !this.ended;
  }

  launch(request: LaunchRequest, onOutput: (stream: OutputStream, chunk: Buffer) => void): Promise<Launched> {
    if (this.ended) return Promise.reject(new LaunchError('the process launcher has ended', undefined));
    const id = this.nextId++;
    const keys = { stdout: streamKey(), stderr: streamKey() };
    let encoded: string | Buffer;
    try {
      encoded = this.encode({ op: 'run', id, argv: request.argv, env: request.env, cwd: request.cwd, keys });
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const streams = (['stdout', 'stderr'] as const).map((stream) => this.expectOutput(keys[stream], (chunk) => onOutput(stream, chunk)));
    const closeOutput = () => {
      for (const stream of streams) stream.close();
    };
    const outputClosed = Promise.all(streams.map((stream) => stream.closed)).then(() => undefined);
    this.busy();
    return new Promise<Launched>((resolve, reject) => {
      let resolveExit!: (exit: LaunchedExit) => void;
      let rejectExit!: (error: Error) => void;
      const exited = new Promise<LaunchedExit>((res, rej) => {
        resolveExit = res;
        rejectExit = rej;
      });
      exited.catch(() => {});
      let pid: number | undefined;
      const settle = () => {
        this.pending.delete(id);
        if (this.pending.size === 0) this.idle();
      };
      this.pending.set(id, {
        started: (startedPid) => {
          pid = startedPid;
          resolve({ pid: startedPid, exited, outputClosed, closeOutput, forget: () => this.send({ op: 'forget', pid: startedPid }) });
        },
        failed: (error) => {
          settle();
          closeOutput();
          reject(error);
        },
        exited: (report) => {
          settle();
          resolveExit({ code: report.code, signal: report.signal, groupLeft: report.groupLeft });
        },
        abandon: (error) => {
          settle();
          if (pid === undefined) {
            closeOutput();
            reject(new LaunchError(error.message, undefined));
          } else rejectExit(error);
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

  /** Delivers the output of the socket that arrives with `key`; `close` stops waiting for it or reading it. */
  private expectOutput(key: string, onChunk: (chunk: Buffer) => void): { closed: Promise<void>; close(): void } {
    let socket: Socket | undefined;
    let done!: () => void;
    const closed = new Promise<void>((resolve) => (done = resolve));
    this.outputs.set(key, (connected, first) => {
      this.outputs.delete(key);
      socket = connected;
      if (first.length > 0) onChunk(first);
      connected.on('data', onChunk);
      connected.once('close', done);
    });
    return {
      closed,
      close: () => {
        this.outputs.delete(key);
        socket?.destroy();
        done();
      },
    };
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    const readKey = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < KEY_BYTES) return;
      socket.off('data', readKey);
      const take = this.outputs.get(head.subarray(0, KEY_BYTES).toString('hex'));
      if (take === undefined) socket.destroy();
      else take(socket, head.subarray(KEY_BYTES));
    };
    socket.on('data', readKey);
  }

  private dispatch(report: Report): void {
    const pending = this.pending.get(report.id);
    if (pending === undefined) return;
    if (report.event === 'started') pending.started(report.pid);
    else if (report.event === 'exit') pending.exited(report);
    else pending.failed(new LaunchError(report.message, report.code ?? undefined));
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    for (const pending of [...this.pending.values()]) pending.abandon(error);
    this.server.close();
    this.channel.close(true);
    rmSync(this.socketDir, { recursive: true, force: true });
    this.onEnd();
  }

  /** While processes run, the launcher keeps Gantry alive; idle, it does not. */
  private busy(): void {
    this.channel.keepAlive(true);
    this.server.ref();
  }

  private idle(): void {
    this.channel.keepAlive(false);
    this.server.unref();
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
  } else {
    let environment = '';
    let variables = 0;
    for (const name in request.env) {
      environment += `${name}=${request.env[name]}\0`;
      variables++;
    }
    text = `r${request.id}\0${request.argv.length}\0${variables}\0${request.argv.join('\0')}\0${environment}${request.cwd}\0${request.keys.stdout}\0${request.keys.stderr}\0`;
    if (countNuls(text) !== 6 + request.argv.length + variables) {
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
