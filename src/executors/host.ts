import { stat } from 'node:fs/promises';
import path from 'node:path';
import { hostLauncher, LaunchError, type Launched, type LaunchedExit } from './host-launcher.ts';
import { drainOutput, stopOnAbort } from './launched-process.ts';
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
    if (spec.signal?.aborted || spec.kill?.aborted) return { exitCode: null, signal: null, stopped: true, durationMs: 0 };
    const [program] = spec.argv;
    if (program === undefined) throw new ProcessStartError('cannot start a process: argv is empty');
    const startedAt = performance.now();
    const splitters = { stdout: new LineSplitter((line) => spec.onLine('stdout', line)), stderr: new LineSplitter((line) => spec.onLine('stderr', line)) };
    let launched: Launched;
    try {
      launched = await hostLauncher(this.launcher).launch({ argv: spec.argv, env: spec.env, cwd: spec.cwd }, (stream, chunk) => splitters[stream].write(chunk));
    } catch (error) {
      if (!(error instanceof LaunchError)) throw error;
      throw await startError(error, spec);
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
