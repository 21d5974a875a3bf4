import type { Diagnostic, Workflow } from '../workflow/types.ts';

export interface LintTarget {
  workflow: Workflow;
  /** The file's text, for positions inside multi-line values. */
  content: string;
}

export interface LintRule {
  id: string;
  check(target: LintTarget): Diagnostic[];
}
