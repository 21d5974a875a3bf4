// The API's JSON shapes (docs/server-api.md) made from store records.

import type { JobRecord, RepoRecord, RunRecord, StepRecord } from '../storage/db/records.ts';

export interface ApiRun {
  id: number;
  repo: string;
  /** The workflow file's path in the repository (GitHub's `path`), e.g. .github/workflows/ci.yml. */
  workflow: string;
  workflowFile: string;
  workflowName: string;
  event: string;
  ref: string;
  branch: string | null;
  sha: string;
  actor: string;
  attempt: number;
  status: RunRecord['status'];
  conclusion: RunRecord['conclusion'];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type ApiStep = StepRecord;

export interface ApiJob {
  id: number;
  key: string;
  jobId: string;
  name: string;
  matrix: Record<string, unknown> | null;
  needs: string[];
  status: JobRecord['status'];
  conclusion: JobRecord['conclusion'];
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  reason: string | null;
  /** The earlier attempt whose result this job carries (a re-run of failed jobs did not run it); null when it ran. */
  carriedFrom: number | null;
  steps: ApiStep[];
}

export function apiRun(run: RunRecord): ApiRun {
  return {
    id: run.id,
    repo: run.repo,
    workflow: run.workflowFile,
    workflowFile: run.workflowFile,
    workflowName: run.workflowName,
    event: run.event,
    ref: run.ref,
    branch: run.branch,
    sha: run.sha,
    actor: run.actor,
    attempt: run.attempt,
    status: run.status,
    conclusion: run.conclusion,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/** `needs` as the workflow's job ids (the store keeps job keys). */
export function apiJob(job: JobRecord): ApiJob {
  return {
    id: job.id,
    key: job.key,
    jobId: job.jobId,
    name: job.name,
    matrix: job.matrix,
    needs: [...new Set(job.needs.map((key) => key.split('#')[1] ?? key))],
    status: job.status,
    conclusion: job.conclusion,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    durationMs: job.durationMs,
    reason: job.reason,
    carriedFrom: job.carriedFrom,
    steps: job.steps,
  };
}

export function apiRepo(repo: RepoRecord, latestRun: RunRecord | null) {
  return {
    name: repo.name,
    source: { ...(repo.path ? { path: repo.path } : {}), ...(repo.url ? { url: repo.url } : {}) },
    defaultBranch: repo.defaultBranch,
    createdAt: repo.createdAt,
    latestRun: latestRun ? apiRun(latestRun) : null,
  };
}
