// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder and pg_ctl on a free
// loopback port. As root, the server runs as Debian's `postgres` account.

import { execFile } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { systemUser, runningAsRoot } from '../../src/services/users.ts';
import { which } from '../../src/executors/which.ts';

const run = promisify(execFile);

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function binDirectory(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    if (existsSync(path.join(root, version, 'bin', 'pg_ctl'))) return path.join(root, version, 'bin');
  }
  const onPath = which('pg_ctl');
  if (onPath && existsSync(path.join(path.dirname(onPath), 'initdb'))) return path.dirname(onPath);
  throw new Error('PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDirectory();
  const dir = await mkdtemp(path.join(tmpdir(), 'gantry-pg-'));
  const account = runningAsRoot() ? systemUser('postgres') : undefined;
  if (runningAsRoot() && !account) throw new Error('running as root needs the postgres account (apt-get install postgresql)');
  const owner = account ? { uid: account.uid, gid: account.gid } : {};
  if (account) chownSync(dir, account.uid, account.gid);
  const data = path.join(dir, 'data');
  const options = { ...owner, cwd: dir, env: { ...process.env, LC_ALL: 'C' } };
  await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'gantry', '--auth=trust', '-E', 'UTF8', '--no-sync'], options);
  const port = await freePort();
  await run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start'], options);
  await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'gantry', 'gantry'], options);
  return {
    url: `postgres://gantry@127.0.0.1:${port}/gantry`,
    async stop() {
      await run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], options).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
