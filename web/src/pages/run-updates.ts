import type { Job, Run, Step } from '../api/types.ts';

/** Replaces the run with the same id, or (when `insert`) adds it in newest-first order. */
export function upsertRun(runs: Run[], run: Run, insert: boolean): Run[] {
  const at = runs.findIndex((existing) => existing.id === run.id);
  if (at >= 0) return runs.map((existing, index) => (index === at ? run : existing));
  if (!insert) return runs;
  return [run, ...runs].sort((a, b) => b.id - a.id);
}

export function upsertJob(jobs: Job[], job: Job): Job[] {
  const at = jobs.findIndex((existing) => existing.id === job.id);
  if (at >= 0) return jobs.map((existing, index) => (index === at ? job : existing));
  return [...jobs, job];
}

export function upsertStep(jobs: Job[], jobId: number, step: Step): Job[] {
  return jobs.map((job) => {
    if (job.id !== jobId) return job;
    const at = job.steps.findIndex((existing) => existing.number === step.number);
    const steps = at >= 0 ? job.steps.map((existing, index) => (index === at ? step : existing)) : [...job.steps, step].sort((a, b) => a.number - b.number);
    return { ...job, steps };
  });
}

export interface RunFilters {
  repo?: string;
  workflow?: string;
  branch?: string;
  event?: string;
  status?: string;
  actor?: string;
}

/** Whether a run that just appeared belongs in a list with these filters (as the server would filter). */
export function matchesFilters(run: Run, filters: RunFilters): boolean {
  if (filters.repo && run.repo !== filters.repo) return false;
  if (filters.workflow && run.workflow !== filters.workflow && run.workflowName !== filters.workflow) return false;
  if (filters.branch && run.branch !== filters.branch) return false;
  if (filters.event && run.event !== filters.event) return false;
  if (filters.actor && run.actor !== filters.actor) return false;
  if (filters.status && run.status !== filters.status && run.conclusion !== filters.status) return false;
  return true;
}
