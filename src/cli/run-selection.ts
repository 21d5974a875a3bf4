// `--job` and `--matrix`: which planned jobs of a run actually run.

import type { PlannedJob, RunPlan, WorkflowPlan } from '../plan/types.ts';
import { ancestorsOf } from '../plan/job-graph.ts';
import { UsageError } from './io.ts';

function withNeeds(wp: WorkflowPlan, names: ReadonlySet<string>): Set<string> {
  const known = [...names].filter((name) => wp.workflow.jobs.some((job) => job.id === name));
  return new Set(known.flatMap((name) => [name, ...ancestorsOf(name, wp.workflow.jobs)]));
}

/** The job of the triggered workflow a planned job belongs to (the caller, for called jobs). */
const topLevelId = (job: PlannedJob) => job.call?.callerId ?? job.id;

export function selectJobs(plan: RunPlan, jobs: readonly string[], only: boolean, matrix: readonly [string, string][]): RunPlan {
  if (jobs.length > 0) {
    const known = new Set(plan.workflows.filter((wp) => wp.triggered).flatMap((wp) => wp.jobs.map(topLevelId)));
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
            (keep === null || keep.has(topLevelId(job))) &&
            matrix.every(([key, value]) => job.matrix === null || !(key in job.matrix) || String(job.matrix[key]) === value),
        ),
      };
    }),
  };
}
