// The thread behind job-folders.ts: makes, resets and removes job folders with
// synchronous file-system calls, so that none of their work (Node's recursive
// removal runs in JavaScript, one callback per entry) lands on the main thread.
// Plain JavaScript: it starts without the TypeScript loader.

import { chmodSync, constants, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';

/** The creation mask new files and folders get their permissions from, and reset ones get again. */
const umask = process.umask();

function remove(folder) {
  rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * What a job's folder must hold, as a tree: `folder` (empty unless it has entries), `file` (empty),
 * `copy` (a file or folder of the checkout template, `from`) and `link`.
 */
function wantedTree({ folders, files, copy }) {
  const root = new Map();
  const place = (relative, want) => {
    const parts = relative.split(path.sep);
    let entries = root;
    for (const part of parts.slice(0, -1)) entries = entries.get(part).entries;
    entries.set(parts.at(-1), want);
  };
  for (const folder of folders) place(folder, { kind: 'folder', mode: 0o777 & ~umask, entries: new Map() });
  for (const file of files) place(file, { kind: 'file', mode: 0o666 & ~umask });
  if (copy) place(copy.to, copied(copy.from));
  return root;
}

/** A template entry as a wanted entry; a folder's entries are read when it is reached. */
function copied(from) {
  const stats = lstatSync(from);
  if (stats.isSymbolicLink()) return { kind: 'link', target: readlinkSync(from) };
  if (!stats.isDirectory()) return { kind: 'copy', from };
  return {
    kind: 'folder',
    mode: stats.mode & 0o7777,
    get entries() {
      return new Map(readdirSync(from).map((name) => [name, copied(path.join(from, name))]));
    },
  };
}

/** Whether an entry a finished job left can be used again for `want` without touching anything outside. */
function reusable(want, entry, target) {
  if (want === undefined) return false;
  if (want.kind === 'folder') return entry.isDirectory();
  if (want.kind === 'link') return entry.isSymbolicLink() && readlinkSync(target) === want.target;
  if (!entry.isFile()) return false;
  // A file linked elsewhere (a hard link the job made) must not be rewritten: only its link goes.
  const stats = lstatSync(target);
  return stats.nlink === 1 && (stats.mode & 0o200) !== 0;
}

/**
 * Makes `folder` hold exactly `wanted`. What is there and of the right kind is rewritten in place
 * (a new inode costs more than a rewrite where the file system keeps deleted inodes out of use for
 * a while, as ext4 without a journal does); everything else is removed first.
 */
function fill(folder, wanted) {
  const kept = new Set();
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const target = path.join(folder, entry.name);
    if (reusable(wanted.get(entry.name), entry, target)) kept.add(entry.name);
    else remove(target);
  }
  for (const [name, want] of wanted) {
    const target = path.join(folder, name);
    const there = kept.has(name);
    if (want.kind === 'folder') {
      if (!there) mkdirSync(target);
      chmodSync(target, want.mode | 0o700);
      fill(target, want.entries);
      // A template folder without write permission gets it back only after its entries are in.
      if ((want.mode & 0o700) !== 0o700) chmodSync(target, want.mode);
    } else if (want.kind === 'copy') {
      // Over a kept file this keeps its inode and takes the template's permissions.
      copyFileSync(want.from, target, constants.COPYFILE_FICLONE);
    } else if (want.kind === 'link') {
      if (!there) symlinkSync(want.target, target);
    } else if (there) {
      truncateSync(target);
      chmodSync(target, want.mode);
    } else {
      writeFileSync(target, '', { flag: 'wx' });
    }
  }
}

/** A new folder named from `prefix` (as `mkdtemp`) holding the layout. */
function make({ prefix, layout }) {
  const base = mkdtempSync(prefix);
  try {
    fill(base, wantedTree(layout));
    return base;
  } catch (error) {
    remove(base);
    throw error;
  }
}

/**
 * A finished job's `folder`, renamed from `prefix` and made to hold the layout as a new one would.
 * When that fails (a file the job made that this process may not change), a new folder instead.
 */
function reuse({ folder, prefix, layout }) {
  let base = folder;
  try {
    if (!lstatSync(folder).isDirectory()) throw new Error('not a folder');
    const renamed = `${prefix}${randomBytes(6).toString('base64url')}`;
    if (existsSync(renamed)) throw new Error(`${renamed} exists`);
    renameSync(folder, renamed);
    base = renamed;
    fill(base, wantedTree(layout));
    return base;
  } catch {
    try {
      remove(base);
    } catch {
      // Left as it is (a file this process may not remove), as a removal would leave it.
    }
    return make({ prefix, layout });
  }
}

const operations = {
  make,
  reuse,
  create: ({ file }) => writeFileSync(file, '', { flag: 'wx' }),
  remove: ({ folders }) => folders.forEach(remove),
};

parentPort.on('message', (request) => {
  try {
    parentPort.postMessage({ id: request.id, value: operations[request.op](request) });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
