// Every step's full log, kept under the run's folder:
// <logDir>/<workflow file stem>/<job name>/<NN>-<step name>.log, plus the job's
// own lines (set-up, errors before any step) in <job name>/job.log.

import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { EngineEvent, EngineListener, JobKey } from '../engine/events.ts';

const slug = (text: string) => text.replace(/[^\w.()-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'unnamed';

export interface FileSink {
  listener: EngineListener;
  /** Resolves once every file, those of finished steps included, is flushed and closed. */
  close(): Promise<void>;
}

/** Lines are gathered and written in chunks of this size (or after FLUSH_MS), not one write per line. */
const CHUNK_CHARS = 64 * 1024;
const FLUSH_MS = 200;

/** A log file written in chunks, opened once its folder exists. */
class LogFile {
  private stream: WriteStream | undefined;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  /** Set when `end` was called before the file could be opened. */
  private endRequested: { done: (() => void) | undefined } | undefined;

  constructor(file: string, folderMade: Promise<void>) {
    void folderMade.then(() => {
      this.stream = createWriteStream(file, { flags: 'a' });
      if (this.endRequested) this.finish(this.endRequested.done);
      else this.flush();
    });
  }

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  end(done?: () => void): void {
    if (this.stream) this.finish(done);
    else this.endRequested = { done };
  }

  private finish(done: (() => void) | undefined): void {
    this.flush();
    this.stream!.end(done);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === '' || !this.stream) return;
    this.stream.write(this.pending);
    this.pending = '';
  }
}

/** ISO timestamps, formatted once per millisecond: a busy step prints many lines in the same one. */
function timestamps(): (at: number) => string {
  let lastAt = Number.NaN;
  let last = '';
  return (at) => {
    if (at !== lastAt) {
      lastAt = at;
      last = new Date(at).toISOString();
    }
    return last;
  };
}

export function createFileSink(logDir: string): FileSink {
  /** Files of finished steps still being written out: `close` waits for them too. */
  const ending = new Set<Promise<void>>();
  const jobFolders = new Map<JobKey, { folder: string; made: Promise<void> }>();
  const streams = new Map<string, LogFile>();
  const iso = timestamps();

  // A busy step sends line after line to the same file: the last one is kept at hand.
  let last: { job: JobKey; step: number | null; file: LogFile } | undefined;
  const streamFor = (job: JobKey, step: number | null, stepName?: string): LogFile | undefined => {
    if (last !== undefined && last.job === job && last.step === step) return last.file;
    const jobFolder = jobFolders.get(job);
    if (!jobFolder) return undefined;
    const key = `${job}|${step ?? 'job'}`;
    let stream = streams.get(key);
    if (!stream) {
      const file = step === null ? 'job.log' : `${String(step + 1).padStart(2, '0')}-${slug(stepName ?? `step ${step + 1}`)}.log`;
      stream = new LogFile(path.join(jobFolder.folder, file), jobFolder.made);
      streams.set(key, stream);
    }
    last = { job, step, file: stream };
    return stream;
  };

  const closeStream = (key: string) => {
    const stream = streams.get(key);
    if (stream === undefined) return;
    if (stream === last?.file) last = undefined;
    const ended = new Promise<void>((resolve) => stream.end(resolve)).finally(() => ending.delete(ended));
    ending.add(ended);
    streams.delete(key);
  };

  const listener = (event: EngineEvent) => {
    switch (event.type) {
      case 'job-queued': {
        const folder = path.join(logDir, slug(path.basename(event.workflowFile).replace(/\.ya?ml$/, '')), slug(event.name));
        // Made on the thread pool: a run announces all its jobs at once, hundreds of folders.
        jobFolders.set(event.job, { folder, made: mkdir(folder, { recursive: true }).then(() => undefined) });
        break;
      }
      case 'step-started':
        streamFor(event.job, event.step, event.name)?.write(`${iso(event.at)} ▶ ${event.name}\n`);
        break;
      case 'log':
        streamFor(event.job, event.step)?.write(`${iso(event.at)} ${event.line}\n`);
        break;
      case 'group':
        streamFor(event.job, event.step)?.write(event.action === 'start' ? `##[group]${event.title ?? ''}\n` : '##[endgroup]\n');
        break;
      case 'annotation':
        streamFor(event.job, event.step)?.write(`##[${event.annotation.level}]${event.annotation.message}\n`);
        break;
      case 'step-finished':
        streamFor(event.job, event.step, event.name)?.write(`${iso(event.at)} ◀ ${event.conclusion} (outcome ${event.outcome}, ${event.durationMs} ms)\n`);
        closeStream(`${event.job}|${event.step}`);
        break;
      case 'job-finished':
        streamFor(event.job, null)?.write(`${iso(event.at)} job ${event.conclusion} in ${event.durationMs} ms\n`);
        break;
      default:
        break;
    }
  };

  const close = () =>
    Promise.all([
      ...[...streams.values()].map((stream) => new Promise<void>((resolve) => stream.end(resolve))),
      ...ending,
    ]).then(() => {
      streams.clear();
      last = undefined;
    });

  return { listener, close };
}
