// `gantry serve`: the CI/CD server, until SIGINT/SIGTERM.

import path from 'node:path';
import { homedir } from 'node:os';
import type { CommandIO } from './io.ts';
import { UsageError } from './io.ts';

export interface ServeCommandOptions {
  port: string;
  host: string;
  dataDir?: string;
  databaseUrl?: string;
  slots: string;
  actionsUrl?: string;
  offline: boolean;
}

/** Variables that unlock the server: read at start, then removed from the environment jobs inherit. */
const SERVER_SECRETS = ['GANTRY_SECRET_KEY', 'GANTRY_ADMIN_TOKEN', 'DATABASE_URL', 'GANTRY_TOKEN'];

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} expects a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export async function serveCommand(options: ServeCommandOptions, io: CommandIO): Promise<number> {
  const { startServer } = await import('../server/serve.ts');
  const { DatabaseError } = await import('../storage/db/database.ts');
  const { SecretKeyError } = await import('../storage/db/secret-key.ts');
  const dataDir = path.resolve(options.dataDir ?? process.env.GANTRY_DATA_DIR ?? path.join(homedir(), '.gantry', 'server'));
  const env = { ...process.env };
  // Steps inherit the server's environment: what unlocks the server must not reach them.
  for (const name of SERVER_SECRETS) delete process.env[name];
  let server;
  try {
    server = await startServer({
      port: wholeNumber(options.port, '--port', 0, 65535),
      host: options.host,
      dataDir,
      ...((options.databaseUrl ?? env.DATABASE_URL) ? { databaseUrl: options.databaseUrl ?? env.DATABASE_URL } : {}),
      slots: wholeNumber(options.slots, '--slots', 1, 1024),
      env,
      announce: (line) => io.err(`${line}\n`),
      ...(options.actionsUrl ? { actionsUrl: options.actionsUrl } : {}),
      offline: options.offline,
    });
  } catch (error) {
    if (error instanceof DatabaseError || error instanceof SecretKeyError) throw new UsageError(error.message);
    throw error;
  }
  io.err(`gantry: serving on ${server.url} (data in ${dataDir})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
