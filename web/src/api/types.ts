// The shapes of the server's HTTP API (docs/server-api.md), as the UI reads them.

export type Role = 'admin' | 'maintainer' | 'viewer';
export type Status = 'queued' | 'running' | 'completed' | 'waiting' | 'pending' | 'in_progress';
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out';

export interface Me {
  name: string;
  role: Role;
}

export interface Run {
  id: number;
  repo: string;
  /** The workflow file's path in the repository, e.g. .github/workflows/ci.yml. */
  workflow: string;
  workflowFile: string;
  workflowName: string;
  event: string;
  ref: string;
  branch: string | null;
  sha: string;
  actor: string;
  attempt: number;
  status: Status;
  conclusion: Conclusion | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Repo {
  name: string;
  source: { path?: string; url?: string };
  defaultBranch: string;
  createdAt: string;
  latestRun: Run | null;
}

export interface DispatchInput {
  type: 'string' | 'boolean' | 'choice' | 'number' | 'environment';
  description?: string;
  required: boolean;
  default?: string | boolean | number;
  options?: string[];
}

export interface Workflow {
  file: string;
  name: string;
  events: string[];
  dispatchInputs: Record<string, DispatchInput> | null;
}

export interface Step {
  number: number;
  name: string;
  status: Status;
  conclusion: Conclusion | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface Job {
  id: number;
  key: string;
  jobId: string;
  name: string;
  matrix: Record<string, unknown> | null;
  needs: string[];
  status: Status;
  conclusion: Conclusion | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Why the job ended as it did, when the server knows (e.g. a failed `needs`). */
  reason?: string | null;
  /** The earlier attempt whose result a re-run of failed jobs carried over: the job did not run in this one. */
  carriedFrom?: number | null;
  steps: Step[];
}

export interface Annotation {
  /** The job's name, and its id for a link. */
  job: string;
  jobId?: number;
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
}

/** GET /api/runs/:id: the run's own fields, and what it is made of. */
export interface RunDetail extends Run {
  jobs: Job[];
  attempts: { attempt: number; status?: Status; conclusion: Conclusion | null; createdAt: string }[];
  annotations: Annotation[];
  summaries: { job: string; jobId?: number; step: number; markdown: string }[];
  artifacts: { name: string; size: number; url: string }[];
}

export interface NamedEntry {
  name: string;
  updatedAt?: string;
  createdAt?: string;
  value?: string;
}

export interface ApiToken {
  id: string | number;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string;
}

export interface LogEvent {
  step: number | null;
  line: number;
  text: string;
  stream: string;
  at: string;
}

export type LiveEvent =
  | { type: 'run'; run: Run }
  | { type: 'job'; runId: number; job: Job }
  | { type: 'step'; runId: number; jobId: number; step: Step };
