// `gantry run` as a user runs it, on a real temporary repository: the exit code,
// the output, the `--json` report and every file the run left in its log folder.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { gantryBin, runGantry, type CliResult } from './cli.ts';
import { createRepo, type TempRepo } from './git-repo.ts';

export interface StepReport {
  id: string;
  name: string;
  outcome: string;
  conclusion: string;
  outputs: Record<string, string>;
  durationMs: number;
}

export interface JobReport {
  id: string;
  name: string;
  matrix: Record<string, unknown> | null;
  conclusion: string;
  continuedOnError: boolean;
  durationMs: number;
  outputs: Record<string, string>;
  annotations: { level: string; message: string; title?: string; file?: string; line?: number; col?: number }[];
  summaries: { step: number; markdown: string }[];
  steps: StepReport[];
}

export interface RunReport {
  runId: string;
  conclusion: string;
  durationMs: number;
  logDir: string;
  workflows: { file: string; name: string; conclusion: string; jobs: JobReport[] }[];
}

export interface RunOutcome extends CliResult {
  /** The `--json` report, or undefined when the run wrote none. */
  report: RunReport | undefined;
  /** The report as written, to search for text that must not be there. */
  reportText: string;
}

/** Removes the common indentation of a template literal, so workflows can be written indented. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)![0].length);
  const common = Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}

/** A repository with these workflows (file names under .github/workflows) and other files, committed. */
export function workflowRepo(workflows: Record<string, string>, files: Record<string, string> = {}): Promise<TempRepo> {
  const all: Record<string, string> = { ...files };
  for (const [name, content] of Object.entries(workflows)) all[`.github/workflows/${name}`] = dedent(content);
  return createRepo(all);
}

/**
 * The `gantry run` arguments every test uses: this repository, four jobs at once, a JSON report,
 * and `--offline` unless the test names its own loopback `--actions-url`: tests never reach beyond loopback.
 */
function runArgs(repo: TempRepo | string, args: readonly string[], json: string): string[] {
  const offline = args.includes('--actions-url') ? [] : ['--offline'];
  return ['run', '-C', typeof repo === 'string' ? repo : repo.dir, '--jobs', '4', ...offline, '--json', json, ...args];
}

/** Where the report goes: a folder of its own, outside the repository, removed once read. */
async function reportFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'gantry-report-')), 'report.json');
}

async function readReport(json: string): Promise<{ report: RunReport | undefined; reportText: string }> {
  try {
    if (!existsSync(json)) return { report: undefined, reportText: '' };
    const reportText = await readFile(json, 'utf8');
    return { report: JSON.parse(reportText) as RunReport, reportText };
  } finally {
    await rm(path.dirname(json), { recursive: true, force: true });
  }
}

/** Runs `gantry run` in the repository (or folder) and reads its report. */
export async function gantryRun(repo: TempRepo | string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunOutcome> {
  const json = await reportFile();
  const result = await runGantry(runArgs(repo, args, json), { env });
  return { ...result, ...(await readReport(json)) };
}

export interface StartedRun {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves when gantry has exited, with what it printed and its report. */
  done: Promise<RunOutcome>;
}

/** Starts `gantry run` without waiting for it, for tests that signal it. */
export async function startGantryRun(repo: TempRepo, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<StartedRun> {
  const json = await reportFile();
  const child = spawn(process.execPath, [gantryBin, ...runArgs(repo, args, json)], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  }).then(async (result) => ({ ...result, ...(await readReport(json)) }));
  return { child, done };
}

/** Every file under the run's log folder, by path relative to it. */
export async function logFiles(report: RunReport): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(report.logDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(report.logDir, full), await readFile(full, 'utf8'));
  }
  return files;
}

/** A workflow of the report, by position or by name. */
export function workflowOf(report: RunReport, workflow: number | string = 0): RunReport['workflows'][number] {
  const found = typeof workflow === 'number' ? report.workflows[workflow] : report.workflows.find((w) => w.name === workflow);
  if (!found) throw new Error(`no workflow ${workflow} in the report: ${report.workflows.map((w) => w.name).join(', ')}`);
  return found;
}

/** The job leg with this id (and matrix leg index among its legs). */
export function jobOf(report: RunReport, id: string, leg = 0, workflow: number | string = 0): JobReport {
  const jobs = workflowOf(report, workflow).jobs;
  const job = jobs.filter((j) => j.id === id)[leg];
  if (!job) throw new Error(`no job ${id} (leg ${leg}) in the report: ${jobs.map((j) => j.name).join(', ')}`);
  return job;
}

export function stepOf(job: JobReport, id: string): StepReport {
  const step = job.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in job ${job.name}: ${job.steps.map((s) => s.id).join(', ')}`);
  return step;
}

/** Job name -> conclusion for every leg of a workflow (the first by default). */
export function conclusions(report: RunReport, workflow: number | string = 0): Record<string, string> {
  return Object.fromEntries(workflowOf(report, workflow).jobs.map((job) => [job.name, job.conclusion]));
}

/** Lines of stdout printed for this job (`[Workflow/job] ...`), without the prefix. */
export function jobLines(stdout: string, workflow: string, job: string): string[] {
  const prefix = `[${workflow}/${job}] `;
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length));
}

/** A temporary folder for files steps write outside their workspace (timestamps, markers). */
export async function scratchDir(): Promise<{ dir: string; read(name: string): Promise<string>; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gantry-marks-'));
  return {
    dir,
    read: (name) => readFile(path.join(dir, name), 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
/** True while the process runs; a zombie (ended, not yet reaped by whoever adopted it) counts as ended. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` holds, or throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
