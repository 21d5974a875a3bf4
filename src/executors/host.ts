import { hostLauncher, type Launched } from './host-launcher.ts';
import { programOf, runLaunched, stoppedBeforeStart } from './launched-process.ts';
import { preferredLauncher, type LauncherKind } from './native-launcher.ts';
import { ProcessStartError, type Executor, type ProcessResult, type ProcessSpec } from './types.ts';

/**
 * Runs processes directly on this machine, each in its own process group so that stopping reaches
 * the whole tree. Processes that leave the group (setsid, daemons) are not tracked. They are started
 * by the process launcher (host-launcher.ts); their output, their signals and their end are handled here.
 */
export class HostExecutor implements Executor {
  readonly name = 'host';
  /** Which launcher starts this executor's processes: the C one where it builds (see native-launcher.ts). */
  readonly launcher: LauncherKind;

  constructor(options: { launcher?: LauncherKind } = {}) {
    this.launcher = options.launcher ?? preferredLauncher();
    // Started now, so that it is ready by the first step.
    hostLauncher(this.launcher);
  }

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    const stopped = stoppedBeforeStart(spec);
    if (stopped) return stopped;
    const program = programOf(spec);
    let keep = false;
    const run = await runLaunched(hostLauncher(this.launcher), spec, {
      sandbox: false,
      started: (launched) => liveGroups.add(launched.pid),
      signal: (launched, name) => signalGroup(launched.pid, name),
      lost: (launched, error) => {
        endGroup(launched);
        return new ProcessStartError(`${program}: lost track of the process: ${error instanceof Error ? error.message : String(error)}`);
      },
      exited: (launched, exit, stoppedByStep) => {
        keep = spec.keepBackgroundProcesses === true && !stoppedByStep && exit.groupLeft;
        if (keep) return;
        // A group that was empty at the exit cannot fill again, and the launcher has let it go already.
        if (exit.groupLeft) endGroup(launched);
        else liveGroups.delete(launched.pid);
      },
    });
    const result: ProcessResult = { exitCode: run.exit.code, signal: run.exit.signal, stopped: run.stopped, durationMs: run.durationMs };
    if (keep) result.background = { end: () => endGroup(run.launched) };
    return result;
  }
}

/** Kills what is left of the process's group; nobody needs to end it later. */
function endGroup(launched: Launched): void {
  signalGroup(launched.pid, 'SIGKILL');
  liveGroups.delete(launched.pid);
  launched.forget();
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
