// logs: a step that prints a lot. The step runs `python3 print-log.py` (200 MB
// at scale 1, secrets on some lines) with 100 secrets registered; the baseline
// runs the same command with GitHub's bash argv and `> file`. Every kept log
// file of the run is then scanned for every secret: one found fails the
// benchmark. Also: the SecretMasker alone on the same text, line by line, in
// this process, against a loop that only reads each line's length.

import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretMasker } from '../src/engine/masking.ts';
import { createGitRepo, planPush, runEngine } from './lib/gantry.ts';
import { log, median, medians, metric, perRound, rounds, runBenchmark, tempDir, timed } from './lib/harness.ts';
import { bashPath, runBashScript, writeScript } from './lib/process.ts';

const TARGET_RATIO = 1.5;
const SECRET_COUNT = 100;
/** Every this-many-th printed line carries a secret. */
const SECRET_EVERY = 250;
const printLog = fileURLToPath(new URL('./lib/print-log.py', import.meta.url));

/** The same secrets on every run: a small seeded generator (mulberry32). */
function makeSecrets(count: number): string[] {
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const kinds = [
    () => `ghp_${pick(alnum, 36)}`,
    () => pick(`${alnum}+/`, 40),
    () => `xoxb-${pick('0123456789', 12)}-${pick(alnum, 24)}`,
    () => pick(`${alnum}!#%*-_=+.:@~^`, 16 + Math.floor(random() * 9)),
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!());
}

function stepWorkflow(secretsFile: string, megabytes: number): string {
  const command = `python3 ${printLog} ${secretsFile} ${megabytes} ${SECRET_EVERY}`;
  return `on: push
jobs:
  logs:
    runs-on: ubuntu-latest
    steps:
      - name: print
        shell: bash
        run: ${JSON.stringify(command)}
`;
}

const execFileAsync = (program: string, args: string[]) =>
  new Promise<{ code: number; stdout: string }>((resolve, reject) => {
    execFile(program, args, { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout });
    });
  });

/** Lines of `file` that contain any of the strings in `patternsFile` (grep -F: Aho–Corasick, not the code under test). */
async function linesWithAny(patternsFile: string, file: string): Promise<{ count: number; examples: string }> {
  const counted = await execFileAsync('grep', ['-c', '-F', '-f', patternsFile, file]);
  if (counted.code > 1) throw new Error(`grep failed on ${file}`);
  const count = Number(counted.stdout.trim());
  if (count === 0) return { count, examples: '' };
  const found = await execFileAsync('grep', ['-o', '-F', '-m', '3', '-f', patternsFile, file]);
  return { count, examples: found.stdout.trim().split('\n').slice(0, 3).join(', ') };
}

async function countNewlines(file: string): Promise<number> {
  let count = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
  }
  return count;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

interface Expected {
  bytes: number;
  lines: number;
  secretLines: number;
}

/**
 * Fails loudly unless every kept file of the run is free of secrets and the job's log holds every
 * line the step printed, with a mask where the secrets were.
 */
async function verifyRun(logDir: string, patternsFile: string, expected: Expected): Promise<void> {
  const files = await filesUnder(logDir);
  for (const file of files) {
    const leaks = await linesWithAny(patternsFile, file);
    if (leaks.count > 0) {
      throw new Error(`SECRET LEAKED: ${leaks.count} line(s) of ${path.relative(logDir, file)} contain a registered secret (first: ${leaks.examples})`);
    }
  }
  const jobLog = files.find((file) => /[/\\]logs[/\\]logs\.log$/.test(file));
  if (!jobLog) throw new Error(`no log for the "logs" job among ${files.map((f) => path.relative(logDir, f)).join(', ')}`);
  const lines = await countNewlines(jobLog);
  if (lines < expected.lines) throw new Error(`the job's log has ${lines} lines, the step printed ${expected.lines}: output was lost`);
  const masked = await execFileAsync('grep', ['-c', '-F', '***', jobLog]);
  const maskedLines = Number(masked.stdout.trim());
  if (maskedLines < expected.secretLines) {
    throw new Error(`only ${maskedLines} line(s) of the job's log show *** where ${expected.secretLines} printed a secret`);
  }
}

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

await runBenchmark('logs', { runs: 3 }, async (options) => {
  const megabytes = Math.max(0.1, Math.round(200 * options.scale * 100) / 100);
  const bash = bashPath();
  const secrets = makeSecrets(SECRET_COUNT);
  const root = await tempDir('logs');
  const secretsFile = path.join(root, 'secrets.json');
  await writeFile(secretsFile, JSON.stringify(secrets));
  // What must never reach a log: every secret, and the base64 form the step prints.
  const patternsFile = path.join(root, 'forbidden.txt');
  await writeFile(patternsFile, [...secrets, ...secrets.map((s) => Buffer.from(s).toString('base64'))].join('\n') + '\n');

  const make = async (size: number, label: string) => {
    const repo = path.join(root, label);
    await createGitRepo(repo, { '.github/workflows/logs.yml': stepWorkflow(secretsFile, size) });
    const plan = await planPush(repo);
    const output = path.join(root, `${label}-baseline.txt`);
    const script = await writeScript(path.join(root, `${label}-baseline.sh`), `python3 ${printLog} ${secretsFile} ${size} ${SECRET_EVERY} > ${output}`);
    const registered = Object.fromEntries(secrets.map((value, i) => [`BENCH_SECRET_${i}`, value]));
    let expected: Expected | undefined;
    const expectation = async (): Promise<Expected> => {
      const secretLines = (await linesWithAny(patternsFile, output)).count;
      if (secretLines === 0) throw new Error('the baseline output holds no secret: the leak check would prove nothing');
      return { bytes: (await stat(output)).size, lines: await countNewlines(output), secretLines };
    };
    const pendingLogs: string[] = [];
    const rssGrowth: number[] = [];
    return {
      output,
      rssGrowth,
      expected: async () => (expected ??= await expectation()),
      variants: {
        baseline: () => timed(() => runBashScript(bash, script)),
        gantry: async () => {
          const before = process.memoryUsage.rss();
          let peak = before;
          const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
          try {
            const run = await runEngine(plan, repo, { secrets: registered });
            pendingLogs.push(run.logDir);
            return run.ms;
          } finally {
            clearInterval(sampler);
            rssGrowth.push((Math.max(peak, process.memoryUsage.rss()) - before) / 1e6);
          }
        },
      },
      /** Untimed: every run's kept logs are checked, then removed. */
      verify: async () => {
        const wanted = await (expected ??= await expectation());
        for (const logDir of pendingLogs.splice(0)) {
          await verifyRun(logDir, patternsFile, wanted);
          await rm(logDir, { recursive: true, force: true });
        }
      },
    };
  };

  if (options.warmup) {
    log('warm-up (1 MB, untimed)');
    const warm = await make(1, 'warmup');
    for (const variant of Object.values(warm.variants)) await variant();
    await warm.verify();
  }
  log(`measuring ${megabytes} MB with ${SECRET_COUNT} secrets, ${options.runs} round(s)`);
  const main = await make(megabytes, 'main');
  const samples = await rounds(options.runs, main.variants, () => main.verify());
  const expected = await main.expected();

  // The masker alone, in this process, on the same text (the baseline's output), line by line.
  log('SecretMasker in-process, line by line');
  const lines = await readLines(main.output);
  const masker = new SecretMasker();
  for (const secret of secrets) masker.add(secret);
  let sink = 0;
  let changed = 0;
  const maskerSamples = await rounds(options.runs, {
    lengthLoop: () =>
      timed(async () => {
        for (const line of lines) sink += line.length;
      }),
    mask: () =>
      timed(async () => {
        changed = 0;
        for (const line of lines) {
          const masked = masker.mask(line);
          sink += masked.length;
          if (masked !== line) changed++;
        }
      }),
  });
  if (changed !== expected.secretLines) throw new Error(`the masker changed ${changed} line(s); ${expected.secretLines} hold a secret`);
  if (sink === 0) throw new Error('nothing was read');

  const megabytesRead = expected.bytes / 1e6;
  const ratios = perRound(samples, (t) => t.gantry / t.baseline);
  const ratio = median(ratios);
  const maskerRatios = perRound(maskerSamples, (t) => t.mask / t.lengthLoop);
  return {
    description: `a step printing ${megabytes} MB (${expected.lines} lines, ${expected.secretLines} with secrets) with ${SECRET_COUNT} secrets registered vs the same command \`> file\``,
    sizes: { megabytes, lines: expected.lines, secretLines: expected.secretLines, secrets: SECRET_COUNT, maskedPatterns: masker.size },
    ratio,
    ratioOf: 'gantry in-process / the same command > file',
    metrics: [
      metric('gantry / command > file', ratio, '×', { target: { max: TARGET_RATIO }, rounds: ratios }),
      metric('secrets found in the kept logs (every round checked)', 0, 'leaks', { target: { max: 0 } }),
      metric('producer throughput (command > file)', megabytesRead / (median(samples.baseline) / 1000), 'MB/s'),
      metric('Gantry throughput (whole run, logs flushed)', megabytesRead / (median(samples.gantry) / 1000), 'MB/s'),
      metric("growth of this process's memory (RSS) during the Gantry run", median(main.rssGrowth), 'MB', { rounds: main.rssGrowth }),
      metric('SecretMasker throughput, line by line', megabytesRead / (median(maskerSamples.mask) / 1000), 'MB/s'),
      metric('line.length loop throughput', megabytesRead / (median(maskerSamples.lengthLoop) / 1000), 'MB/s'),
      metric('SecretMasker / line.length loop', median(maskerRatios), '×', { rounds: maskerRatios }),
    ],
    samplesMs: { ...samples, maskerLengthLoop: maskerSamples.lengthLoop, maskerMask: maskerSamples.mask },
    medianMs: { ...medians(samples), maskerLengthLoop: median(maskerSamples.lengthLoop), maskerMask: median(maskerSamples.mask) },
    notes: [
      'the step is python3 bench/lib/print-log.py (64 KiB-buffered writes); its own speed sets what "keeping up" means',
      'in-process: runWorkflows with the HostExecutor and the file sink; the time includes flushing the kept logs',
      `${masker.size} strings are masked: each secret and the encoded forms the runner registers`,
    ],
  };
});
