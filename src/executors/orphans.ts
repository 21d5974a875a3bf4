// Processes a job leaves running outside its steps' process groups (a daemon started with setsid, a
// double fork), found the way GitHub's runner finds them when a job completes: every process started
// since the job began whose environment holds the job's RUNNER_TRACKING_ID. A process started with
// that variable cleared or changed is left alone, as there. Linux only: without /proc nothing is found.

import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const TRACKING_VARIABLE = 'RUNNER_TRACKING_ID';

/** A job's tracking id, as the runner makes them. */
export function newTrackingId(): string {
  return `github_${randomUUID()}`;
}

/** The ids of the processes running now (empty where there is no /proc). */
export function runningProcessIds(): Set<number> {
  try {
    return new Set(readdirSync('/proc').filter(isProcessId).map(Number));
  } catch {
    return new Set();
  }
}

export interface EndedProcess {
  pid: number;
  name: string;
}

/** Kills (SIGKILL) every process not in `existing` whose environment holds `trackingId`, and says which. */
export function endTrackedProcesses(trackingId: string, existing: Set<number>): EndedProcess[] {
  const entry = Buffer.from(`${TRACKING_VARIABLE}=${trackingId}\0`);
  const ended: EndedProcess[] = [];
  for (const pid of runningProcessIds()) {
    if (existing.has(pid) || pid === process.pid || !holdsEntry(pid, entry)) continue;
    const name = processName(pid);
    try {
      process.kill(pid, 'SIGKILL');
      ended.push({ pid, name });
    } catch {
      // Gone already, or not ours to kill.
    }
  }
  return ended;
}

function isProcessId(name: string): boolean {
  return /^\d+$/.test(name);
}

/** Whether the process's environment has `entry` (`NAME=value\0`) as one of its variables. */
function holdsEntry(pid: number, entry: Buffer): boolean {
  let environment: Buffer;
  try {
    environment = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  for (let at = environment.indexOf(entry); at !== -1; at = environment.indexOf(entry, at + 1)) {
    if (at === 0 || environment[at - 1] === 0) return true;
  }
  return false;
}

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
