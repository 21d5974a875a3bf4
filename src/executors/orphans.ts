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

/**
 * Where process creation stood: the id the kernel gave the newest process, and how many it has made
 * since boot (threads too). Undefined where /proc does not say.
 */
export interface ProcessMark {
  newest: number | undefined;
  made: number | undefined;
}

export function processMark(): ProcessMark {
  return { newest: newestProcessId(), made: processesMade() };
}

export interface EndedProcess {
  pid: number;
  name: string;
}

/**
 * Kills (SIGKILL) every process started since `since` whose environment holds `trackingId`, and says
 * which. A tracking id is new for each job, so no older process can hold it: ids are handed out in
 * turn, so only the ids given out since the mark are read, unless so many processes were made that
 * the ids may have come round again past it (pid_max is 32768 on many machines), when all are read.
 */
export function endTrackedProcesses(trackingId: string, since: ProcessMark): EndedProcess[] {
  const entry = Buffer.from(`${TRACKING_VARIABLE}=${trackingId}\0`);
  const now = processMark();
  const lapped = since.made === undefined || now.made === undefined || now.made - since.made >= idsInTurn();
  const ended: EndedProcess[] = [];
  for (const pid of runningProcessIds()) {
    if (pid === process.pid || (!lapped && !givenBetween(pid, since.newest, now.newest)) || !holdsEntry(pid, entry)) continue;
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

function newestProcessId(): number | undefined {
  try {
    const id = Number(readFileSync('/proc/loadavg', 'latin1').trimEnd().split(' ').at(-1));
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

function processesMade(): number | undefined {
  try {
    const made = /^processes (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'))?.[1];
    return made === undefined ? undefined : Number(made);
  } catch {
    return undefined;
  }
}

let idsInTurnCache: number | undefined;

/** How many ids the kernel hands out before it comes round to the start again (pid_max less the 300 it keeps back). */
function idsInTurn(): number {
  if (idsInTurnCache === undefined) {
    let pidMax = 32768;
    try {
      pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1').trim()) || pidMax;
    } catch {
      // The smallest default is the safe guess.
    }
    idsInTurnCache = pidMax - 300;
  }
  return idsInTurnCache;
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
