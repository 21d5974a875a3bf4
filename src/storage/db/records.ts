// What the store hands out: plain domain records, never kysely rows.

import type { Annotation } from '../../engine/events.ts';

export type RunStatus = 'queued' | 'running' | 'completed';
export type RunConclusion = 'success' | 'failure' | 'cancelled' | 'skipped';
export type Role = 'admin' | 'maintainer' | 'viewer';

export interface RepoRecord {
  id: number;
  name: string;
  path: string | null;
  url: string | null;
  defaultBranch: string;
  createdAt: string;
}

export interface RunRecord {
  id: number;
  repoId: number;
  repo: string;
  workflowFile: string;
  workflowName: string;
  event: string;
  ref: string;
  branch: string | null;
  sha: string;
  actor: string;
  attempt: number;
  status: RunStatus;
  conclusion: RunConclusion | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  concurrencyGroup: string | null;
  cancelInProgress: boolean;
  chainDepth: number;
  cancelRequested: boolean;
}

export interface AttemptRecord {
  attempt: number;
  status: RunStatus;
  conclusion: RunConclusion | null;
  rerunJobs: string[] | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface StepRecord {
  number: number;
  name: string;
  status: RunStatus;
  conclusion: RunConclusion | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface JobRecord {
  id: number;
  runId: number;
  attempt: number;
  key: string;
  jobId: string;
  name: string;
  matrix: Record<string, unknown> | null;
  needs: string[];
  status: RunStatus;
  conclusion: RunConclusion | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  reason: string | null;
  cancelRequested: boolean;
  /** Already masked by the engine. */
  outputs: Record<string, string>;
  /** The attempt whose result a re-run of failed jobs carried over; null when the job ran in this attempt. */
  carriedFrom: number | null;
  steps: StepRecord[];
}

export interface LogLine {
  /** 1-based line number in the job's log. */
  line: number;
  step: number | null;
  text: string;
  stream: 'stdout' | 'stderr' | 'system';
  at: string;
}

/** An engine annotation as kept: with the job and step it came from. */
export interface AnnotationRecord extends Omit<Annotation, 'level'> {
  job: string;
  step: number;
  level: string;
}

export interface TokenRecord {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface NamedValue {
  name: string;
  updatedAt: string;
}

export interface DeliveryRecord {
  id: number;
  provider: string;
  deliveryId: string | null;
  event: string | null;
  repoId: number | null;
  result: 'accepted' | 'ignored' | 'duplicate' | 'rejected';
  statusCode: number;
  reason: string;
  runIds: number[];
  receivedAt: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
}

export interface CommitStatusRecord {
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  runId: number;
  description: string;
  updatedAt: string;
}
