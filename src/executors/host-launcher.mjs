// Starts the host executor's processes on Gantry's behalf (see host-launcher.ts). Gantry's process is
// large, and starting a process forks it: page tables and all, on Gantry's event loop. This process
// is small, so its forks are cheap, and they happen beside Gantry rather than in its way.
//
// Requests arrive as JSON lines on stdin; reports leave as JSON lines on stdout. A process's output
// never passes through here: for each of its stdout and stderr this connects to Gantry's socket,
// sends the stream's 16-byte key first, and hands the socket to the process as that stream.
// Plain JavaScript: it runs with the host's Node.js from `node --eval`, without Gantry's loader.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

const socketPath = process.env.GANTRY_LAUNCHER_SOCKET;
/** Process groups this started that may still run: ended when Gantry goes away. */
const groups = new Set();

function report(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function outputSocket(key) {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(Buffer.from(key, 'hex'), (error) => (error ? reject(error) : resolve(socket))));
  });
}

async function start({ id, argv, env, cwd, keys }) {
  let sockets = [];
  try {
    sockets = await Promise.all([outputSocket(keys.stdout), outputSocket(keys.stderr)]);
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    report({ id, event: 'failed', code: null, message: `cannot reach Gantry's output socket: ${error.message}` });
    return;
  }
  const [program, ...args] = argv;
  let child;
  try {
    child = spawn(program, args, { env, cwd, detached: true, stdio: ['ignore', sockets[0], sockets[1]] });
  } catch (error) {
    report({ id, event: 'failed', code: error.code ?? null, message: error.message });
    return;
  } finally {
    // The process holds its own copies now; Gantry sees the end of its output when the process's are closed.
    for (const socket of sockets) socket.destroy();
  }
  if (child.pid === undefined) {
    child.once('error', (error) => report({ id, event: 'failed', code: error.code ?? null, message: error.message }));
    return;
  }
  const pid = child.pid;
  groups.add(pid);
  report({ id, event: 'started', pid });
  child.once('exit', (code, signal) => {
    const groupLeft = groupAlive(pid);
    if (!groupLeft) groups.delete(pid);
    report({ id, event: 'exit', code, signal, groupLeft });
  });
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  if (request.op === 'run') void start(request);
  else if (request.op === 'forget') groups.delete(request.pid);
});

// Gantry has gone (even killed): nothing it started may outlive it, nor its socket's folder.
process.stdin.on('end', () => {
  rmSync(path.dirname(socketPath), { recursive: true, force: true });
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: nothing of the group is left.
    }
  }
  process.exit(0);
});
