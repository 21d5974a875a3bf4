// Builds the web UI (web/dist) when it is missing or older than its sources, once for all test processes:
// `npm test` on a clean clone runs the browser tests against a fresh build.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
export const webDist = path.join(root, 'web', 'dist');

function newestSource(): number {
  let newest = 0;
  const visit = (entry: string) => {
    const stats = statSync(entry);
    if (stats.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
    else newest = Math.max(newest, stats.mtimeMs);
  };
  for (const entry of ['web/src', 'web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'package-lock.json']) {
    if (existsSync(path.join(root, entry))) visit(path.join(root, entry));
  }
  return newest;
}

function isFresh(): boolean {
  const index = path.join(webDist, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestSource();
}

async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `vite build` unless web/dist is up to date; a lock folder keeps parallel test files from racing. */
export async function ensureWebBuilt(): Promise<string> {
  if (isFresh()) return webDist;
  const lock = path.join(root, 'web', '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process builds; a lock older than five minutes belongs to a process that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      await sleep(250);
      if (isFresh()) return webDist;
    }
  }
  try {
    if (!isFresh()) {
      await run(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return webDist;
}
