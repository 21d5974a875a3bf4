// Job folders are made and removed on worker threads, two for the process: a
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

type Request =
  | { op: 'make'; prefix: string; layout: FolderLayout }
  | { op: 'reuse'; folder: string; prefix: string; layout: FolderLayout }
  | { op: 'create'; file: string }
  | { op: 'remove'; folders: string[] };

/** One worker thread and the calls waiting for its answers. */
class FolderThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  call(request: Request): Promise<unknown> {
    const thread = this.started();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.ref();
      thread.postMessage({ id, ...request });
    });
  }

  started(): Worker {
    if (this.worker) return this.worker;
    const created = new Worker(new URL('./job-folders-worker.mjs', import.meta.url), { execArgv: [] });
    created.on('message', (reply: { id: number; value?: unknown; error?: string }) => {
      const call = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      // An idle worker does not keep the process alive.
      if (this.pending.size === 0) created.unref();
      if (reply.error === undefined) call?.resolve(reply.value);
      else call?.reject(new Error(reply.error));
    });
    created.on('error', (error) => this.failAll(created, error));
    created.on('exit', (code) => this.failAll(created, new Error(`the job-folder worker stopped (exit code ${code})`)));
    created.unref();
    this.worker = created;
    return created;
  }

  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

/**
 * Folders a job waits for are made on one thread; finished jobs' folders are removed or made ready
 * again on another, never ahead of them.
 */
const making = new FolderThread();
const removing = new FolderThread();

/** Starts the workers ahead of the first folder (each takes a few tens of milliseconds to start). */
export function startFolderWorker(): void {
  making.started();
  removing.started();
}

/** Makes a new folder named `<prefix>XXXXXX` (as `mkdtemp`) with `layout` in it; resolves to its path. */
export async function makeFolder(prefix: string, layout: FolderLayout): Promise<string> {
  return (await making.call({ op: 'make', prefix, layout })) as string;
}

/** A finished job's folder made ready for another. */
export interface ResetFolder {
  path: string;
  /**
   * How many of its folders were listed and files read or copied: those a reset can not tell
   * unchanged by their change times (see job-folders-worker.mjs).
   */
  read: number;
}

/**
 * Renames a finished job's `folder` to `<prefix>XXXXXX` and makes it hold `layout` and nothing else,
 * as `makeFolder` would, keeping the files and folders that can be rewritten in place. When that
 * fails, the folder is removed and a new one made.
 */
export async function reuseFolder(folder: string, prefix: string, layout: FolderLayout): Promise<ResetFolder> {
  return (await removing.call({ op: 'reuse', folder, prefix, layout })) as ResetFolder;
}

/** Creates an empty file; fails if it exists. */
export async function createEmptyFile(file: string): Promise<void> {
  await making.call({ op: 'create', file });
}

/** Removes folders and everything in them; a folder that is not there is no error. */
export async function removeFolders(folders: string[]): Promise<void> {
  await removing.call({ op: 'remove', folders });
}
