// The thread behind job-folders.ts: makes, resets and removes job folders with
// synchronous file-system calls, so that none of their work (Node's recursive
// removal runs in JavaScript, one callback per entry) lands on the main thread.
// Plain JavaScript: it starts without the TypeScript loader.

import { chmodSync, closeSync, constants, copyFileSync, existsSync, ftruncateSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { Buffer } from 'node:buffer';
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

/**
 * Template files up to this size are kept in memory and compared with a reset folder's copy, which
 * is rewritten only where it differs: freeing a file's blocks and taking new ones costs about 150 µs
 * on this machine's disk (ext4 mounted with `discard`), reading and comparing it 10.
 */
const KEPT_FILE_BYTES = 1 << 20;
const KEPT_TEMPLATE_BYTES = 16 << 20;
const KEPT_TEMPLATES = 4;
/** Templates read once: by path, their top folder's inode and change time (a new template at an old path is read again). */
const templates = new Map();

/** A template as a wanted entry, read once while it stays the same. */
function copied(from) {
  const stats = lstatSync(from, { bigint: true });
  const key = `${from}\0${stats.ino}\0${stats.ctimeNs}`;
  let tree = templates.get(key);
  if (!tree) {
    tree = copiedEntry(from, stats, { bytes: 0 });
    templates.set(key, tree);
    if (templates.size > KEPT_TEMPLATES) templates.delete(templates.keys().next().value);
  }
  return tree;
}

function copiedEntry(from, stats, kept) {
  if (stats.isSymbolicLink()) return { kind: 'link', target: readlinkSync(from) };
  if (!stats.isDirectory()) {
    const size = Number(stats.size);
    const keep = stats.isFile() && size <= KEPT_FILE_BYTES && kept.bytes + size <= KEPT_TEMPLATE_BYTES;
    if (keep) kept.bytes += size;
    return { kind: 'copy', from, mode: Number(stats.mode) & 0o7777, ...(keep ? { content: readFileSync(from) } : {}) };
  }
  const entries = new Map();
  for (const name of readdirSync(from)) {
    const entry = path.join(from, name);
    entries.set(name, copiedEntry(entry, lstatSync(entry, { bigint: true }), kept));
  }
  return { kind: 'folder', mode: Number(stats.mode) & 0o7777, entries };
}

/** Makes a kept file (`stats`, its lstat) hold the template's content and permissions, writing only what differs, in place. */
function rewrite(want, target, stats) {
  if (!want.content) {
    copyFileSync(want.from, target, constants.COPYFILE_FICLONE);
    return;
  }
  if (stats.size !== want.content.length || !sameContent(target, want.content)) {
    const fd = openSync(target, 'r+');
    try {
      writeSync(fd, want.content, 0, want.content.length, 0);
      ftruncateSync(fd, want.content.length);
    } finally {
      closeSync(fd);
    }
  }
  if ((stats.mode & 0o7777) !== want.mode) chmodSync(target, want.mode);
}

function sameContent(file, content) {
  if (content.length === 0) return true;
  const fd = openSync(file, 'r');
  try {
    const there = Buffer.allocUnsafe(content.length);
    let read = 0;
    while (read < content.length) {
      const got = readSync(fd, there, read, content.length - read, read);
      if (got === 0) return false;
      read += got;
    }
    return there.equals(content);
  } finally {
    closeSync(fd);
  }
}

/**
 * The lstat of an entry a finished job left, when it can be used again for `want` without touching
 * anything outside; undefined when it must go.
 */
function reusable(want, entry, target) {
  if (want === undefined) return undefined;
  if (want.kind === 'link') return entry.isSymbolicLink() && readlinkSync(target) === want.target ? {} : undefined;
  if (want.kind === 'folder' ? !entry.isDirectory() : !entry.isFile()) return undefined;
  const stats = lstatSync(target);
  // A file linked elsewhere (a hard link the job made) must not be rewritten: only its link goes.
  if (want.kind !== 'folder' && (stats.nlink !== 1 || (stats.mode & 0o200) === 0)) return undefined;
  return stats;
}

/**
 * Makes `folder` hold exactly `wanted`. What is there and of the right kind is rewritten in place,
 * and only where it differs (a new inode costs more than a rewrite where the file system keeps
 * deleted inodes out of use for a while, as ext4 without a journal does); everything else is
 * removed first.
 */
function fill(folder, wanted) {
  const kept = new Map();
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const target = path.join(folder, entry.name);
    const stats = reusable(wanted.get(entry.name), entry, target);
    if (stats) kept.set(entry.name, stats);
    else remove(target);
  }
  for (const [name, want] of wanted) {
    const target = path.join(folder, name);
    const stats = kept.get(name);
    if (want.kind === 'folder') {
      if (!stats) mkdirSync(target);
      // A template folder without write permission gets it back only after its entries are in.
      const filling = want.mode | 0o700;
      if (!stats || (stats.mode & 0o7777) !== filling) chmodSync(target, filling);
      fill(target, want.entries);
      if (filling !== want.mode) chmodSync(target, want.mode);
    } else if (want.kind === 'copy') {
      // Over a kept file this keeps its inode.
      if (stats) rewrite(want, target, stats);
      else copyFileSync(want.from, target, constants.COPYFILE_FICLONE);
    } else if (want.kind === 'link') {
      if (!stats) symlinkSync(want.target, target);
    } else if (stats) {
      if (stats.size !== 0) truncateSync(target);
      if ((stats.mode & 0o7777) !== want.mode) chmodSync(target, want.mode);
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
