// Processes a job leaves running outside its steps' process groups (a daemon started with setsid, a
// double fork), found the way GitHub's runner finds them when a job completes: every process started
// since the job began whose environment holds the job's RUNNER_TRACKING_ID. A process started with
// that variable cleared or changed is left alone, as there. Linux only: without /proc nothing is found.

import { randomUUID } from 'node:crypto';
import { openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';

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

let latestMark: { mark: ProcessMark; at: number } | undefined;

/** Where process creation stands now. */
export function processMark(): ProcessMark {
  const mark = { newest: newestProcessId(), made: processesMade() };
  latestMark = { mark, at: performance.now() };
  return mark;
}

/**
 * A mark for a job about to start: the last one read in this process if it is at most `maxAgeMs`
 * old, else a new one. An earlier mark serves as well, since it only widens what is read at the end,
 * and no process can hold a tracking id made after it. Jobs that follow each other then read /proc
 * once each (at their end) instead of twice.
 */
export function recentProcessMark(maxAgeMs = 1000): ProcessMark {
  if (latestMark !== undefined && performance.now() - latestMark.at <= maxAgeMs) return latestMark.mark;
  return processMark();
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
  const candidates = lapped
    ? runningProcessIds()
    : (fewIdsBetween(since.newest, now.newest) ?? runningProcessIds().filter((pid) => givenBetween(pid, since.newest, now.newest)));
  const ended: EndedProcess[] = [];
  const seen = new Set<number>();
  for (const id of candidates) {
    if (!holdsEntry(id, entry)) continue;
    // The id may be a thread's: its process is what is ended, once.
    const pid = processOf(id);
    if (pid === undefined || pid === process.pid || seen.has(pid)) continue;
    seen.add(pid);
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
    const id = Number(readKeptOpen('/proc/loadavg').trimEnd().split(' ').at(-1));
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

function processesMade(): number | undefined {
  try {
    const made = /^processes (\d+)$/m.exec(readKeptOpen('/proc/stat'))?.[1];
    return made === undefined ? undefined : Number(made);
  } catch {
    return undefined;
  }
}

/** The two /proc files every job reads, kept open: a read is then one pread (2–10 µs) instead of an open, a stat, a read and a close (18–23 µs). */
const keptOpen = new Map<string, { fd: number; buffer: Buffer }>();

/** The whole text of a /proc file, generated anew at each read from its start. */
function readKeptOpen(file: string): string {
  let kept = keptOpen.get(file);
  if (kept === undefined) {
    kept = { fd: openSync(file, 'r'), buffer: Buffer.allocUnsafe(1024) };
    keptOpen.set(file, kept);
  }
  for (;;) {
    const read = readSync(kept.fd, kept.buffer, 0, kept.buffer.length, 0);
    if (read < kept.buffer.length) return kept.buffer.toString('latin1', 0, read);
    // Too small to know the text is whole: /proc/stat grows with the processors and interrupts (1.2 KB here).
    kept.buffer = Buffer.allocUnsafe(kept.buffer.length * 2);
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

/**
 * Up to this many ids handed out since the mark are looked up one by one (a few µs each where the id
 * is gone); past it, /proc is listed (tens of µs) and only the running processes are read.
 */
const LOOKED_UP_IDS = 16;

/** The ids handed out after `before` and by `now`, when they are few and did not wrap; otherwise undefined. */
function fewIdsBetween(before: number | undefined, now: number | undefined): number[] | undefined {
  if (before === undefined || now === undefined || now < before || now - before > LOOKED_UP_IDS) return undefined;
  const ids: number[] = [];
  for (let id = before + 1; id <= now; id++) if (statSync(`/proc/${id}`, { throwIfNoEntry: false }) !== undefined) ids.push(id);
  return ids;
}

/** The process that `id` belongs to (its thread group): /proc answers for a thread's id too, though it lists only processes. */
function processOf(id: number): number | undefined {
  try {
    const group = /^Tgid:\s*(\d+)$/m.exec(readFileSync(`/proc/${id}/status`, 'latin1'))?.[1];
    return group === undefined ? undefined : Number(group);
  } catch {
    return undefined;
  }
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
