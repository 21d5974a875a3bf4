// A throwaway PostgreSQL cluster for the benchmark: the server tests' helper (initdb + pg_ctl on a
// loopback port), plus a clean-up that also holds when the benchmark is interrupted (Ctrl-C ends
// the process through 'exit', where nothing asynchronous runs): the postmaster gets SIGQUIT
// (immediate shutdown) and its folder is removed.

import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.ts';

const open = new Map<TestPostgres, string>();
process.on('exit', () => {
  for (const dataDir of open.values()) {
    try {
      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // already stopped
    }
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
});

export async function throwawayPostgres(): Promise<TestPostgres> {
  const cluster = await startPostgres();
  const client = new pg.Client({ connectionString: cluster.url });
  try {
    await client.connect();
    const { rows } = await client.query<{ data_directory: string }>('show data_directory');
    open.set(cluster, rows[0]!.data_directory);
  } catch (error) {
    await cluster.stop();
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  return {
    url: cluster.url,
    async stop() {
      open.delete(cluster);
      await cluster.stop();
    },
  };
}
