// `gantry serve`: open the store, close what a crash left running, start the dispatcher, the
// schedules and the HTTP server.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import { loadSecretKey } from '../storage/db/secret-key.ts';
import { openStore, type Store } from '../storage/db/store.ts';
import { buildApp } from './app.ts';
import { ChangeBus } from './bus.ts';
import { artifactsFolder, Dispatcher } from './dispatcher.ts';
import { ArtifactStore } from '../storage/artifacts/artifact-store.ts';
import { ServerMetrics } from './metrics.ts';
import { RepoSources } from './repo-source.ts';
import { RunQueue } from './run-queue.ts';
import { ScheduleTicker } from './schedules.ts';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  slots: number;
  env: NodeJS.ProcessEnv;
  /** Where the first admin token is printed (once). */
  announce: (line: string) => void;
  /** pino's destination (default: stdout). */
  logDestination?: DestinationStream;
  logLevel?: string;
  actionsUrl?: string;
  offline?: boolean;
  webhookMaxBytes?: number;
  pollMs?: number;
  /** Check schedules every minute of the clock (default). Tests drive `schedules.check(now)` instead. */
  scheduleClock?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  dispatcher: Dispatcher;
  schedules: ScheduleTicker;
  url: string;
  close(): Promise<void>;
}

/** The first admin token: GANTRY_ADMIN_TOKEN, or a new one printed once. Only its hash is stored. */
async function ensureAdminToken(store: Store, env: NodeJS.ProcessEnv, announce: (line: string) => void): Promise<void> {
  if (await store.access.hasTokens()) return;
  const given = env.GANTRY_ADMIN_TOKEN;
  const { token } = await store.access.createToken('admin', 'admin', given || undefined);
  await store.access.audit('server', 'token.create', 'token/admin (first start)');
  if (!given) announce(`gantry: the admin token (shown only this once, keep it): ${token}`);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logger: Logger = pino(
    { level: options.logLevel ?? 'info', base: { service: 'gantry' }, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-gitlab-token"]'] },
    options.logDestination ?? pino.destination(1),
  );
  const key = loadSecretKey(options.env, dataDir);
  const store = await openStore(options.databaseUrl ? { url: options.databaseUrl } : { sqliteFile: path.join(dataDir, 'gantry.sqlite') }, key);
  await ensureAdminToken(store, options.env, options.announce);

  const bus = new ChangeBus();
  const metrics = new ServerMetrics(store);
  const sources = new RepoSources(dataDir);
  const queue = new RunQueue(store, sources, bus);
  const dispatcher = new Dispatcher({
    store, sources, queue, bus, metrics, logger, dataDir, slots: options.slots,
    ...(options.actionsUrl ? { actionsUrl: options.actionsUrl } : {}),
    offline: options.offline ?? false,
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  });
  const schedules = new ScheduleTicker(store, sources, queue, dispatcher, logger);
  const artifacts = new ArtifactStore(artifactsFolder(dataDir));
  const app = await buildApp({ store, queue, dispatcher, bus, metrics, sources, logger, artifacts, webhookMaxBytes: options.webhookMaxBytes ?? 25 * 1024 * 1024 });
  await dispatcher.start();
  if (options.scheduleClock !== false) schedules.start();
  const address = await app.listen({ port: options.port, host: options.host });
  logger.info({ address, dataDir, database: store.database.dialect, slots: options.slots }, 'gantry server listening');
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    dispatcher,
    schedules,
    url: address,
    close() {
      closing ??= (async () => {
        schedules.stop();
        await app.close();
        await dispatcher.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
