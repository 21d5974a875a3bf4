// The scheduling benchmark's graph in its ideal schedule: `parallel` workers
// share the fan-out, then the fan-in and the chain run one after another.
// Plain JavaScript, so that a bare `node` (no TypeScript loader, as small as
// Gantry's process launcher) can run it: `node ideal-schedule.mjs FAN_OUT CHAIN
// PARALLEL COMMAND...` runs COMMAND as every job and prints the milliseconds
// the schedule took.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** Runs `runStep` once per job of the graph in the ideal schedule. */
export async function idealSchedule(fanOut, chain, parallel, runStep) {
  let next = 0;
  const worker = async () => {
    while (next < fanOut) {
      next++;
      await runStep();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, fanOut) }, worker));
  for (let i = 0; i < 1 + chain; i++) await runStep();
}

/** Runs a job's only step, its output piped as Gantry's is; rejects when it fails. */
function runCommand([program, ...args]) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}`))));
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [fanOut, chain, parallel, ...command] = process.argv.slice(2);
  const started = performance.now();
  await idealSchedule(Number(fanOut), Number(chain), Number(parallel), () => runCommand(command));
  process.stdout.write(`${performance.now() - started}\n`);
}
