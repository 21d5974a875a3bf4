// The database is the queue: the dispatcher takes queued runs (oldest first, one running per
// concurrency group), checks out their commit, plans them as `gantry run` does and runs them with
// the engine, recording what happens. It also cancels, and chains workflow_run events.

import path from 'node:path';
import type { Logger } from 'pino';
import { checkout as checkoutAction } from '../actions/checkout.ts';
import { builtinActions } from '../actions/builtin/index.ts';
import { ActionStore } from '../actions/store/action-store.ts';
import { StoreActionResolver } from '../actions/store/store-resolver.ts';
import { remoteWorkflowFetcher } from '../actions/store/workflow-fetcher.ts';
import { ConcurrencyGroups } from '../engine/concurrency.ts';
import type { JobKey } from '../engine/events.ts';
import { runWorkflows } from '../engine/run.ts';
import type { ReusedJob } from '../engine/types.ts';
import { HostExecutor } from '../executors/host.ts';
import { buildWorkflowRunEvent, type WorkflowRunEventOptions } from '../plan/events/index.ts';
import { planRun } from '../plan/planner.ts';
import type { RepoEvent, RunPlan } from '../plan/types.ts';
import { NativeServiceProvider } from '../services/native.ts';
import type { RepoRecord, RunConclusion, RunRecord } from '../storage/db/records.ts';
import type { Store } from '../storage/db/store.ts';
import { loadCalledWorkflows } from '../workflow/calls.ts';
import type { ChangeBus } from './bus.ts';
import { JobSlotPool } from './job-slots.ts';
import type { ServerMetrics } from './metrics.ts';
import type { RepoSources } from './repo-source.ts';
import { RunRecorder } from './run-recorder.ts';
import { runRuntime, type RunRuntime } from '../storage/run-runtime.ts';
import type { RunQueue } from './run-queue.ts';
import { apiRun } from './shapes.ts';
import { setRunStatus } from './statuses.ts';
import { listensToWorkflowRun, loadWorkflows } from './workflows.ts';

/** GitHub: workflow_run cannot chain more than three levels of workflows. */
export const MAX_WORKFLOW_RUN_DEPTH = 3;

type WorkflowRunAction = NonNullable<WorkflowRunEventOptions['action']>;
export const INTERRUPTED = 'interrupted by server restart';

export interface DispatcherOptions {
  store: Store;
  sources: RepoSources;
  queue: RunQueue;
  bus: ChangeBus;
  metrics: ServerMetrics;
  logger: Logger;
  dataDir: string;
  slots: number;
  actionsUrl?: string;
  offline: boolean;
  pollMs?: number;
}

interface ActiveRun {
  cancel: AbortController;
  kill: AbortController;
  jobCancels: Map<string, AbortController>;
  recorder?: RunRecorder;
  done: Promise<void>;
}

export class Dispatcher {
  private readonly active = new Map<number, ActiveRun>();
  private readonly slots: JobSlotPool;
  /** Job-level `concurrency` groups hold across every run of this server. */
  private readonly concurrencyGroups = new ConcurrencyGroups();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    this.slots = new JobSlotPool(options.slots);
    options.queue.dispatcher = this;
  }

  /** Closes what a crash left open, then starts taking queued runs. */
  async start(): Promise<void> {
    const closed = await this.options.store.runs.interruptRunning(INTERRUPTED);
    for (const id of closed) {
      const run = await this.options.store.runs.get(id);
      if (run) await setRunStatus(this.options.store, run, 'failure', INTERRUPTED);
    }
    if (closed.length > 0) this.options.logger.warn({ runIds: closed }, `${closed.length} run(s) were running when the server stopped: marked failed`);
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking runs and cancels (then kills) the running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const run of this.active.values()) {
      run.cancel.abort();
      run.kill.abort();
    }
    await Promise.all([...this.active.values()].map((run) => run.done));
  }

  get activeRuns(): number {
    return this.active.size;
  }

  /** Looks at the queue now (after an enqueue) instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    void this.tick()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'dispatcher: taking queued runs failed'))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async tick(): Promise<void> {
    // Runs hold no slot themselves; a few more than the slots keep the pool busy.
    const maxActive = this.options.slots * 2;
    if (this.active.size >= maxActive) return;
    const queued = await this.options.store.runs.queued(100);
    const busyGroups = new Set<string>();
    for (const run of queued) {
      if (this.active.size >= maxActive || this.stopped) return;
      if (run.concurrencyGroup) {
        if (busyGroups.has(run.concurrencyGroup)) continue;
        busyGroups.add(run.concurrencyGroup);
        if ((await this.options.store.runs.inGroup(run.concurrencyGroup, 'running')).length > 0) continue;
      }
      if (!(await this.options.store.runs.start(run.id))) continue;
      this.launch(run);
    }
  }

  private launch(run: RunRecord): void {
    const active: ActiveRun = { cancel: new AbortController(), kill: new AbortController(), jobCancels: new Map(), done: Promise.resolve() };
    this.active.set(run.id, active);
    active.done = this.execute(run, active)
      .catch((error: unknown) => this.options.logger.error({ err: error, runId: run.id }, 'run failed to execute'))
      .finally(() => {
        this.active.delete(run.id);
        this.wake();
      });
  }

  private async execute(queued: RunRecord, active: ActiveRun): Promise<void> {
    const { store, logger } = this.options;
    const run = (await store.runs.get(queued.id))!;
    const log = logger.child({ runId: run.id, attempt: run.attempt });
    // A cancel that arrived between taking the run and registering it here.
    if (run.cancelRequested) active.cancel.abort();
    this.publish(run);
    await setRunStatus(store, run, null, 'running');
    const repo = await store.repos.byId(run.repoId);
    if (repo) this.announce(run, repo, 'in_progress');
    let conclusion: RunConclusion = 'failure';
    let runtime: RunRuntime | undefined;
    const checkout = repo ? await this.options.sources.checkout(repo, run.sha, `run-${run.id}`).catch((error: unknown) => error as Error) : new Error('the repository was removed');
    try {
      if (checkout instanceof Error) throw checkout;
      log.info({ workflow: run.workflowFile, sha: run.sha }, 'run started');
      const event = (await store.runs.eventData(run.id)) as RepoEvent;
      const planned = await this.plan(run, checkout.dir, event);
      if (!planned) {
        log.warn('the workflow no longer plans at this commit: run failed');
      } else {
        const { plan, reusedJobs, carried } = planned;
        const secrets = await store.secrets.resolved(run.repoId, null);
        const vars = await store.variables.resolved(run.repoId, null);
        const matrices = legMatrices(plan);
        const environments: Record<string, { secrets: Record<string, string>; vars: Record<string, string> }> = {};
        for (const name of new Set(plan.workflows.flatMap((wp) => wp.jobs.map((job) => job.environment).filter((e): e is string => e !== null)))) {
          environments[name] = { secrets: await store.secrets.resolved(run.repoId, name), vars: await store.variables.resolved(run.repoId, name) };
        }
        active.recorder = new RunRecorder(store, this.options.bus, this.options.metrics, run, (error) => log.error({ err: error }, 'recording the run failed'), {
          matrixOf: (key) => matrices.get(key) ?? null,
          carriedFrom: (key) => carried.get(key) ?? null,
        });
        const actionStore = new ActionStore({ serverUrl: this.options.actionsUrl, offline: this.options.offline, log: (line) => log.info(line) });
        // Caches are the server's, shared by its runs; artifacts are kept by run id, for every attempt.
        runtime = runRuntime({ artifactsDir: artifactsFolder(this.options.dataDir), cacheDir: path.join(this.options.dataDir, 'cache'), runBackendId: String(run.id) });
        const result = await runWorkflows(plan, {
          runId: String(run.id),
          runAttempt: run.attempt,
          repoDir: checkout.dir,
          projectPath: '',
          logDir: path.join(this.options.dataDir, 'runs', String(run.id), String(run.attempt)),
          executor: new HostExecutor(),
          sandboxNetwork: false,
          actions: new StoreActionResolver({ builtins: [checkoutAction, ...builtinActions], store: actionStore }),
          services: new NativeServiceProvider(),
          maxParallelJobs: this.options.slots,
          secrets,
          vars,
          environments,
          env: {},
          bind: false,
          debug: secrets.ACTIONS_STEP_DEBUG === 'true',
          cancel: active.cancel.signal,
          kill: active.kill.signal,
          listener: active.recorder.listener,
          jobSlots: this.slots,
          concurrencyGroups: this.concurrencyGroups,
          ...(reusedJobs ? { reusedJobs } : {}),
          runtime,
          jobCancel: (key) => {
            let controller = active.jobCancels.get(key);
            if (!controller) active.jobCancels.set(key, (controller = new AbortController()));
            return controller.signal;
          },
        });
        conclusion = active.cancel.signal.aborted && result.conclusion !== 'failure' ? 'cancelled' : result.conclusion;
      }
    } catch (error) {
      log.error({ err: error }, 'run failed');
    } finally {
      await runtime?.close();
      await active.recorder?.close();
      if (!(checkout instanceof Error)) await checkout.dispose();
    }
    if (this.stopped && active.kill.signal.aborted) return;
    await store.runs.finish(run.id, conclusion);
    const finished = (await store.runs.get(run.id))!;
    await setRunStatus(store, finished, conclusion, conclusion);
    this.options.metrics.runs.inc({ conclusion });
    this.publish(finished);
    log.info({ conclusion }, 'run finished');
    if (repo) await this.chainWorkflowRun(finished, repo, 'completed').catch((error: unknown) => log.error({ err: error }, 'workflow_run chaining failed'));
  }

  /**
   * The run's workflow planned at its commit. A re-run of failed jobs, or of one job, plans the whole
   * workflow and carries over, as GitHub does, the previous attempt's jobs that neither re-run nor
   * depend on a re-run job, with their conclusion: they do not run again, their outputs stay. Of a
   * matrix job only the named legs run again; the jobs that need it run again whole.
   */
  private async plan(run: RunRecord, dir: string, event: RepoEvent): Promise<{ plan: RunPlan; reusedJobs?: Record<JobKey, ReusedJob>; carried: Map<JobKey, number> } | undefined> {
    const inputs = await loadWorkflows(dir, run.workflowFile);
    if (inputs.length === 0) return undefined;
    const actionStore = new ActionStore({ serverUrl: this.options.actionsUrl, offline: this.options.offline });
    const calledWorkflows = await loadCalledWorkflows(dir, inputs.map((i) => i.workflow), remoteWorkflowFetcher(actionStore));
    const vars = await this.options.store.variables.resolved(run.repoId, null);
    const plan = planRun(inputs, event, { vars, calledWorkflows });
    const wp = plan.workflows[0];
    if (!wp || !wp.triggered || wp.diagnostics.some((d) => d.severity === 'error')) return undefined;
    const attempts = await this.options.store.runs.attempts(run.id);
    const rerun = attempts.find((a) => a.attempt === run.attempt)?.rerunJobs;
    const carried = new Map<JobKey, number>();
    if (!rerun) return { plan, carried };
    // An entry is a job id (the whole job again) or a matrix leg's job key (that leg again); the
    // jobs that need either run again whole.
    const legs = new Set(rerun.filter(isJobKey));
    const again = new Set(rerun.filter((entry) => !isJobKey(entry)));
    for (const entry of rerun) for (const dependent of dependentsOf(isJobKey(entry) ? jobIdOfKey(entry) : entry, wp.workflow.jobs)) again.add(dependent);
    const reusedJobs: Record<JobKey, ReusedJob> = {};
    for (const job of await this.options.store.runs.jobs(run.id, run.attempt - 1)) {
      if (job.conclusion !== null && !legs.has(job.key) && !again.has(job.jobId.split('/')[0]!)) {
        reusedJobs[job.key] = { conclusion: job.conclusion, outputs: job.outputs };
        // A job carried into the previous attempt comes from where that one came from.
        carried.set(job.key, job.carriedFrom ?? run.attempt - 1);
      }
    }
    return { plan, reusedJobs, carried };
  }

  /** Sends `workflow_run` with `action` for `run` without waiting for it; a failure is logged. */
  announce(run: RunRecord, repo: RepoRecord, action: WorkflowRunAction): void {
    void this.chainWorkflowRun(run, repo, action).catch((error: unknown) => this.options.logger.error({ err: error, runId: run.id, action }, 'workflow_run chaining failed'));
  }

  /**
   * workflow_run: a run requested (queued), in progress or completed triggers the workflows of the
   * default branch that listen for it, up to three levels. When no workflow there listens to
   * workflow_run at all, nothing more is done (no clone, no event).
   */
  private async chainWorkflowRun(run: RunRecord, repo: RepoRecord, action: WorkflowRunAction): Promise<void> {
    if (run.chainDepth >= MAX_WORKFLOW_RUN_DEPTH || this.stopped) return;
    if (!listensToWorkflowRun(await this.options.sources.workflowsAt(repo, `refs/heads/${repo.defaultBranch}`))) return;
    const runs = await this.options.queue.enqueueFrom(
      repo,
      (dir) =>
        buildWorkflowRunEvent(dir, {
          workflowName: run.workflowName,
          workflowPath: run.workflowFile,
          ...(action === 'completed' ? { conclusion: run.conclusion ?? 'failure' } : {}),
          action,
          ...(run.branch ? { branch: run.branch } : {}),
          event: run.event,
        }),
      { actor: run.actor, chainDepth: run.chainDepth + 1 },
    );
    if (runs.length > 0) this.wake();
  }

  async cancelRun(runId: number): Promise<void> {
    const { store } = this.options;
    const run = await store.runs.get(runId);
    if (!run || run.status === 'completed') return;
    await store.runs.requestCancel(runId);
    const active = this.active.get(runId);
    if (active) {
      active.cancel.abort();
      return;
    }
    if (run.status === 'queued') {
      await store.runs.finish(runId, 'cancelled');
      const finished = (await store.runs.get(runId))!;
      await setRunStatus(store, finished, 'cancelled', 'cancelled');
      this.options.metrics.runs.inc({ conclusion: 'cancelled' });
      this.publish(finished);
    }
  }

  /** False when the job is not running here (finished, or of another run). */
  async cancelJob(runId: number, jobRowId: number): Promise<boolean> {
    const active = this.active.get(runId);
    const key = active?.recorder?.jobKeyOf(jobRowId);
    if (!active || !key) return false;
    await this.options.store.runs.requestJobCancel(jobRowId);
    let controller = active.jobCancels.get(key);
    if (!controller) active.jobCancels.set(key, (controller = new AbortController()));
    controller.abort();
    return true;
  }

  private publish(run: RunRecord): void {
    this.options.bus.publish({ type: 'run', data: apiRun(run) });
  }
}

/** Where the runs' artifacts are kept, by run id. */
export function artifactsFolder(dataDir: string): string {
  return path.join(dataDir, 'artifacts');
}

/** Job ids cannot hold `#`; job keys (`file#job#leg`) always do. */
function isJobKey(entry: string): boolean {
  return entry.includes('#');
}

/** The job id in a job key (its file may hold `#` too; the id and the leg number cannot). */
function jobIdOfKey(key: string): string {
  return key.split('#').at(-2)!.split('/')[0]!;
}

function dependentsOf(id: string, jobs: readonly { id: string; needs: string[] }[]): string[] {
  const found = new Set<string>();
  const visit = (name: string) => {
    for (const job of jobs) {
      if (job.needs.includes(name) && !found.has(job.id)) {
        found.add(job.id);
        visit(job.id);
      }
    }
  };
  visit(id);
  return [...found];
}

/** Job key -> matrix leg, as the scheduler numbers legs. */
function legMatrices(plan: RunPlan): Map<string, Record<string, unknown> | null> {
  const matrices = new Map<string, Record<string, unknown> | null>();
  for (const wp of plan.workflows) {
    const counts = new Map<string, number>();
    for (const job of wp.jobs) {
      const index = counts.get(job.id) ?? 0;
      counts.set(job.id, index + 1);
      matrices.set(`${wp.workflow.file}#${job.id}#${index}`, job.matrix);
    }
  }
  return matrices;
}
