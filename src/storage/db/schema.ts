// The database's tables as kysely sees them (camelCase; the CamelCasePlugin maps to snake_case
// columns). Times are ISO-8601 strings, JSON is text, booleans are 0/1, so SQLite and PostgreSQL
// answer the same values.

import type { Generated } from 'kysely';

export interface RepoTable {
  id: Generated<number>;
  name: string;
  path: string | null;
  url: string | null;
  defaultBranch: string;
  /** The webhook secret, encrypted like secrets (it must be read back to check signatures). */
  webhookSecret: string;
  createdAt: string;
}

export interface RunTable {
  id: Generated<number>;
  repoId: number;
  workflowFile: string;
  workflowName: string;
  event: string;
  ref: string;
  branch: string | null;
  sha: string;
  actor: string;
  /** The RepoEvent the run was planned from (JSON). */
  eventData: string;
  /** The current attempt; earlier ones stay in run_attempts with their jobs. */
  attempt: number;
  status: string;
  conclusion: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  concurrencyGroup: string | null;
  cancelInProgress: number;
  /** workflow_run chains: 0 for a run started by anything else. */
  chainDepth: number;
  /** Set when a cancel was asked for; the dispatcher stops the run. */
  cancelRequested: number;
}

export interface RunAttemptTable {
  id: Generated<number>;
  runId: number;
  attempt: number;
  status: string;
  conclusion: string | null;
  /** Re-run of failed jobs only: the job ids (JSON) to run again; null runs every job. */
  rerunJobs: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobTable {
  id: Generated<number>;
  runId: number;
  attempt: number;
  key: string;
  jobId: string;
  name: string;
  matrix: string | null;
  needs: string;
  status: string;
  conclusion: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Why a job failed without its steps saying so, e.g. "interrupted by server restart". */
  reason: string | null;
  cancelRequested: number;
  /** The job's outputs as JSON; null until it finished with some. */
  outputs: string | null;
  /** The attempt whose result a re-run of failed jobs carried over (the job did not run); null when it ran. */
  carriedFrom: number | null;
}

export interface StepTable {
  id: Generated<number>;
  jobRowId: number;
  number: number;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface LogChunkTable {
  id: Generated<number>;
  jobRowId: number;
  /** The first line's number in the job's log (1-based); chunks are only ever appended. */
  firstLine: number;
  lineCount: number;
  /** JSON: [{ step, text, stream, at }]. */
  lines: string;
}

export interface AnnotationTable {
  id: Generated<number>;
  jobRowId: number;
  step: number;
  level: string;
  message: string;
  /** JSON: title, file, line, endLine, col, endColumn. */
  location: string;
}

export interface SummaryTable {
  id: Generated<number>;
  jobRowId: number;
  step: number;
  markdown: string;
}

export interface SecretTable {
  id: Generated<number>;
  /** `server`, `repo:<id>` or `env:<id>:<environment>`. */
  scope: string;
  name: string;
  /** AES-256-GCM: base64 of iv | tag | ciphertext. */
  value: string;
  updatedAt: string;
}

export interface VariableTable {
  id: Generated<number>;
  scope: string;
  name: string;
  value: string;
  updatedAt: string;
}

export interface TokenTable {
  id: Generated<number>;
  name: string;
  role: string;
  /** SHA-256 of the token, hex. */
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface SessionTable {
  /** SHA-256 of the session cookie's value. */
  hash: string;
  tokenId: number;
  createdAt: string;
  expiresAt: string;
}

export interface WebhookDeliveryTable {
  id: Generated<number>;
  provider: string;
  deliveryId: string | null;
  event: string | null;
  repoId: number | null;
  /** accepted, ignored, duplicate or rejected. */
  result: string;
  statusCode: number;
  reason: string;
  runIds: string;
  receivedAt: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
}

export interface CommitStatusTable {
  id: Generated<number>;
  repoId: number;
  sha: string;
  /** `<workflow name> / <job name> (<event>)` for jobs, `<workflow name> (<event>)` for the run. */
  context: string;
  state: string;
  runId: number;
  description: string;
  updatedAt: string;
}

export interface ScheduleTable {
  id: Generated<number>;
  repoId: number;
  workflowFile: string;
  cron: string;
  /** The last tick that queued a run: ticks missed while the server was down are not replayed. */
  lastTick: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Tables {
  repos: RepoTable;
  runs: RunTable;
  runAttempts: RunAttemptTable;
  jobs: JobTable;
  steps: StepTable;
  logChunks: LogChunkTable;
  annotations: AnnotationTable;
  summaries: SummaryTable;
  secrets: SecretTable;
  variables: VariableTable;
  tokens: TokenTable;
  sessions: SessionTable;
  webhookDeliveries: WebhookDeliveryTable;
  auditLog: AuditTable;
  commitStatuses: CommitStatusTable;
  schedules: ScheduleTable;
  meta: MetaTable;
}
