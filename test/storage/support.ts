// A runtime server (cache + artifacts) in temporary folders, and the environment
// a job's step would see, so the npm toolkit clients can be used in this process.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRuntimeServer, type RuntimeServer } from '../../src/storage/runtime-server.ts';
import type { CacheScope } from '../../src/storage/runtime-token.ts';

export interface TestServer {
  server: RuntimeServer;
  root: string;
  cacheDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(options: { cacheMaxBytes?: number; cacheDir?: string } = {}): Promise<TestServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'gantry-storage-'));
  const cacheDir = options.cacheDir ?? path.join(root, 'cache');
  const server = await startRuntimeServer({ cacheDir, artifactsDir: path.join(root, 'artifacts'), cacheMaxBytes: options.cacheMaxBytes });
  return {
    server,
    root,
    cacheDir,
    stop: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

const saved: Record<string, string | undefined> = {};

/** Sets the variables a step would get for a job of `runBackendId`; returns the job's ids. */
export async function actAsJob(server: RuntimeServer, runBackendId: string, workspace: string, scopes: CacheScope[]) {
  const job = await server.jobToken(runBackendId, scopes);
  const env: Record<string, string> = {
    ACTIONS_CACHE_URL: server.url,
    ACTIONS_RESULTS_URL: server.url,
    ACTIONS_RUNTIME_URL: server.url,
    ACTIONS_RUNTIME_TOKEN: job.token,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: path.join(workspace, '.runner-temp'),
  };
  for (const [name, value] of Object.entries(env)) {
    if (!(name in saved)) saved[name] = process.env[name];
    process.env[name] = value;
  }
  delete process.env.ACTIONS_CACHE_SERVICE_V2;
  // The toolkit resolves cache paths against the working directory, a step's workspace.
  process.chdir(workspace);
  await mkdir(env.RUNNER_TEMP!, { recursive: true });
  return job;
}

export function restoreEnvironment(): void {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
    delete saved[name];
  }
}

export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
}

export const branch = (name: string, permission: 1 | 3 = 3): CacheScope => ({ scope: `refs/heads/${name}`, permission });
