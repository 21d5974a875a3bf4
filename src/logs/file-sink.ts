// Every step's full log, kept under the run's folder:
// <logDir>/<workflow file stem>/<job name>/<NN>-<step name>.log, plus the job's
// own lines (set-up, errors before any step) in <job name>/job.log.

import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { EngineEvent, EngineListener, JobKey } from '../engine/events.ts';

const slug = (text: string) => text.replace(/[^\w.()-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'unnamed';

export interface FileSink {
  listener: EngineListener;
  /** Resolves once every file is flushed and closed. */
  close(): Promise<void>;
}

/** Lines are gathered and written in chunks of this size (or after FLUSH_MS), not one write per line. */
const CHUNK_CHARS = 64 * 1024;
const FLUSH_MS = 200;

/** A log file written in chunks. */
class LogFile {
  private readonly stream: WriteStream;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string) {
    this.stream = createWriteStream(file, { flags: 'a' });
  }

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  end(done?: () => void): void {
    this.flush();
    this.stream.end(done);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === '') return;
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
  const jobFolders = new Map<JobKey, string>();
  const streams = new Map<string, LogFile>();
  const iso = timestamps();

  // A busy step sends line after line to the same file: the last one is kept at hand.
  let last: { job: JobKey; step: number | null; file: LogFile } | undefined;
  const streamFor = (job: JobKey, step: number | null, stepName?: string): LogFile | undefined => {
    if (last !== undefined && last.job === job && last.step === step) return last.file;
    const folder = jobFolders.get(job);
    if (!folder) return undefined;
    const key = `${job}|${step ?? 'job'}`;
    let stream = streams.get(key);
    if (!stream) {
      const file = step === null ? 'job.log' : `${String(step + 1).padStart(2, '0')}-${slug(stepName ?? `step ${step + 1}`)}.log`;
      stream = new LogFile(path.join(folder, file));
      streams.set(key, stream);
    }
    last = { job, step, file: stream };
    return stream;
  };

  const closeStream = (key: string) => {
    const stream = streams.get(key);
    if (stream === undefined) return;
    if (stream === last?.file) last = undefined;
    stream.end();
    streams.delete(key);
  };

  const listener = (event: EngineEvent) => {
    switch (event.type) {
      case 'job-queued': {
        const folder = path.join(logDir, slug(path.basename(event.workflowFile).replace(/\.ya?ml$/, '')), slug(event.name));
        mkdirSync(folder, { recursive: true });
        jobFolders.set(event.job, folder);
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
    Promise.all(
      [...streams.values()].map((stream) => new Promise<void>((resolve) => stream.end(resolve))),
    ).then(() => {
      streams.clear();
      last = undefined;
    });

  return { listener, close };
}
