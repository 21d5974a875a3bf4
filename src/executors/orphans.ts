// Processes a job leaves running outside its steps' process groups (a daemon started with setsid, a
// double fork), found the way GitHub's runner finds them when a job completes: every process started
// since the job began whose environment holds the job's RUNNER_TRACKING_ID. A process started with
// that variable cleared or changed is left alone, as there. Linux only: without /proc nothing is found.

import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { launchedByGantry } from './host-launcher.ts';

export const TRACKING_VARIABLE = 'RUNNER_TRACKING_ID';

/** A job's tracking id, as the runner makes them. */
export function newTrackingId(): string {
  return `github_${randomUUID()}`;
}

/**
 * The id the kernel gave the newest process (undefined where there is no /proc). Ids are handed out in
 * turn, so a process started after this was read has a higher id, until they wrap around at pid_max.
 */
export function newestProcessId(): number | undefined {
  try {
    const id = Number(readFileSync('/proc/loadavg', 'latin1').trimEnd().split(' ').at(-1));
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export interface EndedProcess {
  pid: number;
  name: string;
}

/**
 * Kills (SIGKILL) every process started since `newestBefore` (from `newestProcessId`) whose environment
 * holds `trackingId`, and says which. A tracking id is new for each job, so no older process can hold
 * it: only the newer ones (by id, allowing for one wrap-around) are read.
 */
export function endTrackedProcesses(trackingId: string, newestBefore: number | undefined): EndedProcess[] {
  const entry = Buffer.from(`${TRACKING_VARIABLE}=${trackingId}\0`);
  const newestNow = newestProcessId();
  if (onlyStepsSince(newestBefore, newestNow)) return [];
  const ended: EndedProcess[] = [];
  for (const pid of runningProcessIds()) {
    if (pid === process.pid || !givenBetween(pid, newestBefore, newestNow) || !holdsEntry(pid, entry)) continue;
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

/** Whether `pid` was handed out after `before` and by `now` (ids wrap around once at pid_max); true when either is unknown. */
export function givenBetween(pid: number, before: number | undefined, now: number | undefined): boolean {
  if (before === undefined || now === undefined) return true;
  return now >= before ? pid > before && pid <= now : pid > before || pid <= now;
}

/**
 * Whether every process id handed out after `before` went to a step's own process that a host
 * launcher started (the job's have exited; no other job's holds this job's id): then nothing else
 * started, a thread included, and there is nothing to look for. Only a few ids are checked.
 */
function onlyStepsSince(before: number | undefined, now: number | undefined): boolean {
  if (before === undefined || now === undefined || now < before || now - before > 64) return false;
  for (let pid = before + 1; pid <= now; pid++) if (!launchedByGantry(pid)) return false;
  return true;
}

/** The ids of the processes running now (empty where there is no /proc). */
function runningProcessIds(): number[] {
  try {
    return readdirSync('/proc').filter(isProcessId).map(Number);
  } catch {
    return [];
  }
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
