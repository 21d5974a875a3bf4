// What a run is given and what it returns.

import type { ActionResolver } from '../actions/types.ts';
import type { JobContainers } from '../executors/job-container.ts';
import type { Executor } from '../executors/types.ts';
import type { ServiceProvider } from '../services/types.ts';
import type { MatrixLeg } from '../plan/types.ts';
import type { Annotation, Conclusion, EngineListener, JobKey } from './events.ts';
import type { ConcurrencyGroups } from './concurrency.ts';

export interface RunOptions {
  /** `github.run_id`: the same for every attempt of a run. */
  runId: string;
  /** `github.run_attempt` (default 1): a re-run of the same run is its next attempt. */
  runAttempt?: number;
  /** The repository the event comes from. */
  repoDir: string;
  /** Inside the repository: where the workflows' project lives (`-C` in a larger repository). */
  projectPath: string;
  /** Where logs, summaries and the JSON report go: `.gantry/runs/<run id>`. */
  logDir: string;
  executor: Executor;
  /** With a sandboxing executor: give every job the network, not only jobs with services. */
  sandboxNetwork: boolean;
  /** Finds what `uses:` steps name: built-ins and local actions. */
  actions: ActionResolver;
  /** Starts `services:` (containers, or native processes). */
  services: ServiceProvider;
  /** Runs `container:` jobs, `docker://` steps and Docker actions; absent: they fail with a clear error. */
  containers?: JobContainers;
  /** How many jobs run at once. */
  maxParallelJobs: number;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** Extra environment for every step (`--env-file`). */
  env: Record<string, string>;
  /** Use the repository folder itself as the workspace instead of a fresh checkout. */
  bind: boolean;
  /** Show `::debug::` lines (also on when the ACTIONS_STEP_DEBUG secret is true). */
  debug: boolean;
  /** Aborting cancels the run: running steps are stopped; `always()` steps still run. */
  cancel: AbortSignal;
  /** Aborting stops everything at once, `always()` steps included (a second Ctrl-C). */
  kill: AbortSignal;
  /** Grace between SIGINT, SIGTERM and SIGKILL when a step is stopped. */
  killGraceMs?: number;
  listener: EngineListener;
  /** The cache and artifact services steps reach over HTTP; without them those variables are unset. */
  runtime?: RuntimeServices;
  /**
   * A pool of job slots shared with other runs (the server's `--slots`): a job waits for a slot
   * before it starts. Resolves null when `cancel` aborted the wait.
   */
  jobSlots?: JobSlots;
  /**
   * Secrets and variables of deployment environments: a job with `environment: NAME` sees these over
   * the run's own (GitHub ranks environment values above repository and organization ones).
   */
  environments?: Record<string, { secrets: Record<string, string>; vars: Record<string, string> }>;
  /**
   * `concurrency:` groups shared with other runs (the server's runs of one process), so a group holds
   * across runs as on GitHub; by default groups hold within this run only.
   */
  concurrencyGroups?: ConcurrencyGroups;
  /** Cancels one job: its signal, by job key, joins the run's cancel signal for that job. */
  jobCancel?: (job: string) => AbortSignal | undefined;
  /**
   * Jobs carried over from a previous attempt (a re-run of failed jobs), by job key: they do not
   * run; their conclusion and outputs are what `needs` sees.
   */
  reusedJobs?: Record<JobKey, ReusedJob>;
}

export interface ReusedJob {
  conclusion: Conclusion;
  outputs: Record<string, string>;
}

/** What a job's steps need to find the runtime services: the runner's ACTIONS_* variables. */
export interface RuntimeServices {
  /**
   * ACTIONS_RUNTIME_URL, ACTIONS_RESULTS_URL, ACTIONS_CACHE_URL and ACTIONS_RUNTIME_TOKEN for one
   * job; the token is masked in logs. Cache scopes come from the refs given, newest first.
   */
  jobEnvironment(job: RuntimeJob): Promise<Record<string, string>>;
}

export interface RuntimeJob {
  jobKey: string;
  /** The ref the job's caches are saved to (`github.ref`). */
  ref: string;
  /** Refs it may also restore from: the pull request's base branch, then the default branch. */
  readableRefs: string[];
}

export interface JobSlots {
  acquire(cancel: AbortSignal): Promise<(() => void) | null>;
}

export interface StepResult {
  index: number;
  /** The user's id, or the generated `__run`, `__run_2`, `__owner_repo` one. */
  id: string;
  name: string;
  outcome: Conclusion;
  conclusion: Conclusion;
  outputs: Record<string, string>;
  durationMs: number;
}

export interface JobResult {
  key: string;
  workflowFile: string;
  id: string;
  name: string;
  matrix: MatrixLeg | null;
  conclusion: Conclusion;
  /** The job failed but `continue-on-error` let the run go on: `needs` sees success, fail-fast ignores it. */
  continuedOnError: boolean;
  outputs: Record<string, string>;
  steps: StepResult[];
  annotations: Annotation[];
  summaries: { step: number; markdown: string }[];
  durationMs: number;
}

export interface WorkflowResult {
  file: string;
  name: string;
  conclusion: Conclusion;
  jobs: JobResult[];
}

export interface RunResult {
  runId: string;
  conclusion: Conclusion;
  workflows: WorkflowResult[];
  logDir: string;
  durationMs: number;
  /**
   * Masks text as the logs are masked: the secrets and every value the steps masked
   * (`::add-mask::`). Step outputs in `workflows` are kept as the steps wrote them.
   */
  mask(text: string): string;
}
