// What the host and sandbox executors both do with a process a launcher started: stop it when the
// step is cancelled or killed, and wait a bounded time for the output it leaves open.
import type { Launched } from './host-launcher.ts';

/** How long a stopped process has for each signal before the next, as GitHub's runner gives it. */
const defaultKillGraceMs = 7500;
/** How long output may stay open after the process exited (only a process that left its group can hold it). */
const outputDrainMs = 2000;

export interface Stopper {
  stopped(): boolean;
  dispose(): void;
}

/**
 * On abort of `signal`: SIGINT to the group, then SIGTERM and SIGKILL, each `graceMs` after the
 * previous one. On abort of `kill`: SIGKILL at once, whether or not stopping has begun. `signalGroup`
 * delivers a signal to the process's group.
 */
export function stopOnAbort(
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

/** Waits for the output to end, at most `outputDrainMs`; then stops reading what is still open. */
export async function drainOutput(outputClosed: Promise<void>, launched: Launched): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, outputDrainMs)));
  await Promise.race([outputClosed, timedOut]);
  clearTimeout(timer);
  launched.closeOutput();
  await outputClosed;
}
