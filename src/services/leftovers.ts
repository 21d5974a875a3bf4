// What must not outlive Gantry even when it exits without stopping its services: process groups are
// killed and folders removed on the way out. Nothing helps against SIGKILL; folders are in the temp dir.
import { rmSync } from 'node:fs';

const liveGroups = new Set<number>();
const liveDirectories = new Set<string>();

export function trackProcessGroup(pid: number): void {
  liveGroups.add(pid);
}

export function forgetProcessGroup(pid: number): void {
  liveGroups.delete(pid);
}

export function trackDirectory(directory: string): void {
  liveDirectories.add(directory);
}

export function forgetDirectory(directory: string): void {
  liveDirectories.delete(directory);
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing of the group is left.
  }
}

process.on('exit', () => {
  for (const pid of liveGroups) signalProcessGroup(pid, 'SIGKILL');
  for (const directory of liveDirectories) rmSync(directory, { recursive: true, force: true });
});
