// A real git server for the store's tests: `git daemon` on loopback, serving bare
// repositories from a temporary folder.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface GitDaemon {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `git daemon` serving `root` and waits until it accepts connections. */
export async function startGitDaemon(root: string): Promise<GitDaemon> {
  const port = await freePort();
  const daemon: ChildProcess = spawn(
    'git',
    ['daemon', '--reuseaddr', `--base-path=${root}`, '--export-all', '--enable=upload-pack', '--listen=127.0.0.1', `--port=${port}`, root],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  daemon.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  daemon.once('exit', () => (exited = true));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited) throw new Error(`git daemon exited: ${stderr}`);
    if (Date.now() > deadline) {
      daemon.kill('SIGKILL');
      throw new Error(`git daemon did not listen on port ${port}: ${stderr}`);
    }
    await sleep(50);
  }
  return {
    port,
    url: `git://127.0.0.1:${port}`,
    async stop() {
      if (exited) return;
      const exit = once(daemon, 'exit');
      daemon.kill('SIGTERM');
      await exit;
    },
  };
}
