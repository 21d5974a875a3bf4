// step-overhead: what Gantry adds to every step. One job of N `run: 'true'`
// steps (N = 300 at scale 1) run by the engine in-process, against the same N
// scripts run with GitHub's bash argv by child_process.spawn, one after
// another, from this same process. Also timed: the same N scripts run by a bash
// loop (what starting them costs at the least here), and the same workflow
// through `bin/gantry.js run` (node start-up and planning included).

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { preferredLauncher } from '../src/executors/native-launcher.ts';
import { SandboxExecutor } from '../src/executors/sandbox.ts';
import { createGitRepo, planPush, runEngine } from './lib/gantry.ts';
import { log, median, medians, metric, perRound, rounds, runBenchmark, scaled, tempDir, timed } from './lib/harness.ts';
import { bashPath, bashScriptLine, mustRun, runBashScript, runGantryCli, writeScript } from './lib/process.ts';

const TARGET_MS_PER_STEP = 2;

function workflow(steps: number): string {
  const lines = ['on: push', 'jobs:', '  steps:', '    runs-on: ubuntu-latest', '    defaults:', '      run:', '        shell: bash', '    steps:'];
  for (let i = 0; i < steps; i++) lines.push("      - run: 'true'");
  return lines.join('\n') + '\n';
}

async function setUp(steps: number, label: string) {
  const root = await tempDir(label);
  const repo = path.join(root, 'repo');
  await createGitRepo(repo, { '.github/workflows/steps.yml': workflow(steps) });
  const plan = await planPush(repo);
  const script = await writeScript(path.join(root, 'step.sh'), 'true');
  return { repo, plan, script };
}

await runBenchmark('step-overhead', { runs: 5 }, async (options) => {
  const steps = scaled(300, options.scale, 3);
  const bash = bashPath();

  const make = async (size: number, label: string) => {
    const { repo, plan, script } = await setUp(size, label);
    const runStep = bashScriptLine(bash, script);
    const loop = await writeScript(path.join(path.dirname(script), 'loop.sh'), `for ((i = 0; i < ${size}; i++)); do ${runStep}; done`);
    const clean = (logDir: string) => rm(logDir, { recursive: true, force: true });
    return {
      // The baseline: `bash --noprofile --norc -e -o pipefail step.sh`, `size` times in a row.
      baseline: () =>
        timed(async () => {
          for (let i = 0; i < size; i++) await runBashScript(bash, script);
        }),
      // The floor: the same scripts started by bash's own fork, exec and wait.
      shellLoop: () => timed(() => mustRun(bash, [loop])),
      gantry: async () => {
        const run = await runEngine(plan, repo);
        const done = run.result.workflows[0]?.jobs[0]?.steps.filter((s) => s.outcome === 'success').length;
        if (done !== size) throw new Error(`expected ${size} successful steps, Gantry reports ${done}`);
        await clean(run.logDir);
        return run.ms;
      },
      // The same job with every step under bubblewrap (--executor sandbox).
      sandbox: async () => {
        const run = await runEngine(plan, repo, { executor: new SandboxExecutor() });
        await clean(run.logDir);
        return run.ms;
      },
      cli: async () => {
        const ms = (await runGantryCli(['run', '-C', repo, '--jobs', '1'])).ms;
        await rm(path.join(repo, '.gantry'), { recursive: true, force: true });
        return ms;
      },
    };
  };

  if (options.warmup) {
    log('warm-up (10 steps, untimed)');
    const warm = await make(Math.min(10, steps), 'steps-warmup');
    for (const variant of Object.values(warm)) await variant();
  }
  log(`measuring ${steps} steps, ${options.runs} round(s)`);
  const samples = await rounds(options.runs, await make(steps, 'steps'));

  const extra = perRound(samples, (t) => (t.gantry - t.baseline) / steps);
  const extraOverShell = perRound(samples, (t) => (t.gantry - t.shellLoop) / steps);
  const extraCli = perRound(samples, (t) => (t.cli - t.baseline) / steps);
  const ratios = perRound(samples, (t) => t.gantry / t.baseline);
  const sandboxExtra = perRound(samples, (t) => (t.sandbox - t.gantry) / steps);
  const sandboxRatios = perRound(samples, (t) => t.sandbox / t.gantry);
  const ratio = median(ratios);
  return {
    description: `one job of ${steps} \`run: 'true'\` steps (shell: bash) vs ${steps} bash spawns of the same argv`,
    sizes: { steps },
    ratio,
    ratioOf: 'gantry in-process / baseline bash spawns',
    metrics: [
      metric("Gantry's extra cost per step (in-process)", median(extra), 'ms', { target: { max: TARGET_MS_PER_STEP }, rounds: extra }),
      metric('gantry in-process / baseline', ratio, '×', { rounds: ratios }),
      metric('extra cost per step through `gantry run` (start-up and planning included)', median(extraCli), 'ms', { rounds: extraCli }),
      metric('baseline cost per step (bash spawn)', median(samples.baseline) / steps, 'ms'),
      metric("Gantry's extra cost per step over a bash loop (the floor)", median(extraOverShell), 'ms', { rounds: extraOverShell }),
      metric('bash loop cost per step', median(samples.shellLoop) / steps, 'ms'),
      metric('sandbox executor / host executor', median(sandboxRatios), '×', { rounds: sandboxRatios }),
      metric('extra cost per step of the sandbox executor over the host executor', median(sandboxExtra), 'ms', { rounds: sandboxExtra }),
    ],
    samplesMs: samples,
    medianMs: medians(samples),
    notes: [
      'in-process: runWorkflows with the HostExecutor and the file sink (no terminal renderer); planning is done once, outside the time',
      'the per-step figure includes the job\'s fixed costs (workspace checkout, event file) spread over the steps',
      `steps are started by Gantry's ${preferredLauncher() === 'native' ? 'C' : 'Node (no C compiler here)'} process launcher`,
    ],
  };
});
