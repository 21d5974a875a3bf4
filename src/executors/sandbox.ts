import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { programOf, stoppedBeforeStart } from './launched-process.ts';
import { preferredLauncher, type LauncherKind } from './native-launcher.ts';
import { SandboxSession } from './sandbox-session.ts';
import { ProcessStartError, type Executor, type ProcessResult, type ProcessSpec } from './types.ts';

const defaultBwrapPath = '/usr/bin/bwrap';

export interface SandboxExecutorOptions {
  /** The bubblewrap program. Default `/usr/bin/bwrap` (Debian's `bubblewrap` package). */
  bwrapPath?: string;
  /** How long an unused sandbox lives on. Default 2 s: a job's steps follow each other within milliseconds. */
  idleMs?: number;
  /** Which launcher runs inside: the C one where it builds (see native-launcher.ts). */
  launcher?: LauncherKind;
}

/**
 * Runs each process under bubblewrap: the host is visible read-only, `/dev`, `/proc` and `/tmp` are
 * fresh, the home folder is hidden, only `spec.isolation.writable` can be changed, and the network
 * is reachable only with `spec.isolation.network`.
 *
 * One sandbox serves every process with the same isolation (the same writable folders, network and
 * HOME: in practice one job's steps): bwrap starts once with the host executor's process launcher
 * inside (see sandbox-session.ts), which starts each process in a process group of its own. Starting
 * bwrap costs several milliseconds; this way a step costs about what a host step does.
 * So `/tmp` lives as long as the job's sandbox, as a runner's does. A sandbox nobody uses for
 * `idleMs` ends, and one never keeps Gantry from exiting while it is idle.
 *
 * Stopping signals the process's group inside the sandbox (SIGINT, then SIGTERM, then SIGKILL, or
 * SIGKILL at once on `kill`), so a step's traps run as under the host executor. A process that died
 * of a signal is reported as exit code 128+n (as bwrap itself reports it), so results carry
 * `exitCode` 130 or 143 where the host executor would report `signal`.
 *
 * Background processes: when a process exits, the launcher kills what is left of its group, and the
 * whole sandbox (its own PID namespace, under bwrap's init, with `--die-with-parent`) ends with its
 * last use or with Gantry. So `keepBackgroundProcesses` has nothing to keep and no `background` is
 * returned. This is deliberate (it is what the isolation is for); services a job needs must run
 * outside the sandbox.
 */
export class SandboxExecutor implements Executor {
  readonly name = 'sandbox';
  private readonly bwrapPath: string;
  private readonly idleMs: number;
  private readonly sessions = new Map<string, SandboxSession>();
  readonly launcher: LauncherKind;

  constructor(options: SandboxExecutorOptions = {}) {
    this.bwrapPath = options.bwrapPath ?? defaultBwrapPath;
    this.idleMs = options.idleMs ?? 2000;
    this.launcher = options.launcher ?? preferredLauncher();
    liveExecutors.add(this);
  }

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    const { isolation } = spec;
    if (isolation === undefined) {
      throw new ProcessStartError(`${spec.argv[0] ?? 'sandbox'}: the sandbox needs the job's writable folders (isolation) to run a process`);
    }
    this.checkBwrap();
    for (const folder of isolation.writable) checkWritableFolder(folder);
    programOf(spec);
    return stoppedBeforeStart(spec) ?? this.session(spec, isolation).run(spec);
  }

  /** Ends every sandbox this executor has running. */
  close(): void {
    for (const session of this.sessions.values()) session.close();
  }

  private session(spec: ProcessSpec, isolation: { writable: string[]; network: boolean }): SandboxSession {
    const home = sandboxHome(spec.env.HOME);
    const key = JSON.stringify([isolation.writable, isolation.network, home]);
    const existing = this.sessions.get(key);
    if (existing?.alive) return existing;
    const bwrap = [this.bwrapPath, ...bwrapArguments({ env: home === undefined ? {} : { HOME: home }, cwd: '/' }, isolation)];
    const session = new SandboxSession(bwrap, this.launcher, this.idleMs, () => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    });
    this.sessions.set(key, session);
    return session;
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

/** The HOME that the sandbox hides (an empty folder inside), when it is one. */
function sandboxHome(home: string | undefined): string | undefined {
  return home !== undefined && path.isAbsolute(home) && path.resolve(home) !== '/' ? path.resolve(home) : undefined;
}

/** Sandboxes end with Gantry even if it exits without closing them (bwrap's --die-with-parent does it on a crash). */
const liveExecutors = new Set<SandboxExecutor>();
process.on('exit', () => {
  for (const executor of liveExecutors) executor.close();
});

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
