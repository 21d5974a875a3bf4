// The thread behind log-writer.ts: appends text to log files with synchronous
// calls, so that making folders, opening, writing and closing files costs the
// main thread one message per turn of its event loop instead of a thread-pool
// round trip per call. Plain JavaScript: it starts without the TypeScript loader.

import { Buffer } from 'node:buffer';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';

/** Open files by path. */
const open = new Map();
/** Files that could not be written, with why: written to no more, reported when their sink closes. */
const failed = new Map();

function descriptor(file) {
  let handle = open.get(file);
  if (handle === undefined) {
    handle = openMaking(file);
    open.set(file, handle);
  }
  return handle;
}

/** Opens `file` for appending, making its folder when it is not there yet. */
function openMaking(file) {
  try {
    return openSync(file, 'a');
  } catch (error) {
    if (error?.code !== 'ENOENT') throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    return openSync(file, 'a');
  }
}

function append(file, text) {
  const fd = descriptor(file);
  const bytes = Buffer.from(text);
  for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
}

function end(file) {
  const fd = open.get(file);
  if (fd === undefined) return;
  open.delete(file);
  closeSync(fd);
}

function apply([file, text, ending]) {
  if (failed.has(file)) return;
  try {
    if (text !== '') append(file, text);
    if (ending) end(file);
  } catch (error) {
    failed.set(file, error instanceof Error ? error.message : String(error));
    try {
      end(file);
    } catch {
      // Already reported as failed.
    }
  }
}

/** Ends every file under `root` (a sink's folder) and reports those that failed. */
function closeUnder(root) {
  const inside = (file) => file.startsWith(root + path.sep);
  for (const file of [...open.keys()].filter(inside)) apply([file, '', true]);
  const failures = [...failed].filter(([file]) => inside(file)).map(([file, reason]) => `${file}: ${reason}`);
  for (const file of [...failed.keys()].filter(inside)) failed.delete(file);
  return failures;
}

parentPort.on('message', (message) => {
  if (message.writes) message.writes.forEach(apply);
  if (message.close !== undefined) parentPort.postMessage({ id: message.id, failures: closeUnder(message.close) });
});
