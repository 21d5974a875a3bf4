// Gantry's temporary folders carry the id of the process that made them (`gantry-<pid>-<kind>-…`), so
// that what a Gantry killed before it could clean up (SIGKILL, a crash, a power cut of the server)
// leaves in the temporary folder is removed by the next Gantry that makes job folders.

import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processExists } from '../executors/process-exists.ts';

export type OwnedFolderKind = 'job' | 'checkouts';

// `spare`: what earlier versions called a job folder no job had taken yet.
const OWNED_FOLDER = /^gantry-(\d+)-(?:job|spare|checkouts)-/;

/** Where this process's temporary folders of `kind` begin: `<tmpdir>/gantry-<pid>-<kind>-`. */
export function ownedFolderPrefix(kind: OwnedFolderKind): string {
  return path.join(tmpdir(), `gantry-${process.pid}-${kind}-`);
}

/** Gantry's temporary folders whose process no longer exists. */
export async function leftoverFolders(): Promise<string[]> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  return names
    .filter((name) => {
      const owner = OWNED_FOLDER.exec(name)?.[1];
      return owner !== undefined && !processExists(Number(owner));
    })
    .map((name) => path.join(tmpdir(), name));
}
