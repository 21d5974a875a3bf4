import type { Job } from '../workflow/types.ts';

/**
 * Jobs in dependency order: a job comes after everything it needs, and jobs
 * that could run at the same time keep their order in the file. Jobs on a
 * cycle or behind an unknown need (already diagnosed by the parser) come last.
 */
export function dependencyOrder(jobs: readonly Job[]): Job[] {
  const ids = new Set(jobs.map((job) => job.id));
  const placed = new Set<string>();
  const ordered: Job[] = [];
  let progress = true;
  while (progress) {
    progress = false;
    for (const job of jobs) {
      if (placed.has(job.id)) continue;
      if (job.needs.every((need) => placed.has(need) || !ids.has(need))) {
        ordered.push(job);
        placed.add(job.id);
        progress = true;
      }
    }
  }
  return [...ordered, ...jobs.filter((job) => !placed.has(job.id))];
}

/** Every job `id` depends on, directly or through other jobs. */
export function ancestorsOf(id: string, jobs: readonly Job[]): Set<string> {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const ancestors = new Set<string>();
  const pending = [...(byId.get(id)?.needs ?? [])];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (ancestors.has(next)) continue;
    ancestors.add(next);
    pending.push(...(byId.get(next)?.needs ?? []));
  }
  return ancestors;
}

export interface GraphProblem {
  job: Job;
  /** Index into job.needs of the offending entry. */
  needIndex: number;
  message: string;
}

/** Unknown needs, self-needs and cycles, worded as GitHub's parser words them. */
export function jobGraphProblems(jobs: readonly Job[]): GraphProblem[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const problems: GraphProblem[] = [];
  for (const job of jobs) {
    job.needs.forEach((need, needIndex) => {
      if (!byId.has(need)) {
        problems.push({ job, needIndex, message: `Job '${job.id}' depends on unknown job '${need}'.` });
      } else if (need === job.id || ancestorsOf(need, jobs).has(job.id)) {
        problems.push({
          job,
          needIndex,
          message: `Job '${job.id}' depends on job '${need}' which creates a cycle in the dependency graph.`,
        });
      }
    });
  }
  return problems;
}
