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

export function createFileSink(logDir: string): FileSink {
  const jobFolders = new Map<JobKey, string>();
  const streams = new Map<string, WriteStream>();

  const streamFor = (job: JobKey, step: number | null, stepName?: string): WriteStream | undefined => {
    const folder = jobFolders.get(job);
    if (!folder) return undefined;
    const key = `${job}|${step ?? 'job'}`;
    let stream = streams.get(key);
    if (!stream) {
      const file = step === null ? 'job.log' : `${String(step + 1).padStart(2, '0')}-${slug(stepName ?? `step ${step + 1}`)}.log`;
      stream = createWriteStream(path.join(folder, file), { flags: 'a' });
      streams.set(key, stream);
    }
    return stream;
  };

  const closeStream = (key: string) => {
    streams.get(key)?.end();
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
        streamFor(event.job, event.step, event.name)?.write(`${new Date(event.at).toISOString()} ▶ ${event.name}\n`);
        break;
      case 'log':
        streamFor(event.job, event.step)?.write(`${new Date(event.at).toISOString()} ${event.line}\n`);
        break;
      case 'group':
        streamFor(event.job, event.step)?.write(event.action === 'start' ? `##[group]${event.title ?? ''}\n` : '##[endgroup]\n');
        break;
      case 'annotation':
        streamFor(event.job, event.step)?.write(`##[${event.annotation.level}]${event.annotation.message}\n`);
        break;
      case 'step-finished':
        streamFor(event.job, event.step, event.name)?.write(`${new Date(event.at).toISOString()} ◀ ${event.conclusion} (outcome ${event.outcome}, ${event.durationMs} ms)\n`);
        closeStream(`${event.job}|${event.step}`);
        break;
      case 'job-finished':
        streamFor(event.job, null)?.write(`${new Date(event.at).toISOString()} job ${event.conclusion} in ${event.durationMs} ms\n`);
        break;
      default:
        break;
    }
  };

  const close = () =>
    Promise.all(
      [...streams.values()].map((stream) => new Promise<void>((resolve) => stream.end(resolve))),
    ).then(() => streams.clear());

  return { listener, close };
}
