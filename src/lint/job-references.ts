// `needs.<id>` must name a job listed in the job's own `needs` (GitHub gives
// null otherwise), and `steps.<id>` a step with that id earlier in the job.

import type { Diagnostic, Job, Position, Step, Workflow } from '../workflow/types.ts';
import { expressionsIn, type WrittenExpression } from '../workflow/template-values.ts';
import type { LintRule } from './rule.ts';

const needsReference = /\bneeds(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;
const stepsReference = /\bsteps(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])/g;

function referencedIds(expression: string, pattern: RegExp): string[] {
  return [...expression.matchAll(pattern)].map((match) => (match[1] ?? match[2])!);
}

function jobLevelExpressions(job: Job): WrittenExpression[] {
  return [
    { expression: job.if, pos: job.pos },
    ...expressionsIn(job.name),
    ...expressionsIn(job.runsOn),
    ...expressionsIn(job.env),
    ...expressionsIn(job.strategy?.matrix),
    ...expressionsIn(job.environment?.name),
    ...expressionsIn(job.container),
    ...expressionsIn(job.services),
    ...expressionsIn(job.call?.with),
    ...job.outputs.flatMap((output) => expressionsIn(output.value)),
    ...job.steps.flatMap(stepExpressions),
  ];
}

function stepExpressions(step: Step): WrittenExpression[] {
  return [
    { expression: step.if, pos: step.pos },
    ...expressionsIn(step.name),
    ...expressionsIn(step.run),
    ...expressionsIn(step.with),
    ...expressionsIn(step.env),
    ...expressionsIn(step.workingDirectory),
    ...expressionsIn(step.timeoutMinutes),
    ...expressionsIn(step.continueOnError),
  ];
}

function diagnostic(workflow: Workflow, pos: Position, message: string, hint: string): Diagnostic {
  return { file: workflow.file, ...pos, severity: 'error', rule: 'job-references', message, hint };
}

function checkNeeds(workflow: Workflow, job: Job): Diagnostic[] {
  const declared = new Set(job.needs);
  return jobLevelExpressions(job).flatMap(({ expression, pos }) =>
    referencedIds(expression, needsReference)
      .filter((id) => !declared.has(id))
      .map((id) =>
        diagnostic(
          workflow,
          pos ?? job.pos,
          `job '${job.id}' reads needs.${id}, but '${id}' is not in its needs`,
          job.needs.length > 0 ? `add '${id}' to needs: [${job.needs.join(', ')}]` : `add needs: [${id}]`,
        ),
      ),
  );
}

function checkSteps(workflow: Workflow, job: Job): Diagnostic[] {
  const outputs = job.outputs.flatMap((output) => expressionsIn(output.value));
  const allIds = new Set(job.steps.flatMap((step) => (step.id ? [step.id] : [])));
  const unknownIn = (expressions: WrittenExpression[], known: Set<string>, fallback: Position) =>
    expressions.flatMap(({ expression, pos }) =>
      referencedIds(expression, stepsReference)
        .filter((id) => !known.has(id))
        .map((id) =>
          diagnostic(
            workflow,
            pos ?? fallback,
            allIds.has(id)
              ? `step '${id}' is read before it runs in job '${job.id}'`
              : `job '${job.id}' has no step with id '${id}'`,
            'steps.<id> refers to an earlier step of the same job with that `id:`',
          ),
        ),
    );
  const seen = new Set<string>();
  const inSteps = job.steps.flatMap((step) => {
    const found = unknownIn(stepExpressions(step), seen, step.pos);
    if (step.id) seen.add(step.id);
    return found;
  });
  return [...inSteps, ...unknownIn(outputs, allIds, job.pos)];
}

export const jobReferences: LintRule = {
  id: 'job-references',
  check({ workflow }) {
    return workflow.jobs.flatMap((job) => [...checkNeeds(workflow, job), ...checkSteps(workflow, job)]);
  },
};
