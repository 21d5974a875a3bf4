// Small pieces the recipes share.
import { spawnSync } from 'node:child_process';
import { chown, chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeExit, runCommand } from '../processes.ts';
import { ServiceError } from '../types.ts';
import type { SystemUser } from '../users.ts';
import type { NativeInstance } from './recipe.ts';

const fallbackPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What a server or command of ours starts with (in UTC, as containers run); the service's own env goes on top. */
export function baseEnvironment(home: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? fallbackPath, HOME: home, TZ: 'UTC' };
  for (const name of ['LANG', 'LC_ALL', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Runs a setup step (initdb, createdb); its output joins the service's log; failing is an error. */
export async function runSetupStep(
  instance: NativeInstance,
  argv: string[],
  options: { env: Record<string, string>; runAs?: SystemUser; cwd?: string; timeoutMs?: number },
): Promise<void> {
  const program = path.basename(argv[0] ?? '');
  const result = await runCommand({
    argv,
    env: options.env,
    cwd: options.cwd ?? instance.directory,
    ...(options.runAs === undefined ? {} : { runAs: options.runAs }),
    timeoutMs: options.timeoutMs ?? 60_000,
    signal: instance.signal,
    onLine: instance.output,
  });
  if (result.timedOut) throw new ServiceError(`${program} did not finish within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`);
  if (result.exit.code !== 0) throw new ServiceError(`${program} ${describeExit(result.exit)}`);
}

/** Makes `directory` (and what is in it) belong to `user`, so a server running as that user can use it. */
export async function giveTo(user: SystemUser, directory: string): Promise<void> {
  await chown(directory, user.uid, user.gid);
  for (const entry of await readdir(directory, { withFileTypes: true, recursive: true })) {
    await chown(path.join(entry.parentPath, entry.name), user.uid, user.gid);
  }
}

/** A folder holding `name`, a script that runs `target` with `leadingArgs` before the caller's. */
export async function writeWrapper(folder: string, name: string, target: string, leadingArgs: string[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, name);
  const command = [target, ...leadingArgs].map(shellQuote).join(' ');
  await writeFile(file, `#!/bin/sh\nexec ${command} "$@"\n`);
  await chmod(file, 0o755);
}

export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The first line a program prints for `--version`, or undefined when it cannot run. */
export function versionOf(program: string, flag = '--version'): string | undefined {
  const result = spawnSync(program, [flag], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.split('\n')[0]?.trim();
}

/** The leading number of an image tag: 15 for `15`, `15.4-alpine`, `15-bookworm`; undefined for `latest`. */
export function tagMajorVersion(tag: string | undefined): number | undefined {
  const match = /^(\d+)/.exec(tag ?? '');
  return match === null ? undefined : Number(match[1]);
}
