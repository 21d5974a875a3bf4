// `nginx` as the host's nginx in the foreground with a generated configuration equivalent to the
// official image's: the welcome page from /usr/share/nginx/html, logs to the service's output.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { which } from '../../executors/which.ts';
import { runningAsRoot, systemUser } from '../users.ts';
import type { NativeInstallation, NativeInstance, NativeLaunch, NativeRecipe } from './recipe.ts';
import { baseEnvironment, giveTo, versionOf } from './support.ts';

const documentRoot = '/usr/share/nginx/html';
const mimeTypes = '/etc/nginx/mime.types';
const temporaryPaths = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

export const nginxRecipe: NativeRecipe = {
  image: 'nginx',
  containerPort: 80,
  locate() {
    const server = which('nginx') ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null);
    if (server === null) return { missing: 'nginx is not installed: apt-get install nginx' };
    const version = /nginx\/(\S+)/.exec(versionOf(server, '-v') ?? '')?.[1] ?? '';
    return new NginxInstallation(server, `nginx ${version}`.trim());
  },
};

class NginxInstallation implements NativeInstallation {
  constructor(
    private readonly server: string,
    readonly description: string,
  ) {}

  async prepare(instance: NativeInstance): Promise<NativeLaunch> {
    const temporary = path.join(instance.directory, 'tmp');
    await mkdir(temporary);
    // As root the master stays root (it may bind a low port such as 80) and the workers drop to
    // www-data, as Debian's nginx does; they write request bodies under tmp/.
    const workers = runningAsRoot() ? systemUser('www-data') : undefined;
    if (workers !== undefined) await giveTo(workers, temporary);
    const configuration = path.join(instance.directory, 'nginx.conf');
    await writeFile(configuration, this.configuration(instance, temporary, workers?.name));
    const argv = [this.server, '-p', instance.directory, '-c', configuration, '-e', 'stderr'];
    return { argv, env: { ...baseEnvironment(process.env.HOME ?? '/'), ...instance.env }, stopSignal: 'SIGTERM' };
  }

  async healthEnvironment(): Promise<{ env: Record<string, string>; path: string[] }> {
    return { env: {}, path: [] };
  }

  private configuration(instance: NativeInstance, temporary: string, workerUser: string | undefined): string {
    const listen = instance.host.includes(':') ? `[${instance.host}]:${instance.port}` : `${instance.host}:${instance.port}`;
    return [
      'daemon off;',
      ...(workerUser === undefined ? [] : [`user ${workerUser};`]),
      'worker_processes 1;',
      `pid ${path.join(instance.directory, 'nginx.pid')};`,
      'error_log stderr notice;',
      'events { worker_connections 256; }',
      'http {',
      `  include ${mimeTypes};`,
      '  default_type application/octet-stream;',
      // The image sends it to /dev/stdout, which cannot be opened when stdout is a socket (Node's pipes are).
      '  access_log off;',
      ...temporaryPaths.map((name) => `  ${name}_temp_path ${path.join(temporary, name)};`),
      '  server {',
      `    listen ${listen};`,
      '    server_name localhost;',
      `    location / { root ${documentRoot}; index index.html index.htm; }`,
      '  }',
      '}',
      '',
    ].join('\n');
  }
}
