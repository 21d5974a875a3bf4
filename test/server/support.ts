// A real gantry server on a loopback port for tests, with its pino output captured.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startServer, type RunningServer } from '../../src/server/serve.ts';

export interface TestServer extends RunningServer {
  adminToken: string;
  dataDir: string;
  logs: string[];
  /** `token` null sends no Authorization header. */
  api<T = unknown>(method: string, route: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T; text: string }>;
  waitForRun(id: number, predicate?: (run: { status: string; conclusion: string | null }) => boolean): Promise<{ status: string; conclusion: string | null }>;
  stop(): Promise<void>;
}

export async function startTestServer(options: { databaseUrl?: string; slots?: number; webhookMaxBytes?: number } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gantry-server-'));
  const adminToken = `admin-${randomBytes(12).toString('hex')}`;
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    slots: options.slots ?? 2,
    env: { GANTRY_ADMIN_TOKEN: adminToken },
    announce: () => undefined,
    logDestination: destination,
    offline: true,
    pollMs: 200,
    // The minute clock would race the schedule test's own times.
    scheduleClock: false,
    ...(options.webhookMaxBytes ? { webhookMaxBytes: options.webhookMaxBytes } : {}),
  });
  const api = async <T,>(method: string, route: string, body?: unknown, token: string | null = adminToken) => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // plain text
    }
    return { status: response.status, body: parsed as T, text };
  };
  const waitForRun = async (id: number, predicate: (run: { status: string; conclusion: string | null }) => boolean = (run) => run.status === 'completed') => {
    for (let i = 0; i < 1200; i++) {
      const { status, body } = await api<{ status: string; conclusion: string | null }>('GET', `/api/runs/${id}`);
      if (status === 200 && predicate(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${id} did not reach the expected state`);
  };
  return {
    ...server,
    adminToken,
    dataDir,
    logs,
    api: (method, route, body, token) => api(method, route, body, token === undefined ? adminToken : token),
    waitForRun,
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
