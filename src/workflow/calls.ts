// Reusable workflows: the local files that `jobs.<id>.uses` names, loaded once
// each, and the checks GitHub makes of a call (inputs, secrets, workflow_call,
// cycles and depth), reported at the caller's position.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadWorkflowFile, type LoadedWorkflow } from './load.ts';
import { literalValue } from './template-values.ts';
import type { Diagnostic, Job, Position, Workflow } from './types.ts';

/** GitHub allows reusable workflows to call others up to this many levels deep (the caller is level 1). */
export const MAX_CALL_DEPTH = 10;

/** GitHub.com lets one workflow file call this many unique reusable workflows, nested ones included
 * (GitHub Enterprise Server: 20). */
export const MAX_UNIQUE_CALLS = 50;

export type CalledWorkflows = ReadonlyMap<string, LoadedWorkflow>;

const isLocalCall = (uses: string) => uses.startsWith('./');

/**
 * Finds the file of a reusable workflow in another repository (`owner/repo/path@ref`), e.g. through
 * the action store; undefined when it cannot be had, with `reason` saying why.
 */
export type RemoteWorkflowFetcher = (uses: string) => Promise<{ file?: string; reason?: string }>;

/** Every reusable workflow reachable from these workflows, keyed by `uses`. */
export async function loadCalledWorkflows(
  repoDir: string,
  workflows: readonly (Workflow | undefined)[],
  fetchRemote?: RemoteWorkflowFetcher,
): Promise<Map<string, LoadedWorkflow>> {
  const called = new Map<string, LoadedWorkflow>();
  const pending = workflows.flatMap((workflow) => callsOf(workflow));
  while (pending.length > 0) {
    const uses = pending.pop()!;
    if (called.has(uses)) continue;
    const file = isLocalCall(uses) ? path.join(repoDir, uses) : (await fetchRemote?.(uses))?.file;
    if (!file || !existsSync(file)) continue;
    const loaded = await loadWorkflowFile(file, isLocalCall(uses) ? uses.slice(2) : uses);
    called.set(uses, loaded);
    pending.push(...callsOf(loaded.workflow));
  }
  return called;
}

function callsOf(workflow: Workflow | undefined): string[] {
  return (workflow?.jobs ?? []).flatMap((job) => (job.call ? [job.call.uses] : []));
}

function problem(workflow: Workflow, job: Job, message: string, hint?: string, at: Position = job.pos): Diagnostic {
  return { file: workflow.file, ...at, severity: 'error', rule: 'reusable-workflow', message, hint };
}

function typeOf(value: unknown): string {
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
}

/** GitHub's checks of one call against the workflow it calls. */
function checkCall(workflow: Workflow, job: Job, target: Workflow, targetFile: string): Diagnostic[] {
  const call = job.call!;
  const trigger = target.triggers.find((t) => t.event === 'workflow_call');
  if (!trigger) {
    return [problem(workflow, job, `${targetFile} has no on.workflow_call, so it cannot be called`, 'add `on: workflow_call` to the called workflow')];
  }
  const found: Diagnostic[] = [];
  const given = call.with?.kind === 'mapping' ? call.with.entries : [];
  const definitions = new Map((trigger.inputs ?? []).map((input) => [input.name.toLowerCase(), input]));
  for (const entry of given) {
    const definition = definitions.get(entry.key.toLowerCase());
    if (!definition) {
      const known = [...definitions.values()].map((d) => d.name).join(', ') || 'none';
      found.push(problem(workflow, job, `input '${entry.key}' is not defined in ${targetFile}`, `its inputs: ${known}`, entry.pos));
      continue;
    }
    const value = literalValue(entry.value);
    if (value !== undefined && value !== null && typeOf(value) !== definition.type && definition.type !== 'string') {
      const message = `input '${entry.key}' of ${targetFile} is a ${definition.type}, but the caller gives the ${typeOf(value)} ${JSON.stringify(value)}`;
      found.push(problem(workflow, job, message, undefined, entry.pos));
    }
  }
  const givenNames = new Set(given.map((entry) => entry.key.toLowerCase()));
  for (const definition of definitions.values()) {
    if (definition.required && definition.default === undefined && !givenNames.has(definition.name.toLowerCase())) {
      found.push(problem(workflow, job, `${targetFile} requires the input '${definition.name}', which the caller does not give`, `add it under jobs.${job.id}.with`));
    }
  }
  if (call.secrets !== 'inherit') {
    const passed = new Set(call.secrets?.kind === 'mapping' ? call.secrets.entries.map((e) => e.key.toLowerCase()) : []);
    const declared = new Map((trigger.secrets ?? []).map((secret) => [secret.name.toLowerCase(), secret]));
    for (const name of passed) {
      if (!declared.has(name)) found.push(problem(workflow, job, `secret '${name}' is not defined in ${targetFile}`));
    }
    for (const secret of declared.values()) {
      if (secret.required && !passed.has(secret.name.toLowerCase())) {
        found.push(problem(workflow, job, `${targetFile} requires the secret '${secret.name}', which the caller does not pass`, 'pass it under secrets:, or use secrets: inherit'));
      }
    }
  }
  return found;
}

/** Every problem with the calls a workflow makes, directly or through the workflows it calls. */
export function checkCalls(workflow: Workflow, called: CalledWorkflows): Diagnostic[] {
  const found: Diagnostic[] = [];
  const visit = (current: Workflow, chain: readonly string[], origin: Job | undefined) => {
    for (const job of current.jobs) {
      if (!job.call) continue;
      const at = origin ?? job;
      const report = (message: string, hint?: string) => found.push(problem(workflow, at, message, hint));
      const { uses } = job.call;
      const target = called.get(uses);
      if (!target) {
        if (isLocalCall(uses)) {
          report(`no reusable workflow at ${uses}`, '`uses: ./path` is relative to the repository root, e.g. ./.github/workflows/build.yml');
        } else {
          found.push({
            ...problem(workflow, at, `the reusable workflow ${uses} is not in the action store, so its call is not checked`, 'gantry run fetches it; offline, add its repository with gantry actions add'),
            severity: 'warning',
          });
        }
        continue;
      }
      if (chain.includes(uses)) {
        report(`reusable workflows call each other in a cycle: ${[...chain, uses].join(' -> ')}`);
        continue;
      }
      if (chain.length + 2 > MAX_CALL_DEPTH) {
        report(`reusable workflows are nested more than ${MAX_CALL_DEPTH} levels deep: ${[...chain, uses].join(' -> ')}`);
        continue;
      }
      if (!target.workflow) {
        report(`${uses} cannot be read: ${target.diagnostics[0]?.message ?? 'it has errors'}`, `run gantry lint ${uses}`);
        continue;
      }
      if (!origin) found.push(...checkCall(current, job, target.workflow, isLocalCall(uses) ? uses.slice(2) : uses));
      visit(target.workflow, [...chain, uses], at);
    }
  };
  visit(workflow, [], undefined);
  const unique = uniqueCalls(workflow, called);
  if (unique.size > MAX_UNIQUE_CALLS) {
    const first = workflow.jobs.find((job) => job.call)!;
    found.push(problem(workflow, first, `this workflow calls ${unique.size} unique reusable workflows (nested ones included); GitHub allows ${MAX_UNIQUE_CALLS}`));
  }
  return found;
}

function uniqueCalls(workflow: Workflow, called: CalledWorkflows): Set<string> {
  const seen = new Set<string>();
  const pending = callsOf(workflow);
  while (pending.length > 0) {
    const uses = pending.pop()!;
    if (seen.has(uses)) continue;
    seen.add(uses);
    pending.push(...callsOf(called.get(uses)?.workflow));
  }
  return seen;
}
