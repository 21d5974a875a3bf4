// One bubblewrap sandbox that runs many processes in turn: bwrap starts once, with a process launcher
// inside (host-launcher.ts: the C one where it builds, else the one for Node), and each process is a
// request to it. Starting bwrap and its namespaces costs several milliseconds; a request costs about
// what a step on the host costs. Inside the sandbox's PID namespace Gantry cannot signal a process by
// its id: the launcher signals its group on request, and kills what is left of the group when the
// process exits.
import { constants } from 'node:os';
import { Launcher } from './host-launcher.ts';
import { runLaunched } from './launched-process.ts';
import type { LauncherKind } from './native-launcher.ts';
import { ProcessStartError, type ProcessResult, type ProcessSpec } from './types.ts';

export class SandboxSession {
  private readonly launcher: Launcher;
  private running = 0;
  private ended = false;
  private closing = false;
  private stderr = '';
  private idleTimer?: NodeJS.Timeout;

  /** `bwrapArgv` is bwrap and its options (without `--`). `onEnd` runs once the sandbox is gone. */
  constructor(
    bwrapArgv: string[],
    kind: LauncherKind,
    private readonly idleMs: number,
    private readonly onEnd: () => void,
  ) {
    this.launcher = new Launcher(
      {
        kind,
        endGroupsAtExit: true,
        detached: true,
        // The launcher's program (Node, for the one written for it) is bound in by itself: it may live
        // in a folder the sandbox hides (a home folder, ~/.nvm).
        wrap: (launcher) => [...bwrapArgv, '--ro-bind', launcher[0]!, launcher[0]!, '--', ...launcher],
        onStderr: (chunk) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)),
        name: 'bubblewrap',
      },
      () => this.end(),
    );
    this.idle();
  }

  /** False once it has ended or is ending: the next process needs a new sandbox. */
  get alive(): boolean {
    return !this.ended && !this.closing;
  }

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    if (!this.alive) throw new ProcessStartError('the sandbox has ended');
    const program = spec.argv[0] ?? '';
    this.running++;
    clearTimeout(this.idleTimer);
    try {
      const { exit, stopped, durationMs } = await runLaunched(this.launcher, spec, {
        sandbox: true,
        detail: () => this.stderrNote(),
        signal: (launched, name) => launched.signal(name),
        lost: (_, error) =>
          new ProcessStartError(`the sandbox ended while ${program} ran: ${error instanceof Error ? error.message : String(error)}${this.stderrNote()}`),
      });
      // As bwrap reports a process that died of a signal: 128 + its number.
      const exitCode = exit.signal === null ? exit.code : 128 + constants.signals[exit.signal];
      return { exitCode, signal: null, stopped, durationMs };
    } finally {
      if (--this.running === 0) this.idle();
    }
  }

  /** Ends the sandbox and everything in it. */
  close(): void {
    if (!this.alive) return;
    this.closing = true;
    this.launcher.close();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    this.onEnd();
  }

  private stderrNote(): string {
    const text = this.stderr.trim();
    return text === '' ? '' : ` (${text})`;
  }

  /** Unused for `idleMs`, the sandbox ends. An idle launcher never keeps Gantry from exiting. */
  private idle(): void {
    clearTimeout(this.idleTimer);
    if (!this.alive) return;
    this.idleTimer = setTimeout(() => this.close(), this.idleMs);
    this.idleTimer.unref();
  }
}
