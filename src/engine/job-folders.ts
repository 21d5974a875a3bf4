// Job folders are made and removed on a worker thread, one for the process: a
// job's folder holds a checkout and a few dozen files, and creating or removing
// them through Node's asynchronous calls costs the main thread a callback (and
// for removal, JavaScript) per entry, which adds up over hundreds of jobs.

import { Worker } from 'node:worker_threads';

export interface FolderLayout {
  /** Subfolders to make, parents first, relative to the new folder. */
  folders: string[];
  /** Empty files to create, relative to the new folder. */
  files: string[];
  /** A tree to copy in: `from` (absolute) becomes `to` (relative). */
  copy?: { from: string; to: string };
}

type Request = ({ op: 'make'; prefix: string } & FolderLayout) | { op: 'create'; file: string } | { op: 'remove'; folder: string };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

function failAll(error: Error): void {
  worker = undefined;
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
}

/** Starts the worker ahead of the first folder (it takes a few tens of milliseconds to start). */
export function startFolderWorker(): void {
  started();
}

function started(): Worker {
  if (worker) return worker;
  const created = new Worker(new URL('./job-folders-worker.mjs', import.meta.url), { execArgv: [] });
  created.on('message', (reply: { id: number; value?: unknown; error?: string }) => {
    const call = pending.get(reply.id);
    pending.delete(reply.id);
    // An idle worker does not keep the process alive.
    if (pending.size === 0) created.unref();
    if (reply.error === undefined) call?.resolve(reply.value);
    else call?.reject(new Error(reply.error));
  });
  created.on('error', (error) => failAll(error));
  created.on('exit', (code) => {
    if (worker === created) failAll(new Error(`the job-folder worker stopped (exit code ${code})`));
  });
  created.unref();
  worker = created;
  return created;
}

function call(request: Request): Promise<unknown> {
  const thread = started();
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    thread.ref();
    thread.postMessage({ id, ...request });
  });
}

/** Makes a new folder named `<prefix>XXXXXX` (as `mkdtemp`) with `layout` in it; resolves to its path. */
export async function makeFolder(prefix: string, layout: FolderLayout): Promise<string> {
  return (await call({ op: 'make', prefix, ...layout })) as string;
}

/** Creates an empty file; fails if it exists. */
export async function createEmptyFile(file: string): Promise<void> {
  await call({ op: 'create', file });
}

/** Removes a folder and everything in it; a folder that is not there is no error. */
export async function removeFolder(folder: string): Promise<void> {
  await call({ op: 'remove', folder });
}
