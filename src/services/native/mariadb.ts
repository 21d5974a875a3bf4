// `mariadb` (and `mysql`, approximated by MariaDB) as the host's MariaDB server in the foreground:
// a throwaway data folder made by mariadb-install-db, then the users and database that the image's
// entrypoint creates from its environment.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { which } from '../../executors/which.ts';
import { ServiceError } from '../types.ts';
import { runningAsRoot, systemUser, type SystemUser } from '../users.ts';
import type { NativeInstallation, NativeInstance, NativeLaunch, NativeRecipe } from './recipe.ts';
import { baseEnvironment, giveTo, runSetupStep, versionOf, writeWrapper } from './support.ts';

type Flavour = 'mariadb' | 'mysql';

export const mariadbRecipe = recipe('mariadb');
export const mysqlRecipe = recipe('mysql');

/** Client programs that health commands use; wrappers point them at this instance. */
const clients = ['mariadb', 'mariadb-admin', 'mysql', 'mysqladmin'];

function recipe(flavour: Flavour): NativeRecipe {
  return {
    image: flavour,
    containerPort: 3306,
    locate() {
      const server = findProgram('mariadbd') ?? findProgram('mysqld');
      const installDb = findProgram('mariadb-install-db') ?? findProgram('mysql_install_db');
      const client = findProgram('mariadb') ?? findProgram('mysql');
      if (server === undefined || installDb === undefined || client === undefined) {
        return { missing: 'the MariaDB server is not installed: apt-get install mariadb-server' };
      }
      const version = /Ver (\S+?)-MariaDB/.exec(versionOf(server) ?? '')?.[1] ?? '';
      return new MariadbInstallation(flavour, { server, installDb, client }, `MariaDB ${version}`.trim());
    },
  };
}

interface Programs {
  server: string;
  installDb: string;
  client: string;
}

interface Accounts {
  rootPassword: string;
  database?: string;
  user?: { name: string; password: string };
}

class MariadbInstallation implements NativeInstallation {
  constructor(
    private readonly flavour: Flavour,
    private readonly programs: Programs,
    readonly description: string,
  ) {}

  async prepare(instance: NativeInstance): Promise<NativeLaunch> {
    this.accounts(instance);
    if (this.flavour === 'mysql') {
      instance.warn(`MySQL is not packaged by Debian: ${this.description} runs in place of ${instance.image} (compatible for most applications, not for MySQL-only features)`);
    }
    const runAs = serverAccount();
    if (runAs !== undefined) await giveTo(runAs, instance.directory);
    const env = { ...baseEnvironment(runAs?.home ?? process.env.HOME ?? '/'), ...instance.env };
    const { data, socket } = this.paths(instance);
    await runSetupStep(
      instance,
      [this.programs.installDb, '--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'],
      { env, ...(runAs === undefined ? {} : { runAs }) },
    );
    const argv = [
      this.programs.server,
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--pid-file=${path.join(instance.directory, 'mariadbd.pid')}`,
      `--port=${instance.port}`,
      `--bind-address=${instance.host}`,
      '--skip-name-resolve',
      // As the images (their packaged configuration): utf8mb4 by default.
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_general_ci',
      // The data is thrown away with the job: there is nothing to make durable.
      '--innodb-flush-log-at-trx-commit=0',
    ];
    return { argv, env, ...(runAs === undefined ? {} : { runAs }), stopSignal: 'SIGTERM' };
  }

  async afterListening(instance: NativeInstance): Promise<void> {
    const accounts = this.accounts(instance);
    const script = path.join(instance.directory, 'accounts.sql');
    await writeFile(script, accountStatements(accounts), { mode: 0o600 });
    const { socket } = this.paths(instance);
    await runSetupStep(instance, [this.programs.client, '--no-defaults', `--socket=${socket}`, '--user=root', '--execute', `source ${script}`], {
      env: baseEnvironment(process.env.HOME ?? '/'),
    });
  }

  /**
   * MariaDB's clients read no environment variable for the server's address, so `mysqladmin ping`
   * would ask the machine's default socket. Wrappers, first on the health command's PATH, pass an
   * option file naming this instance's socket and port (options the user gives still win).
   */
  async healthEnvironment(instance: NativeInstance): Promise<{ env: Record<string, string>; path: string[] }> {
    const options = path.join(instance.directory, 'client.cnf');
    await writeFile(options, `[client]\nsocket=${this.paths(instance).socket}\nport=${instance.port}\n`);
    const wrappers = path.join(instance.directory, 'bin');
    for (const client of clients) {
      const program = findProgram(client);
      if (program !== undefined) await writeWrapper(wrappers, client, program, [`--defaults-extra-file=${options}`]);
    }
    return { env: {}, path: [wrappers] };
  }

  private paths(instance: NativeInstance): { data: string; socket: string } {
    return { data: path.join(instance.directory, 'data'), socket: path.join(instance.directory, 'mysqld.sock') };
  }

  /** The image's variables: MARIADB_* for mariadb (which also reads the MYSQL_* names), MYSQL_* for mysql. */
  private accounts(instance: NativeInstance): Accounts {
    const prefix = this.flavour === 'mariadb' ? 'MARIADB' : 'MYSQL';
    const read = (mariadbName: string, mysqlName = mariadbName): string | undefined =>
      (this.flavour === 'mariadb' ? instance.env[`MARIADB_${mariadbName}`] : undefined) || instance.env[`MYSQL_${mysqlName}`] || undefined;
    const allowEmpty = this.flavour === 'mariadb' ? 'ALLOW_EMPTY_ROOT_PASSWORD' : 'ALLOW_EMPTY_PASSWORD';
    let rootPassword = read('ROOT_PASSWORD');
    if (rootPassword === undefined && read('ALLOW_EMPTY_ROOT_PASSWORD', 'ALLOW_EMPTY_PASSWORD') !== undefined) rootPassword = '';
    if (rootPassword === undefined && read('RANDOM_ROOT_PASSWORD') !== undefined) {
      rootPassword = randomBytes(16).toString('hex');
      instance.output(`GENERATED ROOT PASSWORD: ${rootPassword}`);
    }
    if (rootPassword === undefined) {
      throw new ServiceError(
        `the ${this.flavour} image refuses to start without a root password option: set ${prefix}_ROOT_PASSWORD, ${prefix}_${allowEmpty} or ${prefix}_RANDOM_ROOT_PASSWORD in the service's env`,
      );
    }
    const userName = read('USER');
    if (userName === 'root') {
      throw new ServiceError(`${prefix}_USER="root": ${prefix}_USER and ${prefix}_PASSWORD are for a regular user and cannot be used for the root user`);
    }
    const database = read('DATABASE');
    return {
      rootPassword,
      ...(database === undefined ? {} : { database }),
      ...(userName === undefined ? {} : { user: { name: userName, password: read('PASSWORD') ?? '' } }),
    };
  }
}

/** What the image's entrypoint does: root with the password (locally and from anywhere), the database, the user. */
function accountStatements(accounts: Accounts): string {
  const password = sqlString(accounts.rootPassword);
  const statements = [
    // mariadb-install-db also made root@127.0.0.1 (and others) without a password; the image has none of them.
    `DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@${sqlString(os.hostname())};`,
    `CREATE USER 'root'@'%' IDENTIFIED BY ${password};`,
    "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    `ALTER USER 'root'@'localhost' IDENTIFIED BY ${password};`,
  ];
  if (accounts.database !== undefined) statements.push(`CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(accounts.database)};`);
  if (accounts.user !== undefined) {
    const user = `${sqlString(accounts.user.name)}@'%'`;
    statements.push(`CREATE USER ${user} IDENTIFIED BY ${sqlString(accounts.user.password)};`);
    if (accounts.database !== undefined) statements.push(`GRANT ALL ON ${sqlIdentifier(accounts.database)}.* TO ${user};`);
  }
  return `${statements.join('\n')}\n`;
}

function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function sqlIdentifier(text: string): string {
  return `\`${text.replace(/`/g, '``')}\``;
}

function findProgram(name: string): string | undefined {
  const found = which(name);
  if (found !== null) return found;
  const inSbin = path.join('/usr/sbin', name);
  return existsSync(inSbin) ? inSbin : undefined;
}

/** As root, the server runs as Debian's `mysql` account (mariadbd would refuse root without --user). */
function serverAccount(): SystemUser | undefined {
  if (!runningAsRoot()) return undefined;
  const account = systemUser('mysql');
  if (account === undefined) {
    throw new ServiceError('MariaDB does not run as root, and this machine has no mysql account to run it as: apt-get install mariadb-server creates one');
  }
  return account;
}
