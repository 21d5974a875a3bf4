// One bubblewrap sandbox that runs many processes in turn: bwrap starts once, with the launcher
// (sandbox-launcher.mjs) inside, and each process is a request to it. Starting bwrap and its
// namespaces costs several milliseconds; a request costs about what a spawn on the host costs.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { HelperChannel, jsonLines } from './helper-channel.ts';
import { LineSplitter } from './line-splitter.ts';
import { ProcessStartError, type ProcessResult, type ProcessSpec } from './types.ts';

const launcherPath = fileURLToPath(new URL('./sandbox-launcher.mjs', import.meta.url));
let launcherSource: string | undefined;
const defaultKillGraceMs = 7500;

type Report =
  | { id: number; event: 'output'; stream: 'stdout' | 'stderr'; data: string }
  | { id: number; event: 'exit'; code: number | null }
  | { id: number; event: 'failed'; code: string | null; message: string };

interface Pending {
  splitters: Record<'stdout' | 'stderr', LineSplitter>;
  finish(report: Extract<Report, { event: 'exit' | 'failed' }>): void;
  abandon(error: Error): void;
}

export class SandboxSession {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly channel: HelperChannel;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended = false;
  private closing = false;
  private stderr = '';
  private idleTimer?: NodeJS.Timeout;

  /** `bwrapArgv` is bwrap and its options (without `--`). `onEnd` runs once the sandbox is gone. */
  constructor(
    bwrapArgv: string[],
    private readonly idleMs: number,
    private readonly onEnd: () => void,
  ) {
    const [program, ...args] = bwrapArgv;
    launcherSource ??= readFileSync(launcherPath, 'utf8');
    // The launcher's source goes on the command line and Node is bound in by itself: either may live
    // in a folder the sandbox hides (a home folder, ~/.nvm).
    const node = ['--ro-bind', process.execPath, process.execPath];
    this.child = spawn(program!, [...args, ...node, '--', process.execPath, '--input-type=module', '--eval', launcherSource], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.channel = new HelperChannel(this.child, jsonLines<Report>((report) => this.dispatch(report)));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
    this.child.once('error', (error) => this.end(error));
    // 'close', not 'exit': the reports already written must be read first.
    this.child.once('close', (code, signal) => this.end(new Error(`bubblewrap ${signal === null ? `exited with code ${code}` : `was ended by ${signal}`}`)));
    this.idle();
  }

  /** False once it has ended or is ending: the next process needs a new sandbox. */
  get alive(): boolean {
    return !this.ended && !this.closing;
  }

  run(spec: ProcessSpec): Promise<ProcessResult> {
    if (!this.alive) return Promise.reject(new ProcessStartError('the sandbox has ended'));
    const id = this.nextId++;
    const startedAt = performance.now();
    this.busy();
    return new Promise<ProcessResult>((resolve, reject) => {
      let stopped = false;
      const timers: NodeJS.Timeout[] = [];
      const signal = (name: NodeJS.Signals) => this.channel.send({ op: 'signal', id, signal: name });
      const grace = spec.killGraceMs ?? defaultKillGraceMs;
      const escalate = () => {
        stopped = true;
        signal('SIGINT');
        timers.push(setTimeout(() => signal('SIGTERM'), grace), setTimeout(() => signal('SIGKILL'), 2 * grace));
      };
      const killNow = () => {
        stopped = true;
        signal('SIGKILL');
      };
      const settle = () => {
        spec.signal?.removeEventListener('abort', escalate);
        spec.kill?.removeEventListener('abort', killNow);
        for (const timer of timers) clearTimeout(timer);
        this.pending.delete(id);
        if (this.pending.size === 0) this.idle();
      };
      const splitters = {
        stdout: new LineSplitter((line) => spec.onLine('stdout', line)),
        stderr: new LineSplitter((line) => spec.onLine('stderr', line)),
      };
      this.pending.set(id, {
        splitters,
        finish: (report) => {
          settle();
          splitters.stdout.end();
          splitters.stderr.end();
          if (report.event === 'failed') {
            reject(new ProcessStartError(`${spec.argv[0] ?? ''}: cannot start in the sandbox: ${report.message}`));
          } else {
            resolve({ exitCode: report.code, signal: null, stopped, durationMs: performance.now() - startedAt });
          }
        },
        abandon: (error) => {
          settle();
          reject(new ProcessStartError(`the sandbox ended while ${spec.argv[0] ?? 'a process'} ran: ${error.message}${this.stderrNote()}`));
        },
      });
      spec.signal?.addEventListener('abort', escalate, { once: true });
      spec.kill?.addEventListener('abort', killNow, { once: true });
      this.channel.send({ op: 'run', id, argv: spec.argv, env: spec.env, cwd: spec.cwd });
    });
  }

  /** Ends the sandbox and everything in it. */
  close(): void {
    if (!this.alive) return;
    this.closing = true;
    this.channel.close(true);
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private dispatch(report: Report): void {
    const pending = this.pending.get(report.id);
    if (pending === undefined) return;
    if (report.event === 'output') pending.splitters[report.stream].write(Buffer.from(report.data, 'base64'));
    else pending.finish(report);
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.channel.close(false);
    clearTimeout(this.idleTimer);
    for (const pending of [...this.pending.values()]) pending.abandon(error);
    this.onEnd();
  }

  private stderrNote(): string {
    const text = this.stderr.trim();
    return text === '' ? '' : ` (${text})`;
  }

  /** While processes run, the sandbox keeps Gantry alive; idle, it does not, and it ends after `idleMs`. */
  private busy(): void {
    clearTimeout(this.idleTimer);
    this.channel.keepAlive(true);
  }

  private idle(): void {
    this.channel.keepAlive(false);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), this.idleMs);
    this.idleTimer.unref();
  }
}
