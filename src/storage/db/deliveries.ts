// Webhook deliveries, every one recorded (accepted or not), and commit statuses by commit.

import type { Db } from './database.ts';
import type { CommitStatusRecord, DeliveryRecord } from './records.ts';
import { now } from './time.ts';

export type NewDelivery = Omit<DeliveryRecord, 'id' | 'receivedAt'>;

export class DeliveryStore {
  constructor(private readonly db: Db) {}

  async record(delivery: NewDelivery): Promise<number> {
    const row = await this.db
      .insertInto('webhookDeliveries')
      .values({ ...delivery, runIds: JSON.stringify(delivery.runIds), receivedAt: now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** True when a delivery with this id was already accepted or ignored (a replay). */
  async seen(provider: string, deliveryId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhookDeliveries')
      .select('id')
      .where('provider', '=', provider)
      .where('deliveryId', '=', deliveryId)
      .where('result', 'in', ['accepted', 'ignored'])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async list(limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db.selectFrom('webhookDeliveries').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => ({ ...row, result: row.result as DeliveryRecord['result'], runIds: JSON.parse(row.runIds) as number[] }));
  }
}

export class StatusStore {
  constructor(private readonly db: Db) {}

  async set(repoId: number, sha: string, status: Omit<CommitStatusRecord, 'updatedAt'>): Promise<void> {
    const at = now();
    await this.db
      .insertInto('commitStatuses')
      .values({ repoId, sha, ...status, updatedAt: at })
      .onConflict((oc) => oc.columns(['repoId', 'sha', 'context']).doUpdateSet({ state: status.state, runId: status.runId, description: status.description, updatedAt: at }))
      .execute();
  }

  async forCommit(repoId: number, sha: string): Promise<CommitStatusRecord[]> {
    const rows = await this.db
      .selectFrom('commitStatuses')
      .select(['context', 'state', 'runId', 'description', 'updatedAt'])
      .where('repoId', '=', repoId)
      .where('sha', 'like', `${sha}%`)
      .orderBy('context')
      .execute();
    return rows.map((row) => ({ ...row, state: row.state as CommitStatusRecord['state'] }));
  }
}

export class ScheduleStore {
  constructor(private readonly db: Db) {}

  async lastTick(repoId: number, workflowFile: string, cron: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('schedules').select('lastTick').where('repoId', '=', repoId).where('workflowFile', '=', workflowFile).where('cron', '=', cron).executeTakeFirst();
    return row?.lastTick;
  }

  async setLastTick(repoId: number, workflowFile: string, cron: string, tick: string): Promise<void> {
    await this.db
      .insertInto('schedules')
      .values({ repoId, workflowFile, cron, lastTick: tick })
      .onConflict((oc) => oc.columns(['repoId', 'workflowFile', 'cron']).doUpdateSet({ lastTick: tick }))
      .execute();
  }
}

export class MetaStore {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }
}
