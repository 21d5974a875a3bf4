// What every benchmark shares: its options (--scale, --runs), paired rounds of
// a baseline and Gantry in the same process, medians, the machine's
// description, the result it prints (its ratio last) and saves as JSON, and
// temporary folders that are removed however the process ends.
//
// House rule: speed is a RATIO against a baseline measured in the same process
// on the same machine; absolute times are recorded, never asserted.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Multiplies every size (steps, megabytes, jobs); 1 is the size the targets are set for. */
  scale: number;
  /** Measured rounds; each round runs every variant once. */
  runs: number;
  /** Run every variant once, small and untimed, before measuring. */
  warmup: boolean;
  /** Where to write the result as JSON (bench/run.ts passes it). */
  json: string | undefined;
}

export interface BenchDefaults {
  runs: number;
}

const usage = `options: --scale X (sizes times X, default 1; env GANTRY_BENCH_SCALE)
         --runs N  (measured rounds; env GANTRY_BENCH_RUNS)
         --no-warmup
         --json FILE (write the result as JSON)`;

export class UsageError extends Error {}

export function benchOptions(argv: readonly string[], defaults: BenchDefaults): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        scale: { type: 'string' },
        runs: { type: 'string' },
        'no-warmup': { type: 'boolean', default: false },
        json: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
  const scale = Number(values.scale ?? process.env.GANTRY_BENCH_SCALE ?? 1);
  if (!Number.isFinite(scale) || scale <= 0) throw new UsageError(`--scale expects a positive number, got "${values.scale ?? process.env.GANTRY_BENCH_SCALE}"`);
  const runs = Number(values.runs ?? process.env.GANTRY_BENCH_RUNS ?? defaults.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs expects a whole number of at least 1, got "${values.runs ?? process.env.GANTRY_BENCH_RUNS}"`);
  return { scale, runs, warmup: !values['no-warmup'], json: values.json };
}

/** `size` times the scale, rounded, and never below `minimum`. */
export function scaled(size: number, scale: number, minimum: number): number {
  return Math.max(minimum, Math.round(size * scale));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** A variant measures itself (so that its set-up and checks stay outside the time) and returns milliseconds. */
export type Variant = () => Promise<number>;

/**
 * Runs every variant once per round and returns each one's times. The order rotates from round to
 * round, so that neither side always runs first on a machine that warms up or gets busier.
 * `afterRound` runs untimed (checks, clean-up).
 */
export async function rounds<K extends string>(
  runs: number,
  variants: Record<K, Variant>,
  afterRound?: (round: number, times: Record<K, number>) => Promise<void>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < runs; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    const times = {} as Record<K, number>;
    for (const name of order) {
      times[name] = await variants[name]();
      samples[name].push(times[name]);
    }
    log(`  round ${round + 1}/${runs}: ${names.map((name) => `${name} ${formatMs(times[name])}`).join(', ')}`);
    await afterRound?.(round, times);
  }
  return samples;
}

/** Per-round values computed from the same round's times (a paired comparison), e.g. ratios. */
export function perRound<K extends string>(samples: Record<K, number[]>, compute: (times: Record<K, number>) => number): number[] {
  const names = Object.keys(samples) as K[];
  const count = Math.min(...names.map((name) => samples[name].length));
  return Array.from({ length: count }, (_, round) =>
    compute(Object.fromEntries(names.map((name) => [name, samples[name][round]!])) as Record<K, number>),
  );
}

export interface Target {
  /** The value must be at most this. */
  max: number;
}

export interface Metric {
  /** What is measured, e.g. "extra cost per step (in-process)". */
  name: string;
  value: number;
  unit: string;
  /** Absent for informational measures. */
  target?: Target;
  met?: boolean;
  /** The per-round values whose median is `value`. */
  rounds?: number[];
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  arch: string;
  /** 1, 5 and 15 minute load averages when the benchmark started: a busy machine makes every number noisier. */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.platform()})`,
    arch: os.arch(),
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

export interface Revision {
  /** The commit of this repository the benchmark ran on. */
  commit: string;
  /** True when src/ or bin/ had changes not yet committed: the numbers are of those. */
  uncommittedChanges: boolean;
}

export function revision(): Revision {
  const cwd = fileURLToPath(new URL('../..', import.meta.url));
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), uncommittedChanges: git('status', '--porcelain', '--', 'src', 'bin') !== '' };
  } catch {
    return { commit: 'unknown', uncommittedChanges: false };
  }
}

export interface BenchResult {
  name: string;
  description: string;
  /** When the benchmark finished (ISO 8601). */
  at: string;
  scale: number;
  runs: number;
  /** The sizes actually used at this scale. */
  sizes: Record<string, number | string>;
  /** The number printed last: the main measure's ratio against its baseline. */
  ratio: number;
  /** What `ratio` divides, e.g. "gantry in-process / bash spawns". */
  ratioOf: string;
  metrics: Metric[];
  /** Every measured time, in milliseconds, by variant, one per round. */
  samplesMs: Record<string, number[]>;
  medianMs: Record<string, number>;
  notes: string[];
  machine: MachineInfo;
  revision: Revision;
}

export function metric(name: string, value: number, unit: string, options: { target?: Target; rounds?: number[] } = {}): Metric {
  const result: Metric = { name, value, unit };
  if (options.target) {
    result.target = options.target;
    result.met = value <= options.target.max;
  }
  if (options.rounds) result.rounds = options.rounds;
  return result;
}

export function medians(samples: Record<string, number[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

export function formatValue(value: number, unit: string): string {
  const digits = Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toFixed(digits);
  return unit === '×' ? `${number}×` : `${number} ${unit}`;
}

export function formatTarget(metric: Metric): string {
  return metric.target ? `<= ${formatValue(metric.target.max, metric.unit)}` : '-';
}

export function formatMet(metric: Metric): string {
  return metric.met === undefined ? '-' : metric.met ? 'yes' : 'NO';
}

/** Progress goes to stderr; stdout carries the result, its ratio on the last line. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function report(result: BenchResult, options: BenchOptions): Promise<void> {
  const lines = [`${result.name}: ${result.description}`, `  sizes: ${Object.entries(result.sizes).map(([k, v]) => `${k}=${v}`).join(', ')}; ${result.runs} round(s)`];
  for (const [variant, ms] of Object.entries(result.medianMs)) lines.push(`  median ${variant}: ${formatMs(ms)}`);
  for (const m of result.metrics) {
    const target = m.target ? ` (target ${formatTarget(m)}: ${m.met ? 'met' : 'NOT MET'})` : '';
    lines.push(`  ${m.name}: ${formatValue(m.value, m.unit)}${target}`);
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  lines.push(`${result.name} ratio ${result.ratio.toFixed(3)} (${result.ratioOf})`);
  process.stdout.write(lines.join('\n') + '\n');
  if (options.json) await writeFile(options.json, JSON.stringify(result, null, 2) + '\n');
}

const tempDirs = new Set<string>();

/** A fresh folder under `parent` (the system's temporary folder), removed when the benchmark ends however it ends. */
export async function tempDir(label: string, parent = os.tmpdir()): Promise<string> {
  const dir = await mkdtemp(path.join(parent, `gantry-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

async function removeTempDirs(): Promise<void> {
  await Promise.all([...tempDirs].map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
  tempDirs.clear();
}

process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
// Without a handler, SIGINT ends the process without 'exit' handlers: the temporary folders would
// stay, and so would steps still running in their own process groups (the host executor kills those
// on 'exit').
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\nbenchmark interrupted (${signal}); cleaning up`);
    process.exit(130);
  });
}

export type BenchBody = (options: BenchOptions) => Promise<Omit<BenchResult, 'name' | 'at' | 'machine' | 'revision' | 'scale' | 'runs'>>;

/** The entry point of a benchmark script: options, the body, the report; a failure is loud and exits 1. */
export async function runBenchmark(name: string, defaults: BenchDefaults, body: BenchBody): Promise<void> {
  let options: BenchOptions;
  try {
    options = benchOptions(process.argv.slice(2), defaults);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`${name}: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  const machine = machineInfo();
  try {
    const partial = await body(options);
    await report({ name, ...partial, at: new Date().toISOString(), scale: options.scale, runs: options.runs, machine, revision: revision() }, options);
  } catch (error) {
    log(`\n${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  } finally {
    await removeTempDirs();
  }
}
