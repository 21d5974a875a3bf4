// A real `gantry serve` as a child process (bin/gantry.js, as a user starts it) on a loopback
// port, with its own data folder, admin token and secret key; its resident memory read from
// /proc; and a bearer-token client for its API.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gantryBin, repoRoot } from './process.ts';

export interface ServeOptions {
  dataDir: string;
  /** postgres://... ; without it, SQLite in the data folder. */
  databaseUrl?: string;
  slots: number;
  adminToken: string;
  /** GANTRY_SECRET_KEY (64 hex digits), so that the benchmark can open the same store. */
  secretKey: string;
}

export interface GantryServe {
  url: string;
  pid: number;
  /** Milliseconds from spawn to "serving on". */
  startMs: number;
  api<T>(method: string, route: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// SIGTERM, not SIGKILL: a server that is told to stop stops the jobs it runs (the holding runs'
// `sleep` among them); killed outright it would leave them behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

export function newSecretKey(): string {
  return randomBytes(32).toString('hex');
}

export function newAdminToken(): string {
  return `bench-${randomBytes(16).toString('hex')}`;
}

/**
 * Starts `gantry serve --port 0`, resolves once it says where it serves. Its pino log (stdout) goes
 * to /dev/null: it is written, as in production, but not read by the benchmark's process.
 */
export function startGantryServe(options: ServeOptions): Promise<GantryServe> {
  const args = [gantryBin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', options.dataDir, '--slots', String(options.slots), '--offline'];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, GANTRY_ADMIN_TOKEN: options.adminToken, GANTRY_SECRET_KEY: options.secretKey, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      running.delete(child);
      reject(new Error(`gantry serve exited with ${code ?? signal} before serving:\n${stderr}`));
    };
    child.once('exit', onExit);
    child.once('error', reject);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8192);
      const match = /serving on (http:\/\/\S+)/.exec(stderr);
      if (!match) return;
      child.off('exit', onExit);
      child.stderr!.removeAllListeners('data');
      child.stderr!.resume();
      const url = match[1]!;
      resolve({
        url,
        pid: child.pid!,
        startMs: performance.now() - started,
        api: (method, route, body) => apiCall(url, options.adminToken, method, route, body),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            await exited;
            clearTimeout(timer);
          }
          running.delete(child);
        },
      });
    });
  });
}

async function apiCall<T>(url: string, token: string, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface Memory {
  /** Resident set size now (VmRSS), KiB. */
  rssKiB: number;
  /** The highest resident set size so far (VmHWM), KiB. */
  peakKiB: number;
}

/** A process's resident memory from /proc/<pid>/status (Linux). */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]);
  };
  return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM') };
}

/**
 * The resident memory of a bare `node -e` that only waits: what any Node process costs here. With
 * `tsx`, the same after registering the tsx loader as bin/gantry.js does (what the loader costs).
 */
export async function bareNodeMemory(options: { tsx?: boolean } = {}): Promise<Memory> {
  const wait = 'setTimeout(() => {}, 60_000)';
  const args = options.tsx ? ['--input-type=module', '-e', `import { register } from 'tsx/esm/api'; register(); ${wait}`] : ['-e', wait];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'ignore' });
  running.add(child);
  try {
    await new Promise((resolve) => setTimeout(resolve, options.tsx ? 1500 : 500));
    return memoryOf(child.pid!);
  } finally {
    child.kill('SIGKILL');
    running.delete(child);
  }
}
