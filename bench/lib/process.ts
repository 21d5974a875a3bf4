// Child processes for baselines and for the gantry binary: started with
// child_process.spawn, output piped (a runner has to read it) and kept only as
// a short tail for error messages.

import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { which } from '../../src/executors/which.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const gantryBin = path.join(repoRoot, 'bin', 'gantry.js');

/** GitHub's `shell: bash` command line (actions/runner): `bash --noprofile --norc -e -o pipefail FILE`. */
export const bashFlags = ['--noprofile', '--norc', '-e', '-o', 'pipefail'] as const;

/** bash as Gantry finds it for a step: the first one on PATH. */
export function bashPath(): string {
  const found = which('bash');
  if (found === null) throw new Error('bash is not on PATH; the benchmarks run bash steps');
  return found;
}

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last few kilobytes of stdout and stderr. */
  stdoutTail: string;
  stderrTail: string;
  ms: number;
}

const tailBytes = 8 * 1024;

export interface RunProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function runProcess(program: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(program, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutTail = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => (stdoutTail = (stdoutTail + chunk.toString()).slice(-tailBytes)));
    child.stderr.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-tailBytes)));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdoutTail, stderrTail, ms: performance.now() - started }));
  });
}

/** Runs a process that must succeed; its failure is an error that shows its output. */
export async function mustRun(program: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessRun> {
  const run = await runProcess(program, args, options);
  if (run.code !== 0) {
    throw new Error(
      `${[program, ...args].join(' ')} exited with ${run.code ?? run.signal}\n--- stdout (end) ---\n${run.stdoutTail}\n--- stderr (end) ---\n${run.stderrTail}`,
    );
  }
  return run;
}

/** Writes `content` to a script file that the bash baseline runs with GitHub's argv. */
export async function writeScript(file: string, content: string): Promise<string> {
  await writeFile(file, content.endsWith('\n') ? content : `${content}\n`);
  return file;
}

/** The same command line as a line of a bash script (each word single-quoted). */
export function bashScriptLine(bash: string, file: string): string {
  return [bash, ...bashFlags, file].map((word) => `'${word}'`).join(' ');
}

/** `bash --noprofile --norc -e -o pipefail FILE`, as a step with `shell: bash` runs. */
export function runBashScript(bash: string, file: string, options: RunProcessOptions = {}): Promise<ProcessRun> {
  return mustRun(bash, [...bashFlags, file], options);
}

/** `node bin/gantry.js ARGS`, as a user runs it (no colours, output piped). */
export function runGantryCli(args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessRun> {
  return mustRun(process.execPath, [gantryBin, ...args], { ...options, env: { ...process.env, NO_COLOR: '1', ...options.env } });
}
