// The thread behind job-folders.ts: makes and removes job folders with
// synchronous file-system calls, so that none of their work (Node's recursive
// removal runs in JavaScript, one callback per entry) lands on the main thread.
// Plain JavaScript: it starts without the TypeScript loader.

import { constants, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';

/** Copies a folder tree; files are cloned where the file system can. */
function copyTree(from, to) {
  mkdirSync(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else copyFileSync(source, target, constants.COPYFILE_FICLONE);
  }
}

function remove(folder) {
  rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
}

/** A new folder named from `prefix` holding `folders`, empty `files` and a copy of `copy.from` at `copy.to`. */
function make({ prefix, folders, files, copy }) {
  const base = mkdtempSync(prefix);
  try {
    for (const folder of folders) mkdirSync(path.join(base, folder));
    for (const file of files) writeFileSync(path.join(base, file), '', { flag: 'wx' });
    if (copy) copyTree(copy.from, path.join(base, copy.to));
    return base;
  } catch (error) {
    remove(base);
    throw error;
  }
}

parentPort.on('message', (request) => {
  try {
    const value = request.op === 'make' ? make(request) : request.op === 'create' ? writeFileSync(request.file, '', { flag: 'wx' }) : request.folders.forEach(remove);
    parentPort.postMessage({ id: request.id, value });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
