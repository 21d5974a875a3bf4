// `npm run bench [-- NAME... --scale X --runs N --no-warmup --results-dir DIR]`:
// runs each benchmark (all of them, or those named) as a process of its own,
// prints a table of every measure with its target, and saves the results as
// JSON: DIR/<timestamp>.json for this invocation, and DIR/latest.json, which
// keeps the latest result of every benchmark (default DIR: bench/results).

import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatMet, formatTarget, formatValue, machineInfo, revision, type BenchResult, type Revision } from './lib/harness.ts';

const benchmarks = ['step-overhead', 'logs', 'startup', 'scheduling', 'cache', 'server'] as const;

const benchDir = path.dirname(fileURLToPath(import.meta.url));

interface Invocation {
  at: string;
  args: string[];
  machine: ReturnType<typeof machineInfo>;
  revision: Revision;
  /** The load averages when the last benchmark ended (the machine's at the start are in `machine`). */
  loadAverageAtEnd?: number[];
  minutes?: number;
  results: BenchResult[];
  failed: { name: string; exitCode: number | null }[];
}

function usage(): string {
  return `usage: npm run bench -- [NAME...] [--scale X] [--runs N] [--no-warmup] [--results-dir DIR]
       npm run bench -- --latest   (the table of the latest result of every benchmark, running none)
benchmarks: ${benchmarks.join(', ')}`;
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      runs: { type: 'string' },
      'no-warmup': { type: 'boolean', default: false },
      latest: { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const unknown = positionals.filter((name) => !(benchmarks as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}`);
  const passOn = [
    ...(values.scale !== undefined ? ['--scale', values.scale] : []),
    ...(values.runs !== undefined ? ['--runs', values.runs] : []),
    ...(values['no-warmup'] ? ['--no-warmup'] : []),
  ];
  return {
    help: values.help,
    latest: values.latest,
    names: positionals.length > 0 ? [...new Set(positionals)] : [...benchmarks],
    passOn,
    resultsDir: path.resolve(values['results-dir'] ?? path.join(benchDir, 'results')),
  };
}

/** One benchmark in a process of its own: the progress and the result go to this terminal, the JSON to a file. */
function runOne(name: string, args: string[], jsonFile: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(benchDir, `${name}.ts`), ...args, '--json', jsonFile], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? null : code));
  });
}

function resultsTable(results: readonly BenchResult[]): string {
  const rows = [
    ['benchmark', 'measure', 'value', 'target', 'met'],
    ...results.flatMap((result) => result.metrics.map((m) => [result.name, m.name, formatValue(m.value, m.unit), formatTarget(m), formatMet(m)])),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function readLatest(file: string): Promise<BenchResult[]> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { results?: BenchResult[] };
    return Array.isArray(parsed.results) ? parsed.results : [];
  } catch {
    return [];
  }
}

async function main(): Promise<number> {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage()}`);
    return 2;
  }
  if (options.latest) {
    console.log(resultsTable(await readLatest(path.join(options.resultsDir, 'latest.json'))));
    return 0;
  }
  if (options.help) {
    console.log(usage());
    return 0;
  }
  await mkdir(options.resultsDir, { recursive: true });
  const started = Date.now();
  const invocation: Invocation = { at: new Date().toISOString(), args: process.argv.slice(2), machine: machineInfo(), revision: revision(), results: [], failed: [] };
  // The child gets Ctrl-C too and cleans up after itself; this process waits for it.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    for (const name of options.names) {
      console.log(`\n=== ${name} ===`);
      const jsonFile = path.join(options.resultsDir, `${name}.json.tmp`);
      await rm(jsonFile, { force: true });
      const exitCode = await runOne(name, options.passOn, jsonFile);
      if (exitCode !== 0) {
        invocation.failed.push({ name, exitCode });
        if (exitCode === null || exitCode === 130) break;
        continue;
      }
      invocation.results.push(JSON.parse(await readFile(jsonFile, 'utf8')) as BenchResult);
      await rm(jsonFile, { force: true });
    }
  } finally {
    process.off('SIGINT', ignore);
  }

  const minutes = (Date.now() - started) / 60_000;
  invocation.minutes = Math.round(minutes * 100) / 100;
  invocation.loadAverageAtEnd = machineInfo().loadAverage;
  console.log(`\n${resultsTable(invocation.results)}`);
  const m = invocation.machine;
  const r = invocation.revision;
  console.log(
    `\n${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load ${m.loadAverage.join(' ')} -> ${invocation.loadAverageAtEnd.join(' ')}; ` +
      `commit ${r.commit.slice(0, 12)}${r.uncommittedChanges ? ' + uncommitted changes in src/' : ''}; ${minutes.toFixed(1)} min`,
  );
  if (invocation.failed.length > 0) console.log(`FAILED: ${invocation.failed.map((f) => `${f.name} (exit ${f.exitCode ?? 'signal'})`).join(', ')}`);

  const stamp = invocation.at.replace(/[:.]/g, '-');
  const latestFile = path.join(options.resultsDir, 'latest.json');
  const previous = await readLatest(latestFile);
  const ran = new Set(invocation.results.map((r) => r.name));
  const latest = [...previous.filter((r) => !ran.has(r.name)), ...invocation.results].sort(
    (a, b) => benchmarks.indexOf(a.name as (typeof benchmarks)[number]) - benchmarks.indexOf(b.name as (typeof benchmarks)[number]),
  );
  await writeFile(path.join(options.resultsDir, `${stamp}.json`), JSON.stringify(invocation, null, 2) + '\n');
  await writeFile(latestFile, JSON.stringify({ updated: invocation.at, machine: invocation.machine, results: latest }, null, 2) + '\n');
  console.log(`results: ${path.relative(process.cwd(), path.join(options.resultsDir, `${stamp}.json`))}, ${path.relative(process.cwd(), latestFile)}`);
  return invocation.failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
