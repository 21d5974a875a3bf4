// Log files are written on one worker thread for the process (log-writer-worker.mjs):
// a job's logs are a folder and a few small files, and making, opening, writing
// and closing them through Node's asynchronous calls costs the main thread a
// thread-pool round trip per call, which adds up over hundreds of jobs. Text is
// gathered per file and sent every FLUSH_MS, or sooner once there is much of it.

import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** A file's text gathered since the last send, and whether the file ends after it. */
type Write = [file: string, text: string, end: boolean];

/** Each message wakes the writer thread, which on a busy machine can take the CPU from this one: they are few. */
const FLUSH_MS = 25;
const FLUSH_CHARS = 64 * 1024;

let thread: Worker | undefined;
/** Which thread this is: text sent to an earlier one, which stopped, may be missing. */
let generation = 0;
let nextId = 0;
const closing = new Map<number, (failures: string[]) => void>();

function started(): Worker {
  if (thread) return thread;
  const created = new Worker(new URL('./log-writer-worker.mjs', import.meta.url), { execArgv: [] });
  created.on('message', (reply: { id: number; failures: string[] }) => {
    closing.get(reply.id)?.(reply.failures);
    closing.delete(reply.id);
    if (closing.size === 0) created.unref();
  });
  const stopped = (reason: string) => {
    if (thread !== created) return;
    thread = undefined;
    for (const done of closing.values()) done([`the log writer stopped (${reason}): lines sent to it may be missing`]);
    closing.clear();
  };
  created.on('error', (error) => stopped(error.message));
  created.on('exit', (code) => stopped(`exit code ${code}`));
  // An idle writer does not keep the process alive; one with a sink closing does.
  created.unref();
  thread = created;
  generation++;
  return created;
}

/**
 * Ends the writer thread as a crash would, without waiting for what was sent to it; the next write
 * starts another. For tests of that recovery: the thread itself catches every file-system error.
 */
export async function stopLogWriterThread(): Promise<void> {
  await thread?.terminate();
}

/** Appends to files under one folder (`root`); `close` ends them all. */
export class LogWriter {
  private batch: Write[] = [];
  /** Where each file still open in `batch` is, so its next text joins it. */
  private readonly openInBatch = new Map<string, Write>();
  private gatheredChars = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The first thread this sent text to (0: none yet): if that one stopped, text may be missing. */
  private firstSentTo = 0;

  /** The folder, absolute: the writer thread ends the files under it when the sink closes. */
  readonly root: string;

  constructor(folder: string) {
    this.root = path.resolve(folder);
    started();
  }

  write(file: string, text: string): void {
    const gathered = this.openInBatch.get(file);
    if (gathered) gathered[1] += text;
    else this.add([file, text, false]);
    this.gatheredChars += text.length;
    if (this.gatheredChars >= FLUSH_CHARS) this.flush();
  }

  /** The file is closed after what was written to it; a later write opens it again to append. */
  end(file: string): void {
    const gathered = this.openInBatch.get(file);
    if (gathered) gathered[2] = true;
    else this.add([file, '', true]);
    this.openInBatch.delete(file);
  }

  /** Resolves, once every file under the folder is written and closed, to the files that could not be written, with why. */
  close(): Promise<string[]> {
    this.flush();
    const worker = started();
    const id = ++nextId;
    const lost = this.firstSentTo !== 0 && this.firstSentTo !== generation ? ['the log writer stopped during the run: lines sent to it may be missing'] : [];
    return new Promise((resolve) => {
      closing.set(id, (failures) => resolve([...lost, ...failures]));
      worker.ref();
      worker.postMessage({ id, close: this.root });
    });
  }

  private add(write: Write): void {
    this.batch.push(write);
    if (!write[2]) this.openInBatch.set(write[0], write);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const writes = this.batch;
    this.batch = [];
    this.openInBatch.clear();
    this.gatheredChars = 0;
    // Copied as strings and encoded there. Encoding here and moving the bytes was slower with a busy
    // producer (logs benchmark 1.2–1.6× against 1.1–1.2×) and kept up to 90 MB of moved buffers
    // alive, which the writer thread, allocating little, rarely collects.
    started().postMessage({ writes });
    if (this.firstSentTo === 0) this.firstSentTo = generation;
  }
}
