// The runtime services of one run (`gantry run`, or one run of `gantry serve`): the cache and
// artifact server, started the first time a job needs it (a run whose steps use no
// action never starts it), and each job's ACTIONS_* variables with a token
// scoped to its refs.

import type { RuntimeServices } from '../engine/types.ts';
import { startRuntimeServer, type RuntimeServer } from './runtime-server.ts';

export interface RunRuntime extends RuntimeServices {
  close(): Promise<void>;
}

/** `runBackendId` names the run's artifacts in `artifactsDir` (a fresh id when absent). */
export function runRuntime(options: { cacheDir?: string; artifactsDir: string; runBackendId?: string }): RunRuntime {
  let started: Promise<{ server: RuntimeServer; runBackendId: string }> | undefined;
  const start = () =>
    (started ??= startRuntimeServer({ artifactsDir: options.artifactsDir, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) }).then(
      (server) => ({ server, runBackendId: options.runBackendId ?? server.newRun() }),
    ));
  return {
    jobEnvironment: async (job) => {
      const { server, runBackendId } = await start();
      const scopes = [{ scope: job.ref, permission: 3 as const }, ...job.readableRefs.map((scope) => ({ scope, permission: 1 as const }))];
      const { token } = await server.jobToken(runBackendId, scopes);
      return {
        ACTIONS_RUNTIME_URL: server.url,
        ACTIONS_RESULTS_URL: server.url,
        ACTIONS_CACHE_URL: server.url,
        ACTIONS_RUNTIME_TOKEN: token,
        // The v1 cache protocol is the one served; an inherited v2 switch would send clients elsewhere.
        ACTIONS_CACHE_SERVICE_V2: '',
      };
    },
    close: async () => {
      // A server that never started (its failure was reported to the job) has nothing to stop.
      const running = await started?.catch(() => undefined);
      await running?.server.close();
    },
  };
}
