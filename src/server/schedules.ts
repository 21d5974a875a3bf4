// `on.schedule`: once a minute (a croner job) each repository's default branch is read and every
// schedule that fired since its last tick queues one run. Ticks missed while the server was down
// are not replayed in a burst: at most one run per schedule per check.

import { Cron } from 'croner';
import type { Logger } from 'pino';
import { buildScheduleEvent } from '../plan/events/index.ts';
import { dueSchedules } from '../plan/triggers/index.ts';
import type { RepoRecord } from '../storage/db/records.ts';
import type { Store } from '../storage/db/store.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { RepoSources } from './repo-source.ts';
import type { RunQueue } from './run-queue.ts';

export class ScheduleTicker {
  private job: Cron | undefined;
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly sources: RepoSources,
    private readonly queue: RunQueue,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.job = new Cron('* * * * *', { timezone: 'Etc/UTC', unref: true }, () => void this.check());
  }

  stop(): void {
    this.job?.stop();
  }

  /** Queues what fired in (last tick, now]; a schedule seen for the first time starts counting now. */
  async check(now = new Date()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let queued = 0;
    try {
      for (const repo of await this.store.repos.list()) {
        queued += await this.checkRepo(repo, now).catch((error: unknown) => {
          this.logger.warn({ err: error, repo: repo.name }, 'reading schedules failed');
          return 0;
        });
      }
    } finally {
      this.running = false;
    }
    if (queued > 0) this.dispatcher.wake();
    return queued;
  }

  private async checkRepo(repo: RepoRecord, now: Date): Promise<number> {
    let queued = 0;
    const due: { file: string; cron: string }[] = [];
    for (const input of await this.sources.workflowsAt(repo, `refs/heads/${repo.defaultBranch}`)) {
      const workflow = input.workflow;
      if (!workflow) continue;
      const crons = new Set(workflow.triggers.filter((t) => t.event === 'schedule').flatMap((t) => (t.schedules ?? []).map((s) => s.cron)));
      for (const cron of crons) {
        const last = await this.store.schedules.lastTick(repo.id, input.file, cron);
        await this.store.schedules.setLastTick(repo.id, input.file, cron, now.toISOString());
        if (last === undefined) continue;
        const fired = dueSchedules({ ...workflow, triggers: workflow.triggers.map((t) => (t.event === 'schedule' ? { ...t, schedules: (t.schedules ?? []).filter((s) => s.cron === cron) } : t)) }, new Date(last), now);
        if (fired.length > 0) due.push({ file: input.file, cron });
      }
    }
    for (const { file, cron } of due) {
      const runs = await this.queue.enqueueFrom(repo, (dir) => buildScheduleEvent(dir, { cron }), { actor: 'schedule', workflowFile: file });
      queued += runs.length;
    }
    return queued;
  }
}
