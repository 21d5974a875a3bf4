// The server's store: one database, every table behind a small store with one job.

import { openDatabase, type Database, type DatabaseLocation } from './database.ts';
import { AccessStore } from './access.ts';
import { DeliveryStore, MetaStore, ScheduleStore, StatusStore } from './deliveries.ts';
import { LogStore } from './logs.ts';
import { RepoStore } from './repos.ts';
import { RunStore } from './runs.ts';
import { keyCheckValue, keyMatches, SecretBox, SecretKeyError } from './secret-key.ts';
import { SecretStore, VariableStore } from './values.ts';

export class Store {
  readonly repos: RepoStore;
  readonly runs: RunStore;
  readonly logs: LogStore;
  readonly secrets: SecretStore;
  readonly variables: VariableStore;
  readonly access: AccessStore;
  readonly deliveries: DeliveryStore;
  readonly statuses: StatusStore;
  readonly schedules: ScheduleStore;
  readonly meta: MetaStore;

  constructor(
    readonly database: Database,
    box: SecretBox,
  ) {
    const db = database.db;
    this.repos = new RepoStore(db, box);
    this.runs = new RunStore(db);
    this.logs = new LogStore(db);
    this.secrets = new SecretStore(db, box);
    this.variables = new VariableStore(db);
    this.access = new AccessStore(db);
    this.deliveries = new DeliveryStore(db);
    this.statuses = new StatusStore(db);
    this.schedules = new ScheduleStore(db);
    this.meta = new MetaStore(db);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

/**
 * Opens and migrates the database, then checks that `key` is the key its secrets were sealed
 * with (recording it on first start).
 */
export async function openStore(location: DatabaseLocation, key: Buffer): Promise<Store> {
  const database = await openDatabase(location);
  const box = new SecretBox(key);
  const store = new Store(database, box);
  try {
    const check = await store.meta.get('secretKeyCheck');
    if (check === undefined) {
      await store.meta.set('secretKeyCheck', keyCheckValue(box));
    } else if (!keyMatches(box, check)) {
      throw new SecretKeyError(
        'the secret key (GANTRY_SECRET_KEY or secret.key in the data folder) is not the one this database\'s secrets were encrypted with; start with the original key',
      );
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return store;
}
