import path from 'node:path';
import { planRun, type PlanInput } from '../plan/planner.ts';
import { ActionStore } from '../actions/store/action-store.ts';
import { remoteWorkflowFetcher } from '../actions/store/workflow-fetcher.ts';
import { loadCalledWorkflows } from '../workflow/calls.ts';
import { DEFAULT_WORKFLOWS_DIR, discoverWorkflowFiles, loadWorkflowFile } from '../workflow/load.ts';
import { eventFromOptions, type EventOptions } from './event-options.ts';
import type { CommandIO } from './io.ts';
import { formatPlan, type PlanFormat } from './plan-format.ts';

export interface PlanCommandOptions extends EventOptions {
  directory: string;
  workflows?: string;
  format: PlanFormat;
}

/** Workflow files of a repository, named relative to it as GitHub names them. */
export async function loadRepositoryWorkflows(directory: string, workflows?: string): Promise<PlanInput[]> {
  const repoDir = path.resolve(directory);
  const target = path.resolve(repoDir, workflows ?? DEFAULT_WORKFLOWS_DIR);
  const files = await discoverWorkflowFiles(target);
  return Promise.all(files.map((file) => loadWorkflowFile(file, path.relative(repoDir, file) || file)));
}

export async function planCommand(options: PlanCommandOptions, io: CommandIO): Promise<number> {
  const repoDir = path.resolve(options.directory);
  const inputs = await loadRepositoryWorkflows(repoDir, options.workflows);
  const event = await eventFromOptions(repoDir, options);
  const store = new ActionStore({ serverUrl: options.actionsUrl, offline: options.offline, log: (line) => io.err(`gantry: ${line}\n`) });
  const calledWorkflows = await loadCalledWorkflows(repoDir, inputs.map((input) => input.workflow), remoteWorkflowFetcher(store));
  const plan = planRun(inputs, event, { calledWorkflows });
  io.out(formatPlan(plan, options.format));
  const broken = plan.workflows.some((wp) => wp.diagnostics.some((d) => d.severity === 'error'));
  return broken ? 2 : 0;
}
