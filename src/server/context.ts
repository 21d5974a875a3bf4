// What every route is given.

import type { Logger } from 'pino';
import type { ArtifactStore } from '../storage/artifacts/artifact-store.ts';
import type { Store } from '../storage/db/store.ts';
import type { ChangeBus } from './bus.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RepoSources } from './repo-source.ts';
import type { RunQueue } from './run-queue.ts';

export interface ServerContext {
  store: Store;
  queue: RunQueue;
  dispatcher: Dispatcher;
  bus: ChangeBus;
  metrics: ServerMetrics;
  sources: RepoSources;
  logger: Logger;
  /** The artifacts runs uploaded, by run id (the runs' runtime services write them). */
  artifacts: ArtifactStore;
  /** Webhook bodies larger than this are refused (GitHub caps payloads at 25 MB). */
  webhookMaxBytes: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every error the API answers: `{error: {code, message}}` (docs/server-api.md). */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

export const errorBody = (code: string, message: string): ApiErrorBody => ({ error: { code, message } });

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} does not exist`);
