// `--job` and `--matrix`: which planned jobs of a run actually run.

import type { RunPlan, WorkflowPlan } from '../plan/types.ts';
import { UsageError } from './io.ts';

function withNeeds(wp: WorkflowPlan, names: ReadonlySet<string>): Set<string> {
  const byId = new Map(wp.workflow.jobs.map((job) => [job.id, job]));
  const selected = new Set<string>();
  const pending = [...names].filter((name) => byId.has(name));
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (selected.has(id)) continue;
    selected.add(id);
    pending.push(...(byId.get(id)?.needs ?? []));
  }
  return selected;
}

export function selectJobs(plan: RunPlan, jobs: readonly string[], only: boolean, matrix: readonly [string, string][]): RunPlan {
  if (jobs.length > 0) {
    const known = new Set(plan.workflows.filter((wp) => wp.triggered).flatMap((wp) => wp.jobs.map((j) => j.id)));
    const unknown = jobs.filter((job) => !known.has(job));
    if (unknown.length > 0) {
      throw new UsageError(`--job ${unknown.join(', ')}: no such job in the triggered workflows (jobs: ${[...known].join(', ') || 'none'})`);
    }
  }
  const names = new Set(jobs);
  return {
    ...plan,
    workflows: plan.workflows.map((wp) => {
      const keep = jobs.length === 0 ? null : only ? names : withNeeds(wp, names);
      return {
        ...wp,
        jobs: wp.jobs.filter(
          (job) =>
            (keep === null || keep.has(job.id)) &&
            matrix.every(([key, value]) => job.matrix === null || !(key in job.matrix) || String(job.matrix[key]) === value),
        ),
      };
    }),
  };
}
