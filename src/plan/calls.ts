// A job that calls a reusable workflow is planned as the called workflow's jobs,
// named `caller/called` as GitHub names them, one set per leg of the caller's
// matrix, with the caller's `with` as their `inputs` (GitHub's rules: the
// called workflow's own env, the caller's github context).

import { ExpressionError, evaluateTemplate } from '../expr/index.ts';
import type { CalledWorkflows } from '../workflow/calls.ts';
import { expressionsIn } from '../workflow/template-values.ts';
import type { Diagnostic, Job, MappingEntry, Workflow } from '../workflow/types.ts';
import { dependencyOrder } from './job-graph.ts';
import { resolveInputs } from './triggers/index.ts';
import type { CallContext, PlannedJob } from './types.ts';

export type LegPlanner = (workflow: Workflow, job: Job, contexts: Record<string, unknown>, diagnostics: Diagnostic[]) => PlannedJob[];

const MAX_DEPTH = 10;

/** The caller's `with` as strings; at plan time (`runTime` false) values that read `needs` stay as written. */
export function givenInputs(entries: readonly MappingEntry[], scope: Record<string, unknown>, runTime = false): Record<string, string> {
  const given: Record<string, string> = {};
  for (const entry of entries) {
    const needsRunTime = !runTime && expressionsIn(entry.value).some(({ expression }) => /\b(needs|steps|jobs)\b/.test(expression));
    if (needsRunTime) {
      given[entry.key] = entry.value.kind === 'expression' ? (entry.value.source ?? `\${{ ${entry.value.expression} }}`) : '';
      continue;
    }
    const value = evaluateTemplate(entry.value, scope);
    given[entry.key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return given;
}

/** The called workflow's jobs for every leg of the calling job; the caller's legs themselves when the call cannot be planned. */
export function planCall(
  workflow: Workflow,
  job: Job,
  contexts: Record<string, unknown>,
  called: CalledWorkflows,
  diagnostics: Diagnostic[],
  planLegs: LegPlanner,
  depth = 1,
): PlannedJob[] {
  const callerLegs = planLegs(workflow, job, contexts, diagnostics);
  const target = job.call ? called.get(job.call.uses)?.workflow : undefined;
  const trigger = target?.triggers.find((t) => t.event === 'workflow_call');
  if (!target || !trigger || depth > MAX_DEPTH) return callerLegs;

  return callerLegs.flatMap((callerLeg) => {
    const scope = { ...contexts, matrix: callerLeg.matrix ?? {} };
    let inputs: Record<string, string | number | boolean> = {};
    try {
      const resolved = resolveInputs(trigger.inputs ?? [], givenInputs(job.call?.with?.kind === 'mapping' ? job.call.with.entries : [], scope), 'workflow_call');
      if ('errors' in resolved) {
        for (const message of resolved.errors) diagnostics.push({ file: workflow.file, ...job.pos, severity: 'error', rule: 'reusable-workflow', message });
      } else {
        inputs = resolved.inputs;
      }
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      diagnostics.push({ file: workflow.file, ...job.pos, severity: 'error', rule: 'reusable-workflow', message: `jobs.${job.id}.with: ${error.message}` });
    }
    const calledContexts = { ...contexts, inputs };
    return dependencyOrder(target.jobs).flatMap((calledJob) => {
      const legs = calledJob.call
        ? planCall(target, calledJob, calledContexts, called, diagnostics, planLegs, depth + 1)
        : planLegs(target, calledJob, calledContexts, diagnostics);
      const secrets: CallContext['secrets'][number] =
        job.call?.secrets === 'inherit' ? 'inherit' : job.call?.secrets?.kind === 'mapping' ? job.call.secrets.entries : [];
      return legs.map((leg) => ({
        ...leg,
        id: `${job.id}/${leg.id}`,
        name: `${callerLeg.name} / ${leg.name}`,
        needs: leg.needs.length > 0 ? leg.needs.map((need) => `${job.id}/${need}`) : job.needs,
        call: leg.call
          ? { ...leg.call, callerId: job.id, secrets: [secrets, ...leg.call.secrets], callerIfs: [job.if, ...leg.call.callerIfs] }
          : {
              callerId: job.id,
              workflow: target,
              jobId: calledJob.id,
              inputs,
              secrets: [secrets],
              with: job.call?.with?.kind === 'mapping' ? job.call.with.entries : [],
              inputDefinitions: trigger.inputs ?? [],
              callerNeeds: job.needs,
              callerMatrix: callerLeg.matrix,
              callerInputs: (contexts.inputs as Record<string, unknown> | undefined) ?? {},
              callerIfs: [job.if],
            },
      }));
    });
  });
}
