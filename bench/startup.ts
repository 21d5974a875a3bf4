// startup: how long the gantry command takes to answer for small work.
// `gantry plan` and `gantry lint` on the seed's workflows
// (../shared/seed/workflows next to the repository; the example project's
// workflows when the seed is not there), and `gantry --version`, each against
// `node -e 0`. Informational: no target.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { createGitRepo } from './lib/gantry.ts';
import { log, median, medians, metric, perRound, rounds, runBenchmark, tempDir } from './lib/harness.ts';
import { mustRun, repoRoot, runGantryCli } from './lib/process.ts';

function workflowsFolder(): { folder: string; which: string } {
  const seed = path.resolve(repoRoot, '..', 'shared', 'seed', 'workflows');
  if (existsSync(seed)) return { folder: seed, which: "the seed's workflows" };
  return { folder: path.join(repoRoot, 'examples', 'ai-etl', '.github', 'workflows'), which: "examples/ai-etl's workflows (the seed is not next to this repository)" };
}

await runBenchmark('startup', { runs: 10 }, async (options) => {
  const { folder, which } = workflowsFolder();
  // `plan` builds its event from git: a push to main in a repository of its own.
  const repo = path.join(await tempDir('startup'), 'repo');
  await createGitRepo(repo, { 'README.md': 'startup benchmark\n' });

  const variants = {
    node: async () => (await mustRun(process.execPath, ['-e', '0'])).ms,
    version: async () => (await runGantryCli(['--version'])).ms,
    plan: async () => (await runGantryCli(['plan', '-C', repo, '--workflows', folder])).ms,
    lint: async () => (await runGantryCli(['lint', folder])).ms,
  };
  if (options.warmup) {
    log('warm-up (untimed)');
    for (const variant of Object.values(variants)) await variant();
  }
  log(`measuring ${options.runs} round(s) on ${folder}`);
  const samples = await rounds(options.runs, variants);

  const planRatios = perRound(samples, (t) => t.plan / t.node);
  const lintRatios = perRound(samples, (t) => t.lint / t.node);
  const versionRatios = perRound(samples, (t) => t.version / t.node);
  return {
    description: `gantry plan / lint / --version on ${which} vs node -e 0`,
    sizes: { workflows: folder },
    ratio: median(planRatios),
    ratioOf: 'gantry plan / node -e 0',
    metrics: [
      metric('gantry plan / node -e 0', median(planRatios), '×', { rounds: planRatios }),
      metric('gantry lint / node -e 0', median(lintRatios), '×', { rounds: lintRatios }),
      metric('gantry --version / node -e 0', median(versionRatios), '×', { rounds: versionRatios }),
    ],
    samplesMs: samples,
    medianMs: medians(samples),
    notes: ['each is a whole process: node start-up, the tsx loader, module loading, the command, exit'],
  };
});
