// `gantry run`: plan the event, run what it triggers on this machine, show it
// live, keep the logs, and exit 0 only when every job succeeded.

import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import path from 'node:path';
import { stat, writeFile } from 'node:fs/promises';
import { runWorkflows } from '../engine/run.ts';
import { checkout } from '../actions/checkout.ts';
import { ContainerEngine } from '../containers/engine.ts';
import { EngineAddressError, parseEngineAddress } from '../containers/locate.ts';
import { JobContainers } from '../executors/job-container.ts';
import { AutoServiceProvider } from '../services/auto.ts';
import { ContainerServiceProvider } from '../services/container.ts';
import { NativeServiceProvider } from '../services/native.ts';
import type { ServiceProvider } from '../services/types.ts';
import { builtinActions } from '../actions/builtin/index.ts';
import { ActionStore } from '../actions/store/action-store.ts';
import { StoreActionResolver } from '../actions/store/store-resolver.ts';
import { remoteWorkflowFetcher } from '../actions/store/workflow-fetcher.ts';
import { HostExecutor } from '../executors/host.ts';
import type { Executor } from '../executors/types.ts';
import { createFileSink } from '../logs/file-sink.ts';
import { topLevel } from '../plan/git.ts';
import { planRun } from '../plan/planner.ts';
import type { EngineEvent } from '../engine/events.ts';
import { eventFromOptions, type EventOptions } from './event-options.ts';
import type { CommandIO } from './io.ts';
import { UsageError } from './io.ts';
import { loadCalledWorkflows } from '../workflow/calls.ts';
import { loadRepositoryWorkflows } from './plan-command.ts';
import { formatPlan } from './plan-format.ts';
import { createRenderer } from './render/index.ts';
import { runReport } from './run-report.ts';
import { runRuntime } from '../storage/run-runtime.ts';
import { collectSecrets, collectVariables, parseMatrixFilters, readEnvFile } from './run-options.ts';
import { selectJobs } from './run-selection.ts';

export interface RunCommandOptions extends EventOptions {
  directory: string;
  workflows?: string;
  job: string[];
  only: boolean;
  matrix: string[];
  secret: string[];
  secretFile: string[];
  var: string[];
  varFile: string[];
  envFile?: string;
  jobs?: string;
  json?: string;
  dryRun: boolean;
  color: boolean;
  bind: boolean;
  verbose: boolean;
  builtin: string[];
  executor: 'host' | 'sandbox';
  sandboxNetwork: boolean;
  services: 'auto' | 'container' | 'native';
  containerEngine?: string;
  /** Where caches are kept (default `$XDG_CACHE_HOME/gantry/cache`). */
  cacheDir?: string;
}

export interface RunTerminal {
  isTTY: boolean;
  columns?: number;
  rows?: number;
}

/** `--executor`: where steps run. */
async function executorNamed(name: 'host' | 'sandbox'): Promise<Executor> {
  if (name === 'host') return new HostExecutor();
  const { SandboxExecutor } = await import('../executors/sandbox.ts');
  return new SandboxExecutor();
}

/** The container engine, connected once, on first use; every job that needs one gets the same answer. */
function engineOnDemand(flag: string | undefined): () => Promise<ContainerEngine> {
  if (flag !== undefined) {
    try {
      parseEngineAddress(flag, '--container-engine');
    } catch (error) {
      if (error instanceof EngineAddressError) throw new UsageError(error.message);
      throw error;
    }
  }
  let connecting: Promise<ContainerEngine> | undefined;
  return () => (connecting ??= ContainerEngine.connect(flag === undefined ? {} : { flag }));
}

/** `--services`: containers, native programs, or containers when an engine answers. */
function serviceProvider(kind: RunCommandOptions['services'], engine: () => Promise<ContainerEngine>): ServiceProvider {
  const native = new NativeServiceProvider();
  if (kind === 'native') return native;
  const containers = new ContainerServiceProvider(engine);
  return kind === 'container' ? containers : new AutoServiceProvider(engine, containers, native);
}

/** The built-in actions minus those named by `--no-builtin`. */
function enabledBuiltins(disabled: readonly string[]) {
  const all = [checkout, ...builtinActions];
  const unknown = disabled.filter((name) => !all.some((action) => action.name === name.toLowerCase()));
  if (unknown.length > 0) {
    throw new UsageError(`--no-builtin ${unknown.join(', ')}: not a built-in action (built in: ${all.map((a) => a.name).join(', ')})`);
  }
  return all.filter((action) => !disabled.some((name) => name.toLowerCase() === action.name));
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function parseJobCount(value: string | undefined): number {
  if (value === undefined) return Math.max(1, cpus().length);
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--jobs expects a whole number of at least 1, got "${value}"`);
  return count;
}

/** `--json FILE` is written once the run ends: its folder must exist before anything runs. */
async function checkReportFolder(file: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  const isFolder = await stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new UsageError(`--json ${file}: there is no folder ${folder} to write the report in`);
}

export async function runCommand(options: RunCommandOptions, io: CommandIO, terminal: RunTerminal): Promise<number> {
  const repoDir = path.resolve(options.directory);
  const secrets = collectSecrets(options.secret, options.secretFile);
  const vars = collectVariables(options.var, options.varFile, '--var');
  const env = readEnvFile(options.envFile);
  const maxParallelJobs = parseJobCount(options.jobs);
  const matrixFilters = parseMatrixFilters(options.matrix);
  const builtins = enabledBuiltins(options.builtin);
  const engine = engineOnDemand(options.containerEngine);
  if (options.json) await checkReportFolder(options.json);

  const inputs = await loadRepositoryWorkflows(repoDir, options.workflows);
  const event = await eventFromOptions(repoDir, options);
  const store = new ActionStore({ serverUrl: options.actionsUrl, offline: options.offline, log: (line) => io.err(`gantry: ${line}\n`) });
  const calledWorkflows = await loadCalledWorkflows(repoDir, inputs.map((input) => input.workflow), remoteWorkflowFetcher(store));
  const fullPlan = planRun(inputs, event, { vars, calledWorkflows });
  const broken = fullPlan.workflows.flatMap((wp) => wp.diagnostics.filter((d) => d.severity === 'error'));
  if (broken.length > 0) {
    for (const d of broken) io.err(`${d.file}:${d.line}:${d.column}: error: ${d.message}\n`);
    return 2;
  }
  const plan = selectJobs(fullPlan, options.job, options.only, matrixFilters);
  if (options.dryRun) {
    io.out(formatPlan(plan, 'text'));
    return 0;
  }
  if (!plan.workflows.some((wp) => wp.triggered && wp.jobs.length > 0)) {
    io.out(formatPlan(plan, 'text'));
    io.out('nothing to run: no workflow is triggered by this event\n');
    return 0;
  }

  const runId = newRunId();
  const logDir = path.join(repoDir, '.gantry', 'runs', runId);
  const projectPath = path.relative(await topLevel(repoDir), repoDir);
  const debug = options.verbose || secrets.ACTIONS_STEP_DEBUG === 'true';
  const renderer = createRenderer({
    tty: terminal.isTTY,
    color: options.color && !process.env.NO_COLOR && (terminal.isTTY || Boolean(process.env.FORCE_COLOR)),
    out: { write: io.out, columns: terminal.columns, rows: terminal.rows },
  });
  const files = createFileSink(logDir);
  const listener = (event: EngineEvent) => {
    files.listener(event);
    renderer.listener(event);
  };

  const cancel = new AbortController();
  const kill = new AbortController();
  const onInterrupt = () => {
    if (!cancel.signal.aborted) {
      io.err('\ngantry: cancelling the run (Ctrl-C again to stop at once)\n');
      cancel.abort();
    } else {
      kill.abort();
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const runtime = runRuntime({ artifactsDir: path.join(logDir, 'artifacts'), ...(options.cacheDir ? { cacheDir: path.resolve(options.cacheDir) } : {}) });
  try {
    const result = await runWorkflows(plan, {
      runId,
      repoDir,
      projectPath,
      logDir,
      executor: await executorNamed(options.executor),
      sandboxNetwork: options.sandboxNetwork,
      actions: new StoreActionResolver({ builtins, store }),
      services: serviceProvider(options.services, engine),
      containers: new JobContainers(engine),
      maxParallelJobs,
      secrets,
      vars,
      env,
      bind: options.bind,
      debug,
      cancel: cancel.signal,
      kill: kill.signal,
      listener,
      runtime,
    });
    if (options.json) {
      await writeFile(options.json, JSON.stringify(runReport(result, result.mask), null, 2) + '\n');
    }
    return result.conclusion === 'success' ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    renderer.stop();
    await runtime.close();
    for (const unwritten of await files.close()) io.err(`gantry: warning: a log file could not be written: ${unwritten}\n`);
  }
}
