// `gantry lint`: the parser's diagnostics plus our own rules, for every file.

import path from 'node:path';
import { checkCalls, loadCalledWorkflows, type RemoteWorkflowFetcher } from '../workflow/calls.ts';
import { discoverWorkflowFiles, loadWorkflowFile } from '../workflow/load.ts';
import type { Diagnostic } from '../workflow/types.ts';
import { jobGraph } from './job-graph.ts';
import { jobReferences } from './job-references.ts';
import type { LintRule } from './rule.ts';
import { matrix } from './matrix.ts';
import { scriptInjection } from './script-injection.ts';
import { triggers } from './triggers.ts';
import { unpinnedActions } from './unpinned-actions.ts';

export const lintRules: readonly LintRule[] = [jobGraph, triggers, matrix, scriptInjection, unpinnedActions, jobReferences];

export interface LintReport {
  files: string[];
  diagnostics: Diagnostic[];
}

export interface LintOptions {
  /** Where reusable workflows of other repositories come from; without it their calls are not checked. */
  fetchRemote?: RemoteWorkflowFetcher;
}

export async function lintPaths(targets: string[], options: LintOptions = {}): Promise<LintReport> {
  const files = (await Promise.all(targets.map(discoverWorkflowFiles))).flat();
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const loaded = await loadWorkflowFile(file);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.workflow) {
      const target = { workflow: loaded.workflow, content: loaded.content };
      for (const rule of lintRules) diagnostics.push(...rule.check(target));
      const called = await loadCalledWorkflows(repositoryRootOf(file), [loaded.workflow], options.fetchRemote);
      diagnostics.push(...checkCalls(loaded.workflow, called));
    }
  }
  return { files, diagnostics: orderDiagnostics(diagnostics) };
}

/** `uses: ./...` is relative to the repository root: the folder that holds `.github/workflows`. */
function repositoryRootOf(file: string): string {
  const absolute = path.resolve(file);
  const at = absolute.lastIndexOf(`${path.sep}.github${path.sep}workflows${path.sep}`);
  return at >= 0 ? absolute.slice(0, at) : process.cwd();
}

/** Sorted by place, each reported once. */
export function orderDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const unique = new Map(diagnostics.map((d) => [`${d.file}:${d.line}:${d.column}:${d.message}`, d]));
  return [...unique.values()].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
}

export function countErrors(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.filter((d) => d.severity === 'error').length;
}
