// The runtime services of one `gantry run`: the cache and artifact server from
// storage/, and each job's ACTIONS_* variables with a token scoped to its refs.

import type { RuntimeServices } from '../engine/types.ts';
import { startRuntimeServer } from '../storage/runtime-server.ts';

export interface RunRuntime extends RuntimeServices {
  close(): Promise<void>;
}

export async function startRunRuntime(options: { cacheDir?: string; artifactsDir: string }): Promise<RunRuntime> {
  const server = await startRuntimeServer({ artifactsDir: options.artifactsDir, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
  const runBackendId = server.newRun();
  return {
    jobEnvironment: async (job) => {
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
    close: () => server.close(),
  };
}
