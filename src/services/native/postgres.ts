// `postgres` as the host's PostgreSQL: a throwaway cluster made by initdb, set up as the official
// image's entrypoint does (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, POSTGRES_HOST_AUTH_METHOD,
// POSTGRES_INITDB_ARGS), run in the foreground so that we own the server process.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout } from 'node:timers/promises';
import path from 'node:path';
import { which } from '../../executors/which.ts';
import { runCommand } from '../processes.ts';
import { ServiceError } from '../types.ts';
import { runningAsRoot, systemUser, type SystemUser } from '../users.ts';
import type { NativeInstallation, NativeInstance, NativeLaunch, NativeRecipe } from './recipe.ts';
import { baseEnvironment, giveTo, runSetupStep, tagMajorVersion, versionOf } from './support.ts';

export const postgresRecipe: NativeRecipe = {
  image: 'postgres',
  containerPort: 5432,
  locate() {
    const binDirectory = serverBinDirectory();
    if (binDirectory === undefined) {
      return { missing: "PostgreSQL's server programs (initdb, postgres) are not installed: apt-get install postgresql" };
    }
    const version = versionOf(path.join(binDirectory, 'postgres')) ?? '';
    const major = Number(/(\d+)(?:\.\d+)?/.exec(version)?.[1] ?? 0);
    return new PostgresInstallation(binDirectory, major, version.replace(/^postgres \(PostgreSQL\) /, 'PostgreSQL '));
  },
};

/** The image's locale; a machine without it generated gets C.UTF-8, which sorts text by code point. */
const imageLocale = 'en_US.utf8';

interface ClusterSettings {
  user: string;
  password: string;
  database: string;
  hostAuthMethod: string;
}

class PostgresInstallation implements NativeInstallation {
  constructor(
    private readonly binDirectory: string,
    private readonly major: number,
    readonly description: string,
  ) {}

  async prepare(instance: NativeInstance): Promise<NativeLaunch> {
    const settings = this.settings(instance);
    this.warnAboutVersion(instance);
    const runAs = serverAccount();
    const dataDirectory = path.join(instance.directory, 'data');
    const socketDirectory = path.join(instance.directory, 'socket');
    const passwordFile = path.join(instance.directory, 'password');
    await mkdir(socketDirectory, { recursive: true });
    await writeFile(passwordFile, `${settings.password}\n`, { mode: 0o600 });
    if (runAs !== undefined) await giveTo(runAs, instance.directory);

    const env = { ...baseEnvironment(runAs?.home ?? process.env.HOME ?? '/'), ...instance.env, LANG: this.locale(instance) };
    await runSetupStep(instance, this.initdbArguments(instance, settings, dataDirectory, passwordFile), { env, ...(runAs === undefined ? {} : { runAs }) });
    const argv = [
      path.join(this.binDirectory, 'postgres'),
      ...['-D', dataDirectory, '-p', String(instance.port), '-k', socketDirectory],
      ...['-c', `listen_addresses=${instance.host}`],
      // The cluster is thrown away with the job: there is nothing to make durable.
      ...['-c', 'fsync=off'],
    ];
    return { argv, env, ...(runAs === undefined ? {} : { runAs }), stopSignal: 'SIGINT' };
  }

  async afterListening(instance: NativeInstance): Promise<void> {
    const { user, database } = this.settings(instance);
    if (database === 'postgres') return;
    const socketDirectory = path.join(instance.directory, 'socket');
    const createdb = this.program('createdb');
    const env = { ...baseEnvironment(process.env.HOME ?? '/'), PGHOST: socketDirectory, PGPORT: String(instance.port), PGUSER: user };
    await this.untilAcceptingConnections(instance, env);
    await runSetupStep(instance, [createdb, '--', database], { env });
  }

  /**
   * The port listens a moment before the server takes connections ("the database system is
   * starting up"); pg_isready says when it does.
   */
  private async untilAcceptingConnections(instance: NativeInstance, env: Record<string, string>): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const result = await runCommand({ argv: [this.program('pg_isready'), '--quiet'], env, cwd: instance.directory, timeoutMs: 10_000, signal: instance.signal, onLine: () => undefined });
      if (result.exit.code === 0) return;
      if (Date.now() > deadline) throw new ServiceError('PostgreSQL did not accept connections within 60 s of listening');
      await setTimeout(100, undefined, { signal: instance.signal });
    }
  }

  async healthEnvironment(instance: NativeInstance): Promise<{ env: Record<string, string>; path: string[] }> {
    const { user, password, database } = this.settings(instance);
    const env = { PGHOST: instance.host, PGPORT: String(instance.port), PGUSER: user, PGPASSWORD: password, PGDATABASE: database };
    return { env, path: [this.binDirectory] };
  }

  private settings(instance: NativeInstance): ClusterSettings {
    const user = instance.env.POSTGRES_USER || 'postgres';
    const password = instance.env.POSTGRES_PASSWORD ?? '';
    const hostAuthMethod = instance.env.POSTGRES_HOST_AUTH_METHOD || (this.major >= 14 ? 'scram-sha-256' : 'md5');
    if (password === '' && hostAuthMethod !== 'trust') {
      throw new ServiceError(
        'the postgres image refuses to start without a superuser password: set POSTGRES_PASSWORD in the service\'s env (or POSTGRES_HOST_AUTH_METHOD: trust to allow connections without one)',
      );
    }
    return { user, password, database: instance.env.POSTGRES_DB || user, hostAuthMethod };
  }

  private initdbArguments(instance: NativeInstance, settings: ClusterSettings, dataDirectory: string, passwordFile: string): string[] {
    const extra = (instance.env.POSTGRES_INITDB_ARGS ?? '').split(/\s+/).filter(Boolean);
    return [
      path.join(this.binDirectory, 'initdb'),
      ...['-D', dataDirectory, '--username', settings.user, `--pwfile=${passwordFile}`],
      ...['--auth-local=trust', `--auth-host=${settings.hostAuthMethod}`],
      '--no-sync',
      ...extra,
    ];
  }

  private locale(instance: NativeInstance): string {
    if (instance.env.LANG !== undefined) return instance.env.LANG;
    if (localeAvailable(imageLocale)) return imageLocale;
    instance.say(`PostgreSQL uses the locale C.UTF-8: this machine has not generated ${imageLocale}, the image's locale, so text sorts by code point`);
    return 'C.UTF-8';
  }

  private warnAboutVersion(instance: NativeInstance): void {
    const wanted = tagMajorVersion(instance.tag);
    if (wanted !== undefined && wanted !== this.major) {
      instance.warn(`${instance.image} asks for PostgreSQL ${wanted}, but this machine has PostgreSQL ${this.major}, which runs instead`);
    }
  }

  private program(name: string): string {
    const beside = path.join(this.binDirectory, name);
    return existsSync(beside) ? beside : (which(name) ?? name);
  }
}

/** The newest /usr/lib/postgresql/<version>/bin with a server, else the folder of `postgres` on PATH. */
function serverBinDirectory(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'postgres'))) return bin;
  }
  const initdb = which('initdb');
  const postgres = which('postgres');
  return initdb !== null && postgres !== null && path.dirname(initdb) === path.dirname(postgres) ? path.dirname(postgres) : undefined;
}

/** PostgreSQL refuses to run as root: then it runs as Debian's `postgres` account. */
function serverAccount(): SystemUser | undefined {
  if (!runningAsRoot()) return undefined;
  const account = systemUser('postgres');
  if (account === undefined) {
    throw new ServiceError('PostgreSQL refuses to run as root, and this machine has no postgres account to run it as: apt-get install postgresql creates one');
  }
  return account;
}

const availableLocales = new Map<string, boolean>();

function localeAvailable(name: string): boolean {
  let available = availableLocales.get(name);
  if (available === undefined) {
    const wanted = name.toLowerCase().replace(/-/g, '');
    const listed = spawnSync('locale', ['-a'], { encoding: 'utf8' }).stdout ?? '';
    available = listed.split('\n').some((line) => line.trim().toLowerCase().replace(/-/g, '') === wanted);
    availableLocales.set(name, available);
  }
  return available;
}
