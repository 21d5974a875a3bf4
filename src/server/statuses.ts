// Commit statuses per workflow run and per job, as a branch-protection gate will read them.

import type { Store } from '../storage/db/store.ts';
import type { CommitStatusRecord, RunConclusion, RunRecord } from '../storage/db/records.ts';

export function statusState(conclusion: RunConclusion | null): CommitStatusRecord['state'] {
  if (conclusion === null) return 'pending';
  if (conclusion === 'success' || conclusion === 'skipped') return 'success';
  return conclusion === 'failure' ? 'failure' : 'error';
}

export function runContext(run: RunRecord): string {
  return `${run.workflowName} (${run.event})`;
}

export function jobContext(run: RunRecord, jobName: string): string {
  return `${run.workflowName} / ${jobName} (${run.event})`;
}

export async function setRunStatus(store: Store, run: RunRecord, conclusion: RunConclusion | null, description: string): Promise<void> {
  await store.statuses.set(run.repoId, run.sha, { context: runContext(run), state: statusState(conclusion), runId: run.id, description });
}

/** The combined state: failure if any failed, pending while any is pending, success when all passed. */
export function combinedState(statuses: readonly CommitStatusRecord[]): CommitStatusRecord['state'] {
  if (statuses.some((s) => s.state === 'failure' || s.state === 'error')) return 'failure';
  if (statuses.length === 0 || statuses.some((s) => s.state === 'pending')) return 'pending';
  return 'success';
}
