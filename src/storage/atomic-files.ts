// Files that appear whole or not at all: written beside their final name,
// flushed to disk, then renamed over it, and the folder flushed so the rename
// survives a crash.

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Flushes a folder's entries (a rename in it) to disk. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a file's content to disk. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A name for a temporary file beside `file`, which readers of the folder must skip (it starts with `.tmp-`). */
export function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}-${path.basename(file)}`);
}

export const isTemporaryName = (name: string): boolean => name.startsWith('.tmp-');

/** Writes `content` to `file` atomically. */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = temporaryName(file);
  const handle = await open(temporary, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
  await syncFolder(path.dirname(file));
}

/** Moves a complete, already flushed file into place atomically. */
export async function moveIntoPlace(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  await rename(from, to);
  await syncFolder(path.dirname(to));
}
