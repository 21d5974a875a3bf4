// Every step's full log, kept under the run's folder:
// <logDir>/<workflow file stem>/<job name>/<NN>-<step name>.log, plus the job's
// own lines (set-up, errors before any step) in <job name>/job.log.

import path from 'node:path';
import type { EngineEvent, EngineListener, JobKey } from '../engine/events.ts';
import { LogWriter } from './log-writer.ts';

const slug = (text: string) => text.replace(/[^\w.()-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'unnamed';

export interface FileSink {
  listener: EngineListener;
  /**
   * Resolves once every file, those of finished steps included, is written and closed, to the files
   * that could not be written, with why.
   */
  close(): Promise<string[]>;
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
  const writer = new LogWriter(logDir);
  const jobFolders = new Map<JobKey, string>();
  const files = new Map<string, string>();
  const iso = timestamps();

  const fileKey = (job: JobKey, step: number | null) => `${job}|${step ?? 'job'}`;
  // A busy step sends line after line to the same file: the last one is kept at hand.
  let last: { job: JobKey; step: number | null; file: string } | undefined;
  const fileFor = (job: JobKey, step: number | null, stepName?: string): string | undefined => {
    if (last !== undefined && last.job === job && last.step === step) return last.file;
    const jobFolder = jobFolders.get(job);
    if (jobFolder === undefined) return undefined;
    const key = fileKey(job, step);
    let file = files.get(key);
    if (file === undefined) {
      file = path.join(jobFolder, step === null ? 'job.log' : `${String(step + 1).padStart(2, '0')}-${slug(stepName ?? `step ${step + 1}`)}.log`);
      files.set(key, file);
    }
    last = { job, step, file };
    return file;
  };
  const write = (job: JobKey, step: number | null, text: string, stepName?: string) => {
    const file = fileFor(job, step, stepName);
    if (file !== undefined) writer.write(file, text);
  };
  const end = (job: JobKey, step: number | null) => {
    const key = fileKey(job, step);
    const file = files.get(key);
    if (file === undefined) return;
    if (file === last?.file) last = undefined;
    writer.end(file);
    files.delete(key);
  };

  const listener = (event: EngineEvent) => {
    switch (event.type) {
      case 'job-queued':
        jobFolders.set(event.job, path.join(writer.root, slug(path.basename(event.workflowFile).replace(/\.ya?ml$/, '')), slug(event.name)));
        break;
      case 'step-started':
        write(event.job, event.step, `${iso(event.at)} ▶ ${event.name}\n`, event.name);
        break;
      case 'log':
        write(event.job, event.step, `${iso(event.at)} ${event.line}\n`);
        break;
      case 'group':
        write(event.job, event.step, event.action === 'start' ? `##[group]${event.title ?? ''}\n` : '##[endgroup]\n');
        break;
      case 'annotation':
        write(event.job, event.step, `##[${event.annotation.level}]${event.annotation.message}\n`);
        break;
      case 'step-finished':
        write(event.job, event.step, `${iso(event.at)} ◀ ${event.conclusion} (outcome ${event.outcome}, ${event.durationMs} ms)\n`, event.name);
        end(event.job, event.step);
        break;
      case 'job-finished':
        write(event.job, null, `${iso(event.at)} job ${event.conclusion} in ${event.durationMs} ms\n`);
        end(event.job, null);
        break;
      default:
        break;
    }
  };

  const close = () => {
    files.clear();
    last = undefined;
    return writer.close();
  };

  return { listener, close };
}
