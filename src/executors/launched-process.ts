// What the host and sandbox executors both do with a process a launcher starts: check the request,
// say clearly why a process did not start, relay its output as lines, stop it when the step is
// cancelled or killed, and wait a bounded time for the output it leaves open.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LaunchError, type Launched, type LaunchedExit, type Launcher } from './host-launcher.ts';
import { LineSplitter } from './line-splitter.ts';
import { ProcessStartError, type ProcessResult, type ProcessSpec } from './types.ts';

/** How long a stopped process has for each signal before the next, as GitHub's runner gives it. */
const defaultKillGraceMs = 7500;
/** How long output may stay open after the process exited (only a process that left its group can hold it). */
const outputDrainMs = 2000;

/** The program to start; an empty argv is refused. */
export function programOf(spec: ProcessSpec): string {
  const [program] = spec.argv;
  if (program === undefined) throw new ProcessStartError('cannot start a process: argv is empty');
  return program;
}

/** The result of a step stopped before its process started, if it was. */
export function stoppedBeforeStart(spec: ProcessSpec): ProcessResult | undefined {
  return spec.signal?.aborted || spec.kill?.aborted ? { exitCode: null, signal: null, stopped: true, durationMs: 0 } : undefined;
}

/**
 * Why the launcher could not start the process, for the user. On the host the file system is looked
 * at to tell a missing working directory, file or `#!` interpreter apart. In a sandbox it is not:
 * the sandbox hides folders and has its own `/tmp`, so only the error itself is told, with `detail`.
 */
async function startError(error: LaunchError, spec: ProcessSpec, where: { sandbox: boolean; detail?: string }): Promise<ProcessStartError> {
  const program = spec.argv[0] ?? '';
  const options = { cause: error };
  if (!where.sandbox) {
    const cwdProblem = await directoryProblem(spec.cwd);
    if (cwdProblem !== null) return new ProcessStartError(`${program}: cannot start in ${spec.cwd}: ${cwdProblem}`, options);
  }
  if (error.code === 'ENOENT' && !program.includes('/')) {
    const noPath = spec.env.PATH === undefined ? ' (the environment has no PATH)' : '';
    return new ProcessStartError(`${program}: not found on PATH${noPath}`, options);
  }
  if (error.code === 'ENOENT' && !where.sandbox) return new ProcessStartError(await missingFileReason(program, spec.cwd), options);
  if (error.code === 'EACCES') return new ProcessStartError(`${program}: permission denied (not an executable file)`, options);
  return new ProcessStartError(`${program}: cannot start${where.sandbox ? ' in the sandbox' : ''}: ${error.message}${where.detail ?? ''}`, options);
}

async function directoryProblem(directory: string): Promise<string | null> {
  try {
    return (await stat(directory)).isDirectory() ? null : 'the working directory is not a directory';
  } catch {
    return 'the working directory does not exist';
  }
}

async function missingFileReason(program: string, cwd: string): Promise<string> {
  const exists = await stat(path.resolve(cwd, program)).then(
    () => true,
    () => false,
  );
  // execve reports a missing #! interpreter as ENOENT for the script itself.
  return exists ? `${program}: its interpreter (the #! line) was not found` : `${program}: no such file`;
}

interface Stopper {
  stopped(): boolean;
  dispose(): void;
}

/**
 * On abort of `signal`: SIGINT to the group, then SIGTERM and SIGKILL, each `graceMs` after the
 * previous one. On abort of `kill`: SIGKILL at once, whether or not stopping has begun. `signalGroup`
 * delivers a signal to the process's group.
 */
function stopOnAbort(
  signal: AbortSignal | undefined,
  kill: AbortSignal | undefined,
  signalGroup: (name: NodeJS.Signals) => void,
  graceMs = defaultKillGraceMs,
): Stopper {
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const escalate = () => {
    stopped = true;
    signalGroup('SIGINT');
    timers.push(setTimeout(() => signalGroup('SIGTERM'), graceMs));
    timers.push(setTimeout(() => signalGroup('SIGKILL'), 2 * graceMs));
  };
  const killNow = () => {
    stopped = true;
    signalGroup('SIGKILL');
  };
  signal?.addEventListener('abort', escalate, { once: true });
  kill?.addEventListener('abort', killNow, { once: true });
  // Either may have been aborted while the process was starting.
  if (kill?.aborted) killNow();
  else if (signal?.aborted) escalate();
  return {
    stopped: () => stopped,
    dispose: () => {
      signal?.removeEventListener('abort', escalate);
      kill?.removeEventListener('abort', killNow);
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

/** What differs between the executors that run a process through a launcher. */
export interface LaunchedRunOptions {
  sandbox: boolean;
  /** More to tell when the process does not start (what bubblewrap printed). */
  detail?: () => string;
  /** Started: the process's id is known. */
  started?(launched: Launched): void;
  /** Delivers a signal to the process's group. */
  signal(launched: Launched, name: NodeJS.Signals): void;
  /** The launcher went away while the process ran: clean up, and say so. */
  lost(launched: Launched, error: unknown): ProcessStartError;
  /** The process exited (`stopped`: by a cancel or kill); called before the output left open is drained. */
  exited?(launched: Launched, exit: LaunchedExit, stopped: boolean): void;
}

export interface LaunchedRun {
  launched: Launched;
  exit: LaunchedExit;
  stopped: boolean;
  durationMs: number;
}

/** Runs `spec` through `launcher` to its end: lines to `spec.onLine`, stopping on `spec.signal` and `spec.kill`. */
export async function runLaunched(launcher: Launcher, spec: ProcessSpec, options: LaunchedRunOptions): Promise<LaunchedRun> {
  const startedAt = performance.now();
  const splitters = { stdout: new LineSplitter((line) => spec.onLine('stdout', line)), stderr: new LineSplitter((line) => spec.onLine('stderr', line)) };
  let launched: Launched;
  try {
    launched = await launcher.launch({ argv: spec.argv, env: spec.env, cwd: spec.cwd }, (stream, chunk) => splitters[stream].write(chunk));
  } catch (error) {
    if (!(error instanceof LaunchError)) throw error;
    throw await startError(error, spec, { sandbox: options.sandbox, ...(options.detail ? { detail: options.detail() } : {}) });
  }
  options.started?.(launched);
  const outputClosed = launched.outputClosed.then(() => {
    splitters.stdout.end();
    splitters.stderr.end();
  });
  const stopper = stopOnAbort(spec.signal, spec.kill, (name) => options.signal(launched, name), spec.killGraceMs);
  let exit: LaunchedExit;
  try {
    exit = await launched.exited;
  } catch (error) {
    launched.closeOutput();
    throw options.lost(launched, error);
  } finally {
    stopper.dispose();
  }
  const durationMs = performance.now() - startedAt;
  options.exited?.(launched, exit, stopper.stopped());
  await drainOutput(outputClosed, launched);
  return { launched, exit, stopped: stopper.stopped(), durationMs };
}

/** Waits for the output to end, at most `outputDrainMs`; then stops reading what is still open. */
async function drainOutput(outputClosed: Promise<void>, launched: Launched): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, outputDrainMs)));
  await Promise.race([outputClosed, timedOut]);
  clearTimeout(timer);
  launched.closeOutput();
  await outputClosed;
}
