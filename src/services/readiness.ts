// When a started service counts as ready: its port accepts connections, then its health command
// (if any) succeeds, with Docker's retry rules. Every wait ends early, with the signal's reason,
// when `signal` aborts (the job is cancelled, or the server exited).
import net from 'node:net';
import type { HealthCheck } from '../containers/options.ts';
import { describeExit, runCommand } from './processes.ts';

/** The service did not become ready; the message says how it failed. */
export class NotReadyError extends Error {}

/** The health command kept failing. */
export class UnhealthyError extends NotReadyError {}

export async function waitForConnections(host: string, port: number, options: { timeoutMs: number; signal: AbortSignal }): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    options.signal.throwIfAborted();
    if (await accepts(host, port, options.signal)) return;
    if (performance.now() >= deadline) {
      throw new NotReadyError(`nothing accepted connections on ${host}:${port} within ${Math.round(options.timeoutMs / 1000)} s`);
    }
    await delay(50, options.signal);
  }
}

export interface HealthCheckRun {
  /** The complete environment of the health command. */
  env: Record<string, string>;
  cwd: string;
  signal: AbortSignal;
  /** Called before each wait between failed checks. */
  onRetry(failures: number, waitMs: number): void;
}

/** One run of a health command: whether it passed, and what to say when it did not. */
export interface HealthProbe {
  passed: boolean;
  /** `exited with code 1`, `took longer than its timeout (5000 ms)`. */
  how: string;
  output: string[];
}

/**
 * Docker's rules, except that the first check runs at once (a native service is up as soon as it
 * listens): the interval separates failed checks; failures inside the start period do not count;
 * `retries` consecutive failures after it make the service unhealthy.
 */
export async function waitUntilHealthy(check: HealthCheck, run: HealthCheckRun): Promise<void> {
  await waitUntilProbesPass(check, run.signal, run.onRetry, async () => {
    const output: string[] = [];
    const result = await runCommand({
      argv: ['/bin/sh', '-c', check.command],
      env: run.env,
      cwd: run.cwd,
      timeoutMs: check.timeoutMs,
      signal: run.signal,
      onLine: (line) => output.push(line),
    });
    const passed = result.exit.code === 0 && !result.timedOut;
    return { passed, how: result.timedOut ? `took longer than its timeout (${check.timeoutMs} ms)` : describeExit(result.exit), output };
  });
}

/** The retry rules of `waitUntilHealthy`, for any way of running the check (e.g. inside a container). */
export async function waitUntilProbesPass(
  check: HealthCheck,
  signal: AbortSignal,
  onRetry: (failures: number, waitMs: number) => void,
  probe: () => Promise<HealthProbe>,
): Promise<void> {
  const startedAt = performance.now();
  let failures = 0;
  for (;;) {
    signal.throwIfAborted();
    const result = await probe();
    if (result.passed) return;
    if (performance.now() - startedAt >= check.startPeriodMs) failures++;
    if (failures >= check.retries) {
      const shown = result.output.slice(-10);
      const said = shown.length === 0 ? ' and printed nothing' : `; its last output:\n${shown.join('\n')}`;
      throw new UnhealthyError(`the health command \`${check.command}\` failed ${failures} times in a row; the last check ${result.how}${said}`);
    }
    onRetry(failures, check.intervalMs);
    await delay(check.intervalMs, signal);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function accepts(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    const finish = (connected: boolean) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(connected);
    };
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
