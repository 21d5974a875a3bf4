import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { HostExecutor } from './host.ts';
import { ProcessStartError, type Executor, type ProcessResult, type ProcessSpec } from './types.ts';
import { which } from './which.ts';

const defaultBwrapPath = '/usr/bin/bwrap';
/** GNU env (coreutils 8.31+), used only for its --ignore-signal and --default-signal. */
const envProgram = '/usr/bin/env';
/** The signals a graceful stop sends before SIGKILL. */
const stopSignals = 'INT,TERM';

export interface SandboxExecutorOptions {
  /** The bubblewrap program. Default `/usr/bin/bwrap` (Debian's `bubblewrap` package). */
  bwrapPath?: string;
}

/**
 * Runs each process under bubblewrap: the host is visible read-only, `/dev`, `/proc` and `/tmp` are
 * fresh, the home folder is hidden, only `spec.isolation.writable` can be changed, and the network
 * is reachable only with `spec.isolation.network`. Everything else (output lines, stopping, process
 * group clean-up) is the host executor's, applied to the bwrap process.
 *
 * No `--new-session`: HostExecutor already starts bwrap in a new session without a controlling
 * terminal (stdin ignored, output on pipes), so the terminal-injection attack `--new-session` guards
 * against has no terminal to use; and a new session would move the step out of the process group
 * that HostExecutor signals, so SIGINT and SIGTERM would reach only bwrap (which does not forward
 * them) instead of the step, and a graceful stop would become a SIGKILL.
 *
 * Stopping: HostExecutor signals bwrap's whole process group, which holds bwrap itself, the
 * namespace's init and the step. bwrap does not handle SIGINT or SIGTERM, so it would die at once
 * and (with `--die-with-parent`) take the step down before a trap could run. bwrap is therefore
 * started with SIGINT and SIGTERM ignored (`env --ignore-signal`), and inside the sandbox
 * `env --default-signal` restores them before the step's program starts, so the step sees them as
 * under the host executor. The namespace's init ignores them anyway (it is PID 1 without handlers);
 * SIGKILL still ends everything. bwrap reports a step that died of a signal as exit code 128+n, so
 * results carry `exitCode` 130 or 143 where the host executor would report `signal`.
 *
 * Background processes: with `--unshare-pid` (part of `--unshare-all`) the step runs in its own PID
 * namespace under bwrap's init (the step's shell is PID 2). bwrap exits as soon as the step's
 * process exits, with its status; `--die-with-parent` then SIGKILLs the init, and the kernel kills
 * everything left in the namespace. (Without `--die-with-parent` the init would linger with the
 * background processes, outside any tracking.) So a process started in the background cannot
 * outlive its step in the sandbox, and `keepBackgroundProcesses` has nothing to keep: the group is
 * ended at once and no `background` is returned. This is deliberate (it is what the isolation is
 * for), not fought; services a job needs must run outside the sandbox.
 */
export class SandboxExecutor implements Executor {
  readonly name = 'sandbox';
  private readonly host = new HostExecutor();
  private readonly bwrapPath: string;

  constructor(options: SandboxExecutorOptions = {}) {
    this.bwrapPath = options.bwrapPath ?? defaultBwrapPath;
  }

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    const { isolation } = spec;
    if (isolation === undefined) {
      throw new ProcessStartError(`${spec.argv[0] ?? 'sandbox'}: the sandbox needs the job's writable folders (isolation) to run a process`);
    }
    this.checkBwrap();
    for (const folder of isolation.writable) checkWritableFolder(folder);
    checkProgram(spec);
    const argv = [
      envProgram,
      `--ignore-signal=${stopSignals}`,
      this.bwrapPath,
      ...bwrapArguments(spec, isolation),
      '--',
      envProgram,
      `--default-signal=${stopSignals}`,
      '--',
      ...spec.argv,
    ];
    const result = await this.host.run({ ...spec, argv });
    // What is left of the group is the namespace being torn down (see above), not a daemon to keep.
    result.background?.end();
    delete result.background;
    return result;
  }

  private checkBwrap(): void {
    try {
      accessSync(this.bwrapPath, constants.X_OK);
    } catch (error) {
      throw new ProcessStartError(
        `the sandbox needs bubblewrap, but ${this.bwrapPath} is missing or not executable (install the Debian package bubblewrap)`,
        { cause: error },
      );
    }
  }
}

/** The bwrap options (before `--`) that build the sandbox for `spec`. Exported for tests and logs. */
export function bwrapArguments(spec: Pick<ProcessSpec, 'env' | 'cwd'>, isolation: { writable: string[]; network: boolean }): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  // Hide the home folder(s): the step's HOME and root's. A writable folder inside one stays visible
  // because the binds come after the tmpfs mounts.
  const homes = new Set<string>(['/root']);
  const home = spec.env.HOME;
  if (home !== undefined && path.isAbsolute(home) && path.resolve(home) !== '/') homes.add(path.resolve(home));
  for (const folder of homes) args.push('--tmpfs', folder);
  for (const folder of isolation.writable) args.push('--bind', folder, folder);
  args.push('--unshare-all');
  if (isolation.network) args.push('--share-net');
  args.push('--die-with-parent', '--chdir', spec.cwd);
  return args;
}

function checkWritableFolder(folder: string): void {
  if (!path.isAbsolute(folder)) throw new ProcessStartError(`the sandbox's writable folder ${folder} is not an absolute path`);
  let isDirectory = false;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new ProcessStartError(`the sandbox's writable folder ${folder} does not exist or is not a folder`);
}

/**
 * A program missing on PATH is reported as the host executor would, before bwrap starts (inside,
 * bwrap would only print an error and exit 1). The host sees at least what the sandbox sees.
 */
function checkProgram(spec: ProcessSpec): void {
  const program = spec.argv[0];
  if (program === undefined) throw new ProcessStartError('cannot start a process: argv is empty');
  // env would take NAME=VALUE for an assignment rather than the program.
  if (program.includes('=')) throw new ProcessStartError(`${program}: the sandbox cannot start a program whose name contains "="`);
  if (program.includes('/')) return;
  if (which(program, spec.env.PATH ?? '') === null) {
    const noPath = spec.env.PATH === undefined ? ' (the environment has no PATH)' : '';
    throw new ProcessStartError(`${program}: not found on PATH${noPath}`);
  }
}
