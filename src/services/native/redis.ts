// `redis` as the host's redis-server in the foreground, configured like the official image: no
// password (the image has no setting for one), nothing saved to disk since the data is thrown away.
import path from 'node:path';
import { which } from '../../executors/which.ts';
import type { NativeInstallation, NativeInstance, NativeLaunch, NativeRecipe } from './recipe.ts';
import { baseEnvironment, tagMajorVersion, versionOf, writeWrapper } from './support.ts';

export const redisRecipe: NativeRecipe = {
  image: 'redis',
  containerPort: 6379,
  locate() {
    const server = which('redis-server');
    if (server === null) return { missing: 'redis-server is not installed: apt-get install redis-server' };
    const version = /v=(\d+\.\d+\.\d+)/.exec(versionOf(server) ?? '')?.[1] ?? '';
    return new RedisInstallation(server, which('redis-cli'), version);
  },
};

class RedisInstallation implements NativeInstallation {
  readonly description: string;

  constructor(
    private readonly server: string,
    private readonly client: string | null,
    private readonly version: string,
  ) {
    this.description = `Redis ${version}`.trim();
  }

  async prepare(instance: NativeInstance): Promise<NativeLaunch> {
    const wanted = tagMajorVersion(instance.tag);
    const major = Number(this.version.split('.')[0]);
    if (wanted !== undefined && wanted !== major) {
      instance.warn(`${instance.image} asks for Redis ${wanted}, but this machine has Redis ${this.version}, which runs instead`);
    }
    if (instance.env.REDIS_PASSWORD !== undefined) {
      instance.say('REDIS_PASSWORD has no effect, as with the official redis image (it has no password setting): the server takes no password');
    }
    const argv = [
      this.server,
      ...['--port', String(instance.port), '--bind', instance.host],
      ...['--daemonize', 'no', '--dir', instance.directory],
      ...['--save', '', '--appendonly', 'no'],
    ];
    return { argv, env: { ...baseEnvironment(process.env.HOME ?? '/'), ...instance.env }, stopSignal: 'SIGTERM' };
  }

  /**
   * redis-cli has no environment variable for the server's address, so `redis-cli ping` would ask
   * port 6379. A wrapper named redis-cli, first on the health command's PATH, passes `-h` and `-p`
   * before the user's arguments (which still win when they give their own).
   */
  async healthEnvironment(instance: NativeInstance): Promise<{ env: Record<string, string>; path: string[] }> {
    if (this.client === null) return { env: {}, path: [] };
    const wrappers = path.join(instance.directory, 'bin');
    await writeWrapper(wrappers, 'redis-cli', this.client, ['-h', instance.host, '-p', String(instance.port)]);
    return { env: {}, path: [wrappers] };
  }
}
