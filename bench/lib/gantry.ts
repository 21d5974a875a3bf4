// Gantry in-process, as `gantry run` drives it: a real git repository in a
// temporary folder, the plan of a push to `main`, and runWorkflows with the
// real HostExecutor and the file sink that keeps every step's log.

import { checkout } from '../../src/actions/checkout.ts';
import { NativeServiceProvider } from '../../src/services/native.ts';
import { builtinActions } from '../../src/actions/builtin/index.ts';
import { LocalActionResolver } from '../../src/actions/local-resolver.ts';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EngineListener } from '../../src/engine/events.ts';
import { runWorkflows } from '../../src/engine/run.ts';
import type { RunResult } from '../../src/engine/types.ts';
import { HostExecutor } from '../../src/executors/host.ts';
import type { Executor } from '../../src/executors/types.ts';
import { createFileSink } from '../../src/logs/file-sink.ts';
import { buildPushEvent } from '../../src/plan/events/index.ts';
import { planRun } from '../../src/plan/planner.ts';
import type { RunPlan } from '../../src/plan/types.ts';
import { discoverWorkflowFiles, loadWorkflowFile } from '../../src/workflow/load.ts';

const execFileAsync = promisify(execFile);

/** A git repository on branch `main` whose one commit holds `files`. */
export async function createGitRepo(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  const git = (...args: string[]) => execFileAsync('git', args, { cwd: dir });
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.name', 'Gantry Bench');
  await git('config', 'user.email', 'bench@gantry.invalid');
  await git('config', 'commit.gpgsign', 'false');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'benchmark workflow');
}

/** The plan of a push of the checked-out branch, as `gantry run -C DIR` makes it; broken workflows are an error. */
export async function planPush(repoDir: string): Promise<RunPlan> {
  const files = await discoverWorkflowFiles(path.join(repoDir, '.github', 'workflows'));
  const inputs = await Promise.all(files.map((file) => loadWorkflowFile(file, path.relative(repoDir, file))));
  const plan = planRun(inputs, await buildPushEvent(repoDir, {}));
  const errors = plan.workflows.flatMap((wp) => wp.diagnostics.filter((d) => d.severity === 'error'));
  if (errors.length > 0) throw new Error(`the benchmark's workflow has errors: ${errors.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  if (!plan.workflows.some((wp) => wp.triggered && wp.jobs.length > 0)) throw new Error("the benchmark's workflow is not triggered by a push to main");
  return plan;
}

export interface EngineRunOptions {
  /** Where steps run; the host executor by default. */
  executor?: Executor;
  maxParallelJobs?: number;
  secrets?: Record<string, string>;
  bind?: boolean;
  /** The folder the run's log folder is made in; `<repoDir>/.gantry/runs` by default. */
  logRoot?: string;
}

export interface EngineRun {
  ms: number;
  result: RunResult;
  logDir: string;
}

let runCounter = 0;

/**
 * Runs the plan through runWorkflows with what `gantry run` passes it (minus the terminal renderer):
 * the host executor and the file sink. The time covers the run and the flushing of its logs. A run
 * that does not succeed is an error: its numbers would mean nothing.
 */
export async function runEngine(plan: RunPlan, repoDir: string, options: EngineRunOptions = {}): Promise<EngineRun> {
  const runId = `bench-${process.pid}-${++runCounter}`;
  const logDir = path.join(options.logRoot ?? path.join(repoDir, '.gantry', 'runs'), runId);
  const files = createFileSink(logDir);
  const failures: string[] = [];
  const listener: EngineListener = (event) => {
    files.listener(event);
    if (event.type === 'log' && event.stream === 'system' && event.line.startsWith('Error')) failures.push(event.line);
  };
  const started = performance.now();
  const result = await runWorkflows(plan, {
    runId,
    repoDir,
    projectPath: '',
    logDir,
    actions: new LocalActionResolver([checkout, ...builtinActions]),
    services: new NativeServiceProvider(),
    sandboxNetwork: false,
    executor: options.executor ?? new HostExecutor(),
    maxParallelJobs: options.maxParallelJobs ?? 1,
    secrets: options.secrets ?? {},
    vars: {},
    env: {},
    bind: options.bind ?? false,
    debug: false,
    cancel: new AbortController().signal,
    kill: new AbortController().signal,
    listener,
  });
  const unwritten = await files.close();
  const ms = performance.now() - started;
  if (unwritten.length > 0) throw new Error(`logs could not be written: ${unwritten.slice(0, 5).join(' | ')}`);
  if (result.conclusion !== 'success') {
    throw new Error(`the Gantry run ended in ${result.conclusion}: ${failures.slice(0, 5).join(' | ') || 'no error lines'} (logs: ${logDir})`);
  }
  return { ms, result, logDir };
}
