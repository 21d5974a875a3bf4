// scheduling: many small jobs through the job graph. 500 trivial jobs at scale
// 1: a fan-out of 250, a fan-in job that needs all of them, a chain of 249
// after it, run by Gantry in-process with at most 2 jobs at once (`--jobs 2`),
// once with a fresh workspace checkout per job (the default) and once with
// `--bind`. The baseline is the issue's: a shell script that runs the same step
// script with GitHub's bash argv in the ideal schedule (two workers share the
// fan-out, then the fan-in and the chain one after another). The same schedule
// from a Node scheduler is measured too, in this process and in a small `node`
// of its own: a spawn forks its caller, page tables and all, so it costs more
// from Node than from bash, and more from a large process than from a small one
// (Gantry's steps are started by a small launcher process: the C one, and
// again the one written for Node, which Gantry uses where no C compiler is).
// One more Gantry variant writes its logs to tmpfs: a job's logs are three new
// inodes, which on this machine's disk cost far more than in memory.

import { closeSync, mkdirSync, openSync, statfsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostExecutor } from '../src/executors/host.ts';
import { createGitRepo, planPush, runEngine } from './lib/gantry.ts';
import { log, median, medians, metric, perRound, rounds, runBenchmark, scaled, tempDir, timed } from './lib/harness.ts';
import { idealSchedule } from './lib/ideal-schedule.mjs';
import { bashFlags, bashPath, bashScriptLine, mustRun, runBashScript, writeScript } from './lib/process.ts';

const TARGET_RATIO = 1.5;
const smallScheduler = fileURLToPath(new URL('./lib/ideal-schedule.mjs', import.meta.url));
const PARALLEL = 2;
const TMPFS_MAGIC = 0x01021994;

/** A folder in memory (tmpfs) for one variant's logs, where the machine has one. */
function memoryFolder(): string | undefined {
  try {
    return statfsSync('/dev/shm').type === TMPFS_MAGIC ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}

function workflow(fanOut: number, chain: number): string {
  const lines = ['on: push', 'defaults:', '  run:', '    shell: bash', 'jobs:'];
  const job = (id: string, needs: string[]) => {
    lines.push(`  ${id}:`, '    runs-on: ubuntu-latest');
    if (needs.length > 0) lines.push(`    needs: [${needs.join(', ')}]`);
    lines.push('    steps:', "      - run: 'true'");
  };
  const fans = Array.from({ length: fanOut }, (_, i) => `fan_${i}`);
  for (const id of fans) job(id, []);
  job('fan_in', fans);
  let previous = 'fan_in';
  for (let i = 0; i < chain; i++) {
    job(`chain_${i}`, [previous]);
    previous = `chain_${i}`;
  }
  return lines.join('\n') + '\n';
}

/**
 * What creating one empty file costs in `folder`, in µs: job folders and logs are made in the temp
 * folder, and on a disk whose ext4 has no journal this grows with the files removed there lately.
 */
async function fileCreateMicros(folder: string): Promise<number> {
  const files = 200;
  mkdirSync(folder);
  const started = performance.now();
  for (let i = 0; i < files; i++) closeSync(openSync(path.join(folder, String(i)), 'wx'));
  const micros = ((performance.now() - started) * 1000) / files;
  await rm(folder, { recursive: true, force: true });
  return micros;
}

/** A bash script running the ideal schedule of `step` (two workers for the fan-out, then the rest in order). */
function shellScheduler(bash: string, step: string, fanOut: number, chain: number): string {
  const runStep = bashScriptLine(bash, step);
  return [
    'set -e',
    `worker() { local i; for ((i = $1; i < ${fanOut}; i += ${PARALLEL})); do ${runStep}; done; }`,
    ...Array.from({ length: Math.min(PARALLEL, fanOut) }, (_, w) => `worker ${w} & pids+=($!)`),
    'for pid in "${pids[@]}"; do wait "$pid"; done',
    `for ((i = 0; i < ${1 + chain}; i++)); do ${runStep}; done`,
  ].join('\n');
}

await runBenchmark('scheduling', { runs: 5 }, async (options) => {
  const fanOut = scaled(250, options.scale, 2);
  const chain = scaled(249, options.scale, 1);
  const jobs = fanOut + 1 + chain;
  const bash = bashPath();
  const root = await tempDir('scheduling');
  const script = await writeScript(path.join(root, 'step.sh'), 'true');
  // Runs' logs are removed once all rounds are done, as a user's stay: this disk's ext4 has no
  // journal, and without one every new file is placed after a scan past each inode removed in the
  // last minute or more, so removing 1,500 log files between rounds would slow the next round's.
  const keptLogs: string[] = [];
  const defaultExecutor = new HostExecutor();
  const nodeLauncherExecutor = new HostExecutor({ launcher: 'node' });
  const inMemory = memoryFolder();
  const memoryLogs = await tempDir('scheduling-logs', inMemory);
  const memoryLogsAre = inMemory ? 'on tmpfs (/dev/shm)' : 'in the temp folder (no tmpfs at /dev/shm)';

  const make = async (fans: number, links: number, label: string) => {
    const repo = path.join(root, label);
    await createGitRepo(repo, { '.github/workflows/graph.yml': workflow(fans, links) });
    const plan = await planPush(repo);
    const gantry = async (bind: boolean, executor = defaultExecutor, logRoot?: string) => {
      const run = await runEngine(plan, repo, { maxParallelJobs: PARALLEL, bind, executor, ...(logRoot ? { logRoot } : {}) });
      const ran = run.result.workflows[0]?.jobs.filter((j) => j.conclusion === 'success').length;
      if (ran !== fans + 1 + links) throw new Error(`expected ${fans + 1 + links} successful jobs, Gantry reports ${ran}`);
      keptLogs.push(run.logDir);
      return run.ms;
    };
    const scheduler = await writeScript(path.join(root, `${label}-schedule.sh`), shellScheduler(bash, script, fans, links));
    return {
      baseline: () => timed(() => mustRun(bash, [scheduler])),
      nodeScheduler: () => timed(() => idealSchedule(fans, links, PARALLEL, () => runBashScript(bash, script))),
      // Timed inside the small process: its own start-up is not the schedule's.
      smallNodeScheduler: async () => Number((await mustRun(process.execPath, [smallScheduler, String(fans), String(links), String(PARALLEL), bash, ...bashFlags, script])).stdoutTail),
      gantry: () => gantry(false),
      gantryBind: () => gantry(true),
      gantryNodeLauncher: () => gantry(false, nodeLauncherExecutor),
      gantryMemoryLogs: () => gantry(false, defaultExecutor, memoryLogs),
    };
  };

  if (options.warmup) {
    log('warm-up (6 jobs, untimed)');
    for (const variant of Object.values(await make(3, 2, 'warmup'))) await variant();
  }
  log(`measuring ${jobs} jobs with --jobs ${PARALLEL}, ${options.runs} round(s)`);
  const createCost = await fileCreateMicros(path.join(root, 'create-cost'));
  const samples = await rounds(options.runs, await make(fanOut, chain, 'graph'));
  await Promise.all(keptLogs.map((logDir) => rm(logDir, { recursive: true, force: true })));

  const ratios = perRound(samples, (t) => t.gantry / t.baseline);
  const nodeRatios = perRound(samples, (t) => t.gantry / t.nodeScheduler);
  const spawnCosts = perRound(samples, (t) => t.nodeScheduler / t.baseline);
  const smallSpawnCosts = perRound(samples, (t) => t.smallNodeScheduler / t.baseline);
  const bindRatios = perRound(samples, (t) => t.gantryBind / t.baseline);
  const nodeLauncherRatios = perRound(samples, (t) => t.gantryNodeLauncher / t.baseline);
  const launcherGains = perRound(samples, (t) => t.gantryNodeLauncher / t.gantry);
  const checkoutShare = perRound(samples, (t) => (100 * (t.gantry - t.gantryBind)) / t.gantry);
  const extraPerJob = perRound(samples, (t) => (t.gantry - t.baseline) / jobs);
  const memoryLogRatios = perRound(samples, (t) => t.gantryMemoryLogs / t.baseline);
  const logFileCosts = perRound(samples, (t) => (t.gantry - t.gantryMemoryLogs) / jobs);
  const ratio = median(ratios);
  return {
    description: `${jobs} trivial jobs (fan-out ${fanOut}, fan-in 1, chain ${chain}) with --jobs ${PARALLEL} vs a shell script running the same bash steps in the ideal schedule`,
    sizes: { jobs, fanOut, chain, parallel: PARALLEL },
    ratio,
    ratioOf: 'gantry in-process (--jobs 2) / the ideal schedule in a shell script',
    metrics: [
      metric('gantry / ideal schedule (shell script)', ratio, '×', { target: { max: TARGET_RATIO }, rounds: ratios }),
      metric('gantry --bind / ideal schedule (shell script)', median(bindRatios), '×', { rounds: bindRatios }),
      metric('gantry with the launcher for Node / shell script', median(nodeLauncherRatios), '×', { rounds: nodeLauncherRatios }),
      metric(`gantry with the launcher for Node / gantry with the ${defaultExecutor.launcher} launcher`, median(launcherGains), '×', { rounds: launcherGains }),
      metric('gantry / the same schedule from a Node scheduler in this process', median(nodeRatios), '×', { rounds: nodeRatios }),
      metric('Node scheduler / shell script (what a spawn from a large process costs)', median(spawnCosts), '×', { rounds: spawnCosts }),
      metric('small Node process / shell script (the floor for a Node process launcher)', median(smallSpawnCosts), '×', { rounds: smallSpawnCosts }),
      metric('share of the run spent on workspace checkouts (1 − bind/default)', median(checkoutShare), '%', { rounds: checkoutShare }),
      metric('creating one empty file in the temp folder (before the rounds)', createCost, 'µs'),
      metric("Gantry's extra wall time per job", median(extraPerJob), 'ms', { rounds: extraPerJob }),
      metric(`gantry with its logs ${memoryLogsAre} / shell script`, median(memoryLogRatios), '×', { rounds: memoryLogRatios }),
      metric(`a job's log files in the run's folder on disk, less ${memoryLogsAre} (per job)`, median(logFileCosts), 'ms', { rounds: logFileCosts }),
    ],
    samplesMs: samples,
    medianMs: medians(samples),
    notes: [
      'in-process: runWorkflows with maxParallelJobs 2, the HostExecutor and the file sink; planning is done once, outside the time',
      `Gantry's steps are started by its ${defaultExecutor.launcher === 'native' ? 'C' : 'Node (no C compiler here)'} process launcher`,
      `one Gantry variant keeps its logs ${memoryLogsAre}: a job's log is one new file, and each new inode on disk costs what the 'creating one empty file' line says`,
    ],
  };
});
