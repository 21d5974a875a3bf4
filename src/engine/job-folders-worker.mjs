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

/**
 * Makes a kept file (`stats`, its lstat) hold the template's content and permissions, writing only
 * what differs, in place; returns whether it wrote anything.
 */
function rewrite(want, target, stats) {
  read++;
  let wrote = false;
  if (!want.content) {
    copyFileSync(want.from, target, constants.COPYFILE_FICLONE);
    wrote = true;
  } else if (stats.size !== want.content.length || !sameContent(target, want.content)) {
    const fd = openSync(target, 'r+');
    try {
      writeSync(fd, want.content, 0, want.content.length, 0);
      ftruncateSync(fd, want.content.length);
    } finally {
      closeSync(fd);
    }
    wrote = true;
  }
  if ((stats.mode & 0o7777) !== want.mode) {
    chmodSync(target, want.mode);
    wrote = true;
  }
  return wrote;
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
 * What a reset left, to save the next one from reading what nobody changed since: per entry, its
 * inode and change time, the wanted entry it matched and, for a folder, the record of its entries.
 * A change time cannot be set back, and every change to an entry (its content, permissions, links,
 * or for a folder the names in it) gives it a new one; but the file system takes it from a clock
 * that moves in ticks of a few milliseconds, so only a change time older than the reset's end by
 * more than a tick says anything: a job, which starts after that end, cannot change the entry in
 * the same tick. Kept by the folder's device and inode, which its renames keep, while the folder
 * is kept (a spare or a running job's).
 */
const records = new Map();
const MOST_RECORDS = 32;
const TICK_MARGIN_MS = 20;
/** A change time that matches nothing: the entry was changed by the reset itself. */
const CHANGED = -1;
/** What the current operation read: folders listed, files compared or copied. */
let read = 0;

function recordKey(folder) {
  const stats = lstatSync(folder, { throwIfNoEntry: false });
  return stats === undefined ? '' : `${stats.dev}:${stats.ino}`;
}

function remember(folder, entries) {
  const key = recordKey(folder);
  records.delete(key);
  records.set(key, { endedAt: Date.now(), entries });
  if (records.size > MOST_RECORDS) records.delete(records.keys().next().value);
}

/** The record of `folder`'s entries from its last reset, and the change times it may trust; none for a new folder. */
function recalled(folder) {
  const key = recordKey(folder);
  const record = records.get(key);
  records.delete(key);
  return record ? { entries: record.entries, trustedBefore: record.endedAt - TICK_MARGIN_MS } : { entries: undefined, trustedBefore: 0 };
}

/** Whether an entry is as the last reset left it, matching the same wanted entry. */
function untouched(want, stats, known, trustedBefore) {
  if (want === undefined || known === undefined || known.ctime === CHANGED || known.ctime >= trustedBefore) return false;
  if (stats.ino !== known.ino || stats.ctimeMs !== known.ctime) return false;
  // A template entry is the same object while its template is; a folder or empty file is its kind and mode.
  return want.kind === 'copy' || want.kind === 'link' ? known.want === want : known.want.kind === want.kind && known.want.mode === want.mode;
}

/**
 * Whether an entry a finished job left (`stats`, its lstat) can be used again for `want` without
 * touching anything outside; when it can not, it must go.
 */
function reusable(want, stats, target) {
  if (want === undefined) return false;
  if (want.kind === 'link') return stats.isSymbolicLink() && readlinkSync(target) === want.target;
  if (want.kind === 'folder' ? !stats.isDirectory() : !stats.isFile()) return false;
  // A file linked elsewhere (a hard link the job made) must not be rewritten: only its link goes.
  return want.kind === 'folder' || (stats.nlink === 1 && (stats.mode & 0o200) !== 0);
}

/**
 * Makes `folder` hold exactly `wanted` and returns what it left (see `records`). What is there and
 * of the right kind is rewritten in place, and only where it differs (a new inode costs more than a
 * rewrite where the file system keeps deleted inodes out of use for a while, as ext4 without a
 * journal does); everything else is removed first. `known` is the last reset's record of the
 * folder's entries; with `sameNames`, the folder itself is unchanged since, so it holds the same names.
 */
function fill(folder, wanted, { known, sameNames, trustedBefore }) {
  let changed = false;
  const kept = new Map();
  if (!sameNames) read++;
  for (const name of sameNames ? known.keys() : readdirSync(folder)) {
    const target = path.join(folder, name);
    const want = wanted.get(name);
    const stats = lstatSync(target);
    if (untouched(want, stats, known?.get(name), trustedBefore) || reusable(want, stats, target)) {
      kept.set(name, stats);
    } else {
      remove(target);
      changed = true;
    }
  }
  const record = new Map();
  for (const [name, want] of wanted) {
    const target = path.join(folder, name);
    const stats = kept.get(name);
    const previously = known?.get(name);
    const same = stats !== undefined && untouched(want, stats, previously, trustedBefore);
    let rewritten = stats === undefined;
    let entries;
    if (stats === undefined) changed = true;
    if (want.kind === 'folder') {
      if (!stats) mkdirSync(target);
      // A template folder without write permission gets it back only after its entries are in.
      const filling = want.mode | 0o700;
      if (!stats || (stats.mode & 0o7777) !== filling) {
        chmodSync(target, filling);
        rewritten = true;
      }
      const inner = fill(target, want.entries, { known: previously?.entries, sameNames: same, trustedBefore });
      entries = inner.record;
      if (filling !== want.mode) chmodSync(target, want.mode);
      rewritten ||= inner.changed || filling !== want.mode;
    } else if (same) {
      // As the last reset left it.
    } else if (want.kind === 'copy') {
      // Over a kept file this keeps its inode.
      if (stats) rewritten = rewrite(want, target, stats);
      else {
        read++;
        copyFileSync(want.from, target, constants.COPYFILE_FICLONE);
      }
    } else if (want.kind === 'link') {
      if (!stats) symlinkSync(want.target, target);
    } else if (stats) {
      if (stats.size !== 0) {
        truncateSync(target);
        rewritten = true;
      }
      if ((stats.mode & 0o7777) !== want.mode) {
        chmodSync(target, want.mode);
        rewritten = true;
      }
    } else {
      writeFileSync(target, '', { flag: 'wx' });
    }
    record.set(name, { ino: stats?.ino ?? 0, ctime: rewritten ? CHANGED : stats.ctimeMs, want, entries });
  }
  return { record, changed };
}

/** A new folder named from `prefix` (as `mkdtemp`) holding the layout. */
function make({ prefix, layout }) {
  const base = mkdtempSync(prefix);
  try {
    remember(base, fill(base, wantedTree(layout), { known: undefined, sameNames: false, trustedBefore: 0 }).record);
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
  read = 0;
  let base = folder;
  try {
    if (!lstatSync(folder).isDirectory()) throw new Error('not a folder');
    const { entries, trustedBefore } = recalled(folder);
    const renamed = `${prefix}${randomBytes(6).toString('base64url')}`;
    if (existsSync(renamed)) throw new Error(`${renamed} exists`);
    renameSync(folder, renamed);
    base = renamed;
    // The rename changed the folder's own change time: its names are read again.
    remember(base, fill(base, wantedTree(layout), { known: entries, sameNames: false, trustedBefore }).record);
    return { path: base, read };
  } catch {
    try {
      remove(base);
    } catch {
      // Left as it is (a file this process may not remove), as a removal would leave it.
    }
    return { path: make({ prefix, layout }), read };
  }
}

const operations = {
  make,
  reuse,
  create: ({ file }) => writeFileSync(file, '', { flag: 'wx' }),
  remove: ({ folders }) =>
    folders.forEach((folder) => {
      records.delete(recordKey(folder));
      remove(folder);
    }),
};

parentPort.on('message', (request) => {
  try {
    parentPort.postMessage({ id: request.id, value: operations[request.op](request) });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
