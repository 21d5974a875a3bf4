// Runs inside one bubblewrap sandbox that lives for a job's steps (see sandbox-session.ts): starts each
// process it is asked for, in a process group of its own, relays its output, signals the group on
// request, and reports how the process ended; what the process left in its group is killed then.
// Requests arrive as JSON lines on stdin; reports leave as JSON lines on stdout. Plain JavaScript: it
// runs with the host's Node.js, without Gantry's loader, from `node --eval` (its source is read once).
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';

/** How long output may stay open after the process exited (only a process that left its group can hold it). */
const outputDrainMs = 2000;

const running = new Map();

function report(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing of the group is left.
  }
}

function closed(stream) {
  return new Promise((resolve) => {
    if (stream.closed) resolve();
    else stream.once('close', resolve);
  });
}

function start({ id, argv, env, cwd }) {
  const [program, ...args] = argv;
  let child;
  try {
    child = spawn(program, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    report({ id, event: 'failed', code: error.code ?? null, message: error.message });
    return;
  }
  child.once('error', (error) => {
    if (child.pid === undefined) report({ id, event: 'failed', code: error.code ?? null, message: error.message });
  });
  if (child.pid === undefined) return;
  running.set(id, child);
  for (const stream of ['stdout', 'stderr']) {
    child[stream].on('data', (chunk) => report({ id, event: 'output', stream, data: chunk.toString('base64') }));
    child[stream].on('error', () => {});
  }
  child.once('exit', (code, signal) => {
    // Background processes end with their step, as they did when each step had a sandbox of its own.
    signalGroup(child.pid, 'SIGKILL');
    let timer;
    const drained = new Promise((resolve) => (timer = setTimeout(resolve, outputDrainMs)));
    Promise.race([Promise.all([closed(child.stdout), closed(child.stderr)]), drained]).then(() => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      running.delete(id);
      report({ id, event: 'exit', code: signal === null ? code : 128 + (constants.signals[signal] ?? 0) });
    });
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  if (request.op === 'run') start(request);
  else if (request.op === 'signal') {
    const child = running.get(request.id);
    if (child !== undefined) signalGroup(child.pid, request.signal);
  }
});

// The host closed the session: end whatever still runs, then leave.
process.stdin.on('end', () => {
  for (const child of running.values()) signalGroup(child.pid, 'SIGKILL');
  process.exit(0);
});
