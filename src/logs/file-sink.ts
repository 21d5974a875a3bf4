// Every job's full log, kept under the run's folder: <logDir>/<workflow file stem>/<job name>.log,
// as GitHub's log archive has a file per job. It holds the job's own lines (set-up, errors before
// any step, its end) and each step's, from a ▶ line with the step's name to a ◀ line with its
// conclusion. One file per job, not one per step in a folder per job: on a disk where a new inode is
// slow (ext4 without a journal, after many removals: hundreds of µs each), a job's logs were three.

import path from 'node:path';
import type { EngineEvent, EngineListener, JobKey } from '../engine/events.ts';
import { LogWriter } from './log-writer.ts';

const slug = (text: string) => text.replace(/[^\w.()-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'unnamed';

export interface FileSink {
  listener: EngineListener;
  /**
   * Resolves once every file, those of finished jobs included, is written and closed, to the files
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
  const files = new Map<JobKey, string>();
  /** Files given to jobs: two jobs of a workflow may have the same name. */
  const taken = new Set<string>();
  const iso = timestamps();

  const fileFor = (workflowFile: string, name: string): string => {
    const stem = path.join(writer.root, slug(path.basename(workflowFile).replace(/\.ya?ml$/, '')), slug(name));
    let file = `${stem}.log`;
    for (let n = 2; taken.has(file); n++) file = `${stem}-${n}.log`;
    taken.add(file);
    return file;
  };
  const write = (job: JobKey, text: string) => {
    const file = files.get(job);
    if (file !== undefined) writer.write(file, text);
  };

  const listener = (event: EngineEvent) => {
    switch (event.type) {
      case 'job-queued':
        if (!files.has(event.job)) files.set(event.job, fileFor(event.workflowFile, event.name));
        break;
      case 'step-started':
        write(event.job, `${iso(event.at)} ▶ ${event.name}\n`);
        break;
      case 'log':
        write(event.job, `${iso(event.at)} ${event.line}\n`);
        break;
      case 'group':
        write(event.job, event.action === 'start' ? `##[group]${event.title ?? ''}\n` : '##[endgroup]\n');
        break;
      case 'annotation':
        write(event.job, `##[${event.annotation.level}]${event.annotation.message}\n`);
        break;
      case 'step-finished':
        write(event.job, `${iso(event.at)} ◀ ${event.conclusion} (outcome ${event.outcome}, ${event.durationMs} ms)\n`);
        break;
      case 'job-finished': {
        write(event.job, `${iso(event.at)} job ${event.conclusion} in ${event.durationMs} ms\n`);
        const file = files.get(event.job);
        if (file !== undefined) writer.end(file);
        break;
      }
      default:
        break;
    }
  };

  return { listener, close: () => writer.close() };
}
