// The workflow domain model: what every layer above `workflow/` sees.
// Nothing here refers to the parser's tokens; values that may hold `${{ }}`
// expressions are `TemplateValue`s, evaluated later by `expr/` with a context.

/** One-based position in a source file. */
export interface Position {
  line: number;
  column: number;
}

export interface SourceLocation extends Position {
  file: string;
}

export type Severity = 'error' | 'warning' | 'note';

/** A problem users can cause: always a position, a message, and a hint when we know the fix. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  /** Stable rule id, e.g. `syntax`, `needs`, `script-injection`, `unpinned-action`. */
  rule: string;
  message: string;
  hint?: string;
}

export type Scalar = string | number | boolean | null;

/**
 * A value from the workflow file as written. `expression` holds the text inside
 * `${{ }}`; a string mixing text and expressions is one `format(...)` expression,
 * and `source` keeps what the user wrote.
 */
export type TemplateValue =
  | { kind: 'literal'; value: Scalar; pos?: Position }
  | { kind: 'expression'; expression: string; source?: string; pos?: Position }
  | { kind: 'sequence'; items: TemplateValue[]; pos?: Position }
  | { kind: 'mapping'; entries: MappingEntry[]; pos?: Position };

export interface MappingEntry {
  key: string;
  value: TemplateValue;
  pos?: Position;
}

export interface Workflow {
  /** Path as given by the caller (relative to the repository root when discovered). */
  file: string;
  /** `name:`, or the file path as GitHub shows it when absent. */
  name: string;
  runName?: TemplateValue;
  triggers: Trigger[];
  env?: TemplateValue;
  defaults?: RunDefaults;
  permissions?: Permissions;
  concurrency?: Concurrency;
  jobs: Job[];
}

export type Permissions = 'read-all' | 'write-all' | Record<string, 'read' | 'write' | 'none'>;

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface Concurrency {
  group: TemplateValue;
  cancelInProgress?: TemplateValue;
}

export interface Job {
  id: string;
  pos: Position;
  name?: TemplateValue;
  needs: string[];
  /** Where each entry of `needs` is written, in the same order. */
  needsAt: Position[];
  /** Normalised condition: always contains a status function (`success() && (...)` when the user gave none). */
  if: string;
  /** The condition as the user wrote it, for messages. */
  ifSource?: string;
  runsOn?: TemplateValue;
  environment?: EnvironmentRef;
  strategy?: Strategy;
  outputs: MappingEntry[];
  env?: TemplateValue;
  defaults?: RunDefaults;
  permissions?: Permissions;
  concurrency?: Concurrency;
  timeoutMinutes?: TemplateValue;
  continueOnError?: TemplateValue;
  container?: TemplateValue;
  services?: TemplateValue;
  steps: Step[];
  /** A reusable-workflow call (`jobs.<id>.uses`). Such jobs have no steps. */
  call?: WorkflowCall;
}

export interface WorkflowCall {
  uses: string;
  with?: TemplateValue;
  secrets?: TemplateValue | 'inherit';
}

export interface EnvironmentRef {
  name: TemplateValue;
  url?: TemplateValue;
}

export interface Strategy {
  /** Raw matrix: a mapping (possibly with expressions inside) or a whole-value expression such as fromJSON(...). */
  matrix?: TemplateValue;
  failFast: TemplateValue;
  maxParallel?: TemplateValue;
}

export interface Step {
  /** Zero-based position in the job. */
  index: number;
  /** The user's `id:`, if any. */
  id?: string;
  pos: Position;
  name?: TemplateValue;
  if: string;
  ifSource?: string;
  run?: TemplateValue;
  uses?: string;
  with?: TemplateValue;
  env?: TemplateValue;
  shell?: string;
  workingDirectory?: TemplateValue;
  timeoutMinutes?: TemplateValue;
  continueOnError?: TemplateValue;
}

export type InputType = 'string' | 'boolean' | 'number' | 'choice' | 'environment';

export interface InputDefinition {
  name: string;
  type: InputType;
  description?: string;
  required: boolean;
  default?: string | number | boolean;
  options?: string[];
}

export interface SecretDefinition {
  name: string;
  required: boolean;
  description?: string;
}

/** One event under `on:` and its filters, as written. Absent filter = no filter. */
export interface Trigger {
  event: string;
  /** Where the event is named under `on:`. */
  pos?: Position;
  branches?: string[];
  branchesIgnore?: string[];
  tags?: string[];
  tagsIgnore?: string[];
  paths?: string[];
  pathsIgnore?: string[];
  types?: string[];
  /** workflow_run: names of the workflows that trigger this one. */
  workflows?: string[];
  /** workflow_dispatch and workflow_call. */
  inputs?: InputDefinition[];
  /** workflow_call. */
  secrets?: SecretDefinition[];
  outputs?: MappingEntry[];
  /** schedule: one entry per `- cron:`. */
  schedules?: Schedule[];
}

export interface Schedule {
  cron: string;
  timezone?: string;
}

/** An action's `action.yml`, as GitHub's action syntax defines it. */
export interface ActionDefinition {
  file: string;
  name: string;
  description?: string;
  inputs: ActionInput[];
  outputs: ActionOutput[];
  runs: ActionRuns;
}

export interface ActionInput {
  id: string;
  description?: string;
  required: boolean;
  /** May hold expressions (`${{ github.token }}`), evaluated when the action runs. */
  default?: TemplateValue;
  deprecationMessage?: string;
}

export interface ActionOutput {
  id: string;
  description?: string;
  /** Composite actions map outputs from their steps (`${{ steps.x.outputs.y }}`). */
  value?: TemplateValue;
}

export type ActionRuns =
  | { using: 'composite'; steps: Step[] }
  | {
      using: 'node12' | 'node16' | 'node20' | 'node24';
      main: string;
      pre?: string;
      /** Normalised like a step's `if` (`always()` when absent, as the runner does for pre and post). */
      preIf: string;
      post?: string;
      postIf: string;
    }
  | {
      using: 'docker';
      image: string;
      entrypoint?: string;
      args: TemplateValue[];
      env?: TemplateValue;
      preEntrypoint?: string;
      /** As a JavaScript action's. */
      preIf: string;
      postEntrypoint?: string;
      postIf: string;
    };
