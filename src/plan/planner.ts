// Event + workflows -> RunPlan: which workflows run, and their jobs in
// dependency order with one entry per matrix leg.

import { ExpressionError, evaluateTemplate } from '../expr/index.ts';
import { expressionsIn } from '../workflow/template-values.ts';
import type { Diagnostic, Job, Position, TemplateValue, Workflow } from '../workflow/types.ts';
import type { CalledWorkflows } from '../workflow/calls.ts';
import { planCall } from './calls.ts';
import { githubContext } from './github-context.ts';
import { dependencyOrder } from './job-graph.ts';
import { expandMatrix, matrixDisplayName, parseFailFast, parseMaxParallel, strategyContext } from './matrix.ts';
import { decideTrigger } from './triggers/index.ts';
import type { MatrixLeg, PlannedJob, RepoEvent, RunPlan, WorkflowPlan } from './types.ts';

export interface PlanInput {
  workflow?: Workflow;
  file: string;
  diagnostics: Diagnostic[];
}

export interface PlanOptions {
  vars?: Record<string, string>;
  /** Local reusable workflows by `uses`: calls are planned as the called jobs (`caller/called`). */
  calledWorkflows?: CalledWorkflows;
}

export function planRun(inputs: readonly PlanInput[], event: RepoEvent, options: PlanOptions = {}): RunPlan {
  return { event, workflows: inputs.map((input) => planWorkflow(input, event, options)) };
}

function planWorkflow(input: PlanInput, event: RepoEvent, options: PlanOptions): WorkflowPlan {
  const errors = input.diagnostics.filter((d) => d.severity === 'error');
  const workflow = input.workflow ?? { file: input.file, name: input.file, triggers: [], jobs: [] };
  if (!input.workflow || errors.length > 0) {
    return {
      workflow,
      triggered: false,
      reason: `the workflow has ${errors.length || 1} error(s); run gantry lint ${input.file}`,
      inputs: {},
      jobs: [],
      diagnostics: input.diagnostics,
    };
  }
  const decision = decideTrigger(workflow, event);
  if (!decision.triggered) {
    const diagnostics = (decision.inputErrors ?? []).map((message) => inputDiagnostic(workflow, event.name, message));
    return { workflow, triggered: false, reason: decision.reason, inputs: {}, jobs: [], diagnostics };
  }
  const contexts = {
    github: githubContext(event, { workflowName: workflow.name, workflowFile: workflow.file }),
    inputs: decision.inputs,
    vars: options.vars ?? {},
  };
  const diagnostics: Diagnostic[] = [];
  const called = options.calledWorkflows;
  const jobs = dependencyOrder(workflow.jobs).flatMap((job) =>
    job.call && called
      ? planCall(workflow, job, contexts, called, diagnostics, planJobLegs)
      : planJobLegs(workflow, job, contexts, diagnostics),
  );
  return { workflow, triggered: true, reason: decision.reason, inputs: decision.inputs, jobs, diagnostics };
}

function inputDiagnostic(workflow: Workflow, eventName: string, message: string): Diagnostic {
  const trigger = workflow.triggers.find((t) => t.event === eventName);
  return {
    file: workflow.file,
    ...(trigger?.pos ?? { line: 1, column: 1 }),
    severity: 'error',
    rule: 'inputs',
    message,
    hint: `give it with --input NAME=VALUE; on.${eventName}.inputs defines the inputs`,
  };
}

export type PlanContexts = Record<string, unknown>;

/** True when the value can only be known once the jobs it needs have run. */
function needsRunTime(value: TemplateValue | undefined): boolean {
  return expressionsIn(value).some(({ expression }) => /\b(needs|jobs|steps)\b/.test(expression));
}

/**
 * A job's legs. At plan time values that need other jobs' results are shown as
 * written; at run time (`runTime`, with `needs` in the contexts) they are evaluated.
 */
export function planJobLegs(
  workflow: Workflow,
  job: Job,
  contexts: PlanContexts,
  diagnostics: Diagnostic[],
  runTime = false,
): PlannedJob[] {
  const waitsForRunTime = (value: TemplateValue | undefined) => !runTime && needsRunTime(value);
  const report = (pos: Position | undefined, message: string, hint?: string) =>
    diagnostics.push({ file: workflow.file, ...(pos ?? job.pos), severity: 'error', rule: 'plan', message, hint });
  const evaluate = (value: TemplateValue | undefined, scope: PlanContexts, fallback: unknown): unknown => {
    if (!value) return fallback;
    if (waitsForRunTime(value)) return sourceText(value);
    try {
      return evaluateTemplate(value, scope);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      report(value.pos, `job '${job.id}': ${error.message}`);
      return fallback;
    }
  };

  const strategy = job.strategy;
  const failFast = parseFailFast(evaluate(strategy?.failFast, contexts, true));
  const maxParallel = parseMaxParallel(evaluate(strategy?.maxParallel, contexts, null));
  if (typeof failFast === 'string') report(strategy?.failFast.pos, failFast);
  if (typeof maxParallel === 'string') report(strategy?.maxParallel?.pos, maxParallel);

  const settings = {
    failFast: typeof failFast === 'boolean' ? failFast : true,
    maxParallel: typeof maxParallel === 'number' ? maxParallel : null,
  };
  const { legs, nameLegs, deferred } = matrixLegs(job, contexts, evaluate, report, waitsForRunTime);
  return legs.map((leg, index) => {
    const scope = { ...contexts, matrix: leg ?? {}, strategy: strategyContext(settings, index, legs.length) };
    const nameUsesMatrix = expressionsIn(job.name).some(({ expression }) => /\bmatrix\b/.test(expression));
    const baseName = String(evaluate(job.name, scope, job.id) ?? job.id);
    const environment = evaluate(job.environment?.name, scope, null);
    return {
      id: job.id,
      name: nameUsesMatrix ? baseName : matrixDisplayName(baseName, nameLegs[index] ?? null),
      needs: job.needs,
      matrix: leg,
      ...(deferred ? { matrixDeferred: true } : {}),
      jobIndex: index,
      jobTotal: legs.length,
      runsOn: evaluate(job.runsOn, scope, null),
      environment: environment === null || environment === '' ? null : String(environment),
      failFast: settings.failFast,
      maxParallel: settings.maxParallel,
    };
  });
}

function matrixLegs(
  job: Job,
  contexts: PlanContexts,
  evaluate: (value: TemplateValue | undefined, scope: PlanContexts, fallback: unknown) => unknown,
  report: (pos: Position | undefined, message: string, hint?: string) => void,
  waitsForRunTime: (value: TemplateValue | undefined) => boolean,
): { legs: (MatrixLeg | null)[]; nameLegs: (MatrixLeg | null)[]; deferred: boolean } {
  const single = { legs: [null], nameLegs: [null] };
  const matrix = job.strategy?.matrix;
  if (!matrix) return { ...single, deferred: false };
  if (waitsForRunTime(matrix)) return { ...single, deferred: true };
  const config = evaluate(matrix, contexts, undefined);
  if (config === undefined) return { ...single, deferred: false };
  const expansion = expandMatrix(config);
  for (const error of expansion.errors) {
    report(matrix.pos, `job '${job.id}': ${error}`, 'see "Using a matrix for your jobs" in GitHub\'s documentation');
  }
  if (expansion.errors.length > 0 || expansion.legs.length === 0) return { ...single, deferred: false };
  return { legs: expansion.legs, nameLegs: expansion.nameLegs, deferred: false };
}

/** How a value was written, for values only a run can know. */
function sourceText(value: TemplateValue): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'expression':
      return value.source ?? `\${{ ${value.expression} }}`;
    case 'sequence':
      return value.items.map(sourceText);
    case 'mapping':
      return Object.fromEntries(value.entries.map((entry) => [entry.key, sourceText(entry.value)]));
  }
}
