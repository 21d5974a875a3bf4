import { hostLauncher, LaunchError, type Launched, type LaunchedExit } from './host-launcher.ts';
import { drainOutput, programOf, startError, stopOnAbort, stoppedBeforeStart } from './launched-process.ts';
import { LineSplitter } from './line-splitter.ts';
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
    const startedAt = performance.now();
    const splitters = { stdout: new LineSplitter((line) => spec.onLine('stdout', line)), stderr: new LineSplitter((line) => spec.onLine('stderr', line)) };
    let launched: Launched;
    try {
      launched = await hostLauncher(this.launcher).launch({ argv: spec.argv, env: spec.env, cwd: spec.cwd }, (stream, chunk) => splitters[stream].write(chunk));
    } catch (error) {
      if (!(error instanceof LaunchError)) throw error;
      throw await startError(error, spec, { sandbox: false });
    }
    const { pid } = launched;
    const outputClosed = launched.outputClosed.then(() => {
      splitters.stdout.end();
      splitters.stderr.end();
    });
    liveGroups.add(pid);
    const stopper = stopOnAbort(spec.signal, spec.kill, (signal) => signalGroup(pid, signal), spec.killGraceMs);
    let exit: LaunchedExit;
    try {
      exit = await launched.exited;
    } catch (error) {
      stopper.dispose();
      endGroup(launched);
      launched.closeOutput();
      throw new ProcessStartError(`${program}: lost track of the process: ${error instanceof Error ? error.message : String(error)}`);
    }
    const durationMs = performance.now() - startedAt;
    stopper.dispose();
    const keep = spec.keepBackgroundProcesses === true && !stopper.stopped() && exit.groupLeft;
    if (!keep) {
      // A group that was empty at the exit cannot fill again, and the launcher has let it go already.
      if (exit.groupLeft) endGroup(launched);
      else liveGroups.delete(pid);
    }
    await drainOutput(outputClosed, launched);
    const result: ProcessResult = { exitCode: exit.code, signal: exit.signal, stopped: stopper.stopped(), durationMs };
    if (keep) result.background = { end: () => endGroup(launched) };
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
