// What the planner produces and consumes. The engine runs a RunPlan; it never
// looks back at triggers or event construction.

import type { Diagnostic, InputDefinition, MappingEntry, Workflow } from '../workflow/types.ts';

/** An event as GitHub would deliver it, with the facts the filters need. */
export interface RepoEvent {
  /** Event name: push, pull_request, workflow_run, workflow_dispatch, schedule, ... */
  name: string;
  /** `payload.action` for events with activity types (opened, completed, ...). */
  action?: string;
  /** GITHUB_REF: refs/heads/main, refs/tags/v1, refs/pull/7/merge. Empty when the event has none. */
  ref: string;
  /** GITHUB_SHA. */
  sha: string;
  /** pull_request*: base and head branch names (GITHUB_BASE_REF / GITHUB_HEAD_REF). */
  baseRef?: string;
  headRef?: string;
  /** Files changed by the event, for `paths` filters. Undefined means unknown: path filters then pass. */
  changedFiles?: string[];
  /** workflow_dispatch / workflow_call inputs as given (before typing). */
  inputs?: Record<string, string>;
  /** schedule: the cron expression that fired. */
  schedule?: string;
  /** The webhook payload (`github.event`). */
  payload: Record<string, unknown>;
}

export type TriggerDecision =
  | { triggered: true; reason: string; inputs: Record<string, string | number | boolean> }
  | { triggered: false; reason: string; inputErrors?: string[] };

/** One combination of a matrix: key -> value (values may be objects or arrays). */
export type MatrixLeg = Record<string, unknown>;

/** A job of a called reusable workflow, planned under its caller. */
export interface CallContext {
  /** The calling job's id in the triggered workflow. */
  callerId: string;
  /** The reusable workflow this job belongs to, and the job's key in it. */
  workflow: Workflow;
  jobId: string;
  /** The called workflow's `inputs`, typed from the caller's `with` as far as the plan knows them. */
  inputs: Record<string, string | number | boolean>;
  /** The caller's `with`, the called workflow's input definitions, the caller's needs and matrix leg:
   * inputs that read `needs` are evaluated again when the caller's needs have finished. */
  with: MappingEntry[];
  inputDefinitions: InputDefinition[];
  callerNeeds: string[];
  callerMatrix: Record<string, unknown> | null;
  /** The `inputs` context of the calling job (its own workflow's inputs). */
  callerInputs: Record<string, unknown>;
  /** The calling jobs' `if` conditions, outermost first: when one is false, the called jobs are skipped. */
  callerIfs: string[];
  /** How each call level passes secrets, outermost first: `inherit`, or names mapped from expressions. */
  secrets: ('inherit' | MappingEntry[])[];
}

export interface PlannedJob {
  /** The job's key in the workflow; `caller/called` for the jobs of a called workflow. */
  id: string;
  /** Set when the job belongs to a called reusable workflow. */
  call?: CallContext;
  /** Display name with matrix values, as GitHub shows it: `build (3.10, ubuntu)`. */
  name: string;
  needs: string[];
  /** null when the job has no matrix. */
  matrix: MatrixLeg | null;
  /** True when the matrix could not be expanded before run time (it needs job outputs). */
  matrixDeferred?: boolean;
  jobIndex: number;
  jobTotal: number;
  runsOn: unknown;
  environment: string | null;
  failFast: boolean;
  maxParallel: number | null;
}

export interface WorkflowPlan {
  workflow: Workflow;
  triggered: boolean;
  reason: string;
  inputs: Record<string, string | number | boolean>;
  /** Jobs in dependency order, one entry per matrix leg. */
  jobs: PlannedJob[];
  diagnostics: Diagnostic[];
}

export interface RunPlan {
  event: RepoEvent;
  workflows: WorkflowPlan[];
}

export type { InputDefinition };
