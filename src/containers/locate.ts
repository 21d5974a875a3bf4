// Where the container engine listens: `--container-engine`, then DOCKER_HOST, then the sockets Docker
// and Podman use by default. Only an address that answers a ping counts.
import { existsSync } from 'node:fs';
import path from 'node:path';

/** How to reach a Docker Engine API: a Unix socket, or TCP (`tcp://host:port`, `http://`, `https://`). */
export type EngineAddress = { socketPath: string; shown: string } | { host: string; port: number; protocol: 'http' | 'https'; shown: string };

/** `--container-engine` or DOCKER_HOST was written so that it names no engine. */
export class EngineAddressError extends Error {}

/** `unix:///run/x.sock`, `/run/x.sock`, `tcp://127.0.0.1:2375`, `http://…`, `https://…`. */
export function parseEngineAddress(written: string, origin: string): EngineAddress {
  const text = written.trim();
  if (text.startsWith('unix://')) return socket(text.slice('unix://'.length), origin, text);
  if (text.startsWith('/') || text.startsWith('.')) return socket(text, origin, text);
  const match = /^(tcp|http|https):\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/.exec(text);
  if (match !== null) {
    const port = Number(match[3]);
    if (port > 0 && port < 65536) {
      return { host: match[2]!.replace(/^\[|\]$/g, ''), port, protocol: match[1] === 'https' ? 'https' : 'http', shown: text };
    }
  }
  throw new EngineAddressError(
    `${origin} "${written}": not an engine address; write a socket (unix:///run/podman/podman.sock or a path) or tcp://HOST:PORT`,
  );
}

function socket(file: string, origin: string, shown: string): EngineAddress {
  if (file === '') throw new EngineAddressError(`${origin} "${shown}": no socket path after unix://`);
  return { socketPath: path.resolve(file), shown };
}

export interface EngineCandidates {
  /** `--container-engine`: when given, the only candidate. */
  flag?: string;
  environment?: NodeJS.ProcessEnv;
}

/** The addresses to try, in order, each with where it came from. */
export function engineCandidates(options: EngineCandidates = {}): { address: EngineAddress; origin: string }[] {
  if (options.flag !== undefined) return [{ address: parseEngineAddress(options.flag, '--container-engine'), origin: '--container-engine' }];
  const env = options.environment ?? process.env;
  if (env.DOCKER_HOST !== undefined && env.DOCKER_HOST !== '') {
    return [{ address: parseEngineAddress(env.DOCKER_HOST, 'DOCKER_HOST'), origin: 'DOCKER_HOST' }];
  }
  const sockets = ['/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) sockets.push(path.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'));
  sockets.push('/run/podman/podman.sock');
  return sockets.map((file) => ({ address: { socketPath: file, shown: file }, origin: 'default socket' }));
}

/** Whether a socket candidate exists at all (skips a ping that cannot succeed). */
export function mayAnswer(address: EngineAddress): boolean {
  return !('socketPath' in address) || existsSync(address.socketPath);
}
