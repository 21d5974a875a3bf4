// Starts the host executor's processes on Gantry's behalf (see host-launcher.ts). Gantry's process is
// large, and starting a process forks it: page tables and all, on Gantry's event loop. This process
// is small, so its forks are cheap, and they happen beside Gantry rather than in its way.
//
// Requests arrive as JSON lines on stdin. Reports leave on stdout as native-launcher.c writes them
// (see launcher-reports.ts): a 9-byte header (type, id, payload length) and the payload. A process's
// stdout and stderr are pipes read here and relayed as reports; the end of a running process's output
// leaves with its exit, in one write, as the C launcher sends it. With --end-groups-at-exit (the
// sandbox), what is left of a process's group is killed when the process exits.
// Plain JavaScript: it runs with the host's Node.js from `node --eval`, without Gantry's loader.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const HEADER = 9;
/** Process groups this started that may still run: ended when Gantry goes away. */
const groups = new Set();
/** The output streams still read, by request id. */
const outputs = new Map();
/** Running processes' ids, by request id. */
const running = new Map();
/** Ends of output ('o', 'e') of running processes, held to leave with their exits, by request id. */
const heldEnds = new Map();
const endGroupsAtExit = process.argv.includes('--end-groups-at-exit');

function report(type, id, payload = Buffer.alloc(0)) {
  const header = Buffer.allocUnsafe(HEADER);
  header.write(type, 0, 'latin1');
  header.writeUInt32LE(id, 1);
  header.writeUInt32LE(payload.length, 5);
  process.stdout.write(payload.length === 0 ? header : Buffer.concat([header, payload]));
}

const fields = (...values) => Buffer.from(values.join('\0'));

function failed(id, error) {
  report('F', id, fields(error.code ?? 'EUNKNOWN', error.message));
}

function relay(id, streams) {
  const open = new Set(streams);
  outputs.set(id, open);
  streams.forEach((stream, index) => {
    stream.on('data', (chunk) => report(index === 0 ? 'O' : 'E', id, chunk));
    stream.once('close', () => {
      if (!open.delete(stream)) return;
      const end = index === 0 ? 'o' : 'e';
      if (running.has(id)) heldEnds.set(id, [...(heldEnds.get(id) ?? []), end]);
      else report(end, id);
      if (open.size === 0) outputs.delete(id);
    });
  });
}

function start({ id, argv, env, cwd }) {
  const [program, ...args] = argv;
  let child;
  try {
    child = spawn(program, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    failed(id, error);
    return;
  }
  if (child.pid === undefined) {
    child.once('error', (error) => failed(id, error));
    return;
  }
  const pid = child.pid;
  groups.add(pid);
  running.set(id, pid);
  report('S', id, Buffer.from(String(pid)));
  relay(id, [child.stdout, child.stderr]);
  child.once('exit', (code, signal) => {
    running.delete(id);
    if (endGroupsAtExit) signalGroup(pid, 'SIGKILL');
    const groupLeft = !endGroupsAtExit && groupAlive(pid);
    if (!groupLeft) groups.delete(pid);
    process.stdout.cork();
    for (const end of heldEnds.get(id) ?? []) report(end, id);
    heldEnds.delete(id);
    report('X', id, fields(code ?? '', signal ?? '', groupLeft ? 1 : 0));
    process.stdout.uncork();
  });
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing of the group is left.
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Gantry reads no more of this process's output: stop reading it (a writer then gets EPIPE). */
function closeOutput(id) {
  const open = outputs.get(id);
  outputs.delete(id);
  for (const stream of open ?? []) {
    open.delete(stream);
    stream.destroy();
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  if (request.op === 'run') start(request);
  else if (request.op === 'forget') groups.delete(request.pid);
  else if (request.op === 'close') closeOutput(request.id);
  else if (request.op === 'signal' && running.has(request.id)) signalGroup(running.get(request.id), request.signal);
});

// Gantry has gone (even killed): nothing it started may outlive it.
process.stdin.on('end', () => {
  for (const pid of groups) signalGroup(pid, 'SIGKILL');
  process.exit(0);
});
