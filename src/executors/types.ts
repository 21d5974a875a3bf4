// Where a step's process runs. Executors know nothing of workflows: they run a
// command with an environment in a folder, stream its output, and stop it.

export interface ProcessSpec {
  /** argv[0] and its arguments; no shell is involved unless argv names one. */
  argv: string[];
  /** The complete environment of the process (nothing is inherited implicitly). */
  env: Record<string, string>;
  cwd: string;
  /** Stop the process (SIGINT, then SIGTERM, then SIGKILL) when this aborts. */
  signal?: AbortSignal;
  /** Kill the process at once (SIGKILL), even while it is being stopped, when this aborts. */
  kill?: AbortSignal;
  /** Milliseconds between the escalating signals once stopping begins. Default 7500 (as the runner). */
  killGraceMs?: number;
  /**
   * Leave processes the command started in the background running when it exits (GitHub's runner
   * ends them only when the job ends); the result then carries `background` to end them later.
   */
  keepBackgroundProcesses?: boolean;
  /**
   * What an isolating executor lets the process change: these folders are writable (the job's
   * workspace and temp), and the network is reachable only with `network`. The host executor ignores it.
   */
  isolation?: { writable: string[]; network: boolean };
  /** Receives output as it arrives, already split into lines (without the newline). */
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface ProcessResult {
  /** Null when the process ended through a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the process was stopped because `signal` aborted. */
  stopped: boolean;
  durationMs: number;
  /** With `keepBackgroundProcesses`: the processes still running in the background, to end later. */
  background?: { end(): void };
}

/** The process could not be started at all (missing program, bad cwd). */
export class ProcessStartError extends Error {}

export interface Executor {
  readonly name: string;
  run(spec: ProcessSpec): Promise<ProcessResult>;
}
