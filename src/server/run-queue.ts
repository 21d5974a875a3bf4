// Events in, queued runs out: one run per workflow the event triggers (decided by the planner's
// trigger filters), with GitHub's concurrency rules across runs applied as runs are queued.

import type { Workflow } from '../workflow/types.ts';
import { githubContext } from '../plan/github-context.ts';
import { planRun, type PlanInput } from '../plan/planner.ts';
import type { RepoEvent } from '../plan/types.ts';
import { evaluateToString, ExpressionError } from '../expr/index.ts';
import type { RepoRecord, RunRecord } from '../storage/db/records.ts';
import type { Store } from '../storage/db/store.ts';
import type { ChangeBus } from './bus.ts';
import type { RepoSources } from './repo-source.ts';
import { apiRun } from './shapes.ts';
import { setRunStatus } from './statuses.ts';
import { listensToWorkflowRun, loadWorkflowsAt } from './workflows.ts';

export interface EnqueueOptions {
  actor: string;
  /** workflow_run chains: how many workflow_run links led here. */
  chainDepth?: number;
  /** Only this workflow file (workflow_dispatch). */
  workflowFile?: string;
}

/** What the run queue asks of the dispatcher: cancelling runs, and telling who listens that a run was requested. */
export interface QueuedRunDispatcher {
  cancelRun(runId: number): Promise<void>;
  /** `workflow_run` with `action: requested` for a new run, not waited for. */
  announce(run: RunRecord, repo: RepoRecord, action: 'requested'): void;
}

export class RunQueue {
  dispatcher: QueuedRunDispatcher | undefined;

  constructor(
    private readonly store: Store,
    private readonly sources: RepoSources,
    private readonly bus: ChangeBus,
  ) {}

  /**
   * Builds the event in a clone of the repository (`build`; git's plumbing works there, no file is
   * checked out), then queues what it triggers, reading the workflows of the event's commit.
   */
  async enqueueFrom(repo: RepoRecord, build: (gitDir: string) => Promise<RepoEvent>, options: EnqueueOptions): Promise<RunRecord[]> {
    const clone = await this.sources.checkout(repo, 'HEAD', `event-${repo.id}`, { worktree: false });
    try {
      const event = await build(clone.dir);
      return await this.enqueue(repo, event, await loadWorkflowsAt(clone.dir, event.sha, options.workflowFile), options);
    } finally {
      await clone.dispose();
    }
  }

  /** Queues a run per workflow of `inputs` that `event` triggers. */
  private async enqueue(repo: RepoRecord, event: RepoEvent, inputs: PlanInput[], options: EnqueueOptions): Promise<RunRecord[]> {
    const vars = await this.store.variables.resolved(repo.id, null);
    const plan = planRun(inputs, event, { vars });
    const runs: RunRecord[] = [];
    // workflow_run listeners are the default branch's workflows: for an event there, when all were read, these.
    const allOfDefaultBranch = event.ref === `refs/heads/${repo.defaultBranch}` && options.workflowFile === undefined;
    const listenersUnknown = !allOfDefaultBranch || listensToWorkflowRun(inputs);
    for (const wp of plan.workflows.filter((w) => w.triggered)) {
      const workflow = wp.workflow;
      const group = this.concurrencyOf(wp.workflow, event, wp.inputs, vars);
      const run = await this.store.runs.create({
        repoId: repo.id,
        workflowFile: workflow.file,
        workflowName: workflow.name,
        event: event.name,
        ref: event.ref,
        branch: branchOf(event),
        sha: event.sha,
        actor: options.actor,
        eventData: event,
        concurrencyGroup: group?.name ?? null,
        cancelInProgress: group?.cancelInProgress ?? false,
        chainDepth: options.chainDepth ?? 0,
      });
      await setRunStatus(this.store, run, null, 'queued');
      this.bus.publish({ type: 'run', data: apiRun(run) });
      if (group) await this.admit(run, group.name, group.cancelInProgress);
      if (listenersUnknown) this.dispatcher?.announce(run, repo, 'requested');
      runs.push(run);
    }
    return runs;
  }

  private concurrencyOf(workflow: Workflow, event: RepoEvent, inputs: Record<string, unknown>, vars: Record<string, string>) {
    const setting = workflow.concurrency;
    if (!setting) return undefined;
    const scope = { github: githubContext(event, { workflowName: workflow.name, workflowFile: workflow.file }), inputs, vars };
    try {
      const name = evaluateToString(setting.group, scope);
      const cancelInProgress = setting.cancelInProgress ? evaluateToString(setting.cancelInProgress, scope) === 'true' : false;
      return name ? { name, cancelInProgress } : undefined;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return undefined;
    }
  }

  /**
   * GitHub's rule: one running and one pending run per group. The newest pending run wins (older
   * pending ones are cancelled); with cancel-in-progress the running one is cancelled too.
   */
  private async admit(run: RunRecord, group: string, cancelInProgress: boolean): Promise<void> {
    const pending = await this.store.runs.inGroup(group, 'queued');
    for (const older of pending.filter((r) => r.id !== run.id)) await this.dispatcher?.cancelRun(older.id);
    if (cancelInProgress) {
      for (const running of await this.store.runs.inGroup(group, 'running')) await this.dispatcher?.cancelRun(running.id);
    }
  }
}

function branchOf(event: RepoEvent): string | null {
  if (event.headRef) return event.headRef;
  return event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : null;
}
