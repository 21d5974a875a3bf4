// The parser checks needs only when some job has none; this rule always does,
// with the parser's wording so that the two never disagree.

import { jobGraphProblems } from '../plan/job-graph.ts';
import { hintFor } from '../workflow/parser-diagnostics.ts';
import type { LintRule } from './rule.ts';

export const jobGraph: LintRule = {
  id: 'job-graph',
  check({ workflow }) {
    return jobGraphProblems(workflow.jobs).map(({ job, needIndex, message }) => ({
      file: workflow.file,
      ...(job.needsAt[needIndex] ?? job.pos),
      severity: 'error' as const,
      rule: 'job-graph',
      message,
      hint: hintFor(message),
    }));
  },
};
