// Matrices written out in full are expanded at lint time with the planner's own
// expansion, so a matrix that lints clean also plans.

import { expandMatrix } from '../plan/matrix.ts';
import { literalValue } from '../workflow/template-values.ts';
import type { LintRule } from './rule.ts';

export const matrix: LintRule = {
  id: 'matrix',
  check({ workflow }) {
    return workflow.jobs.flatMap((job) => {
      const written = job.strategy?.matrix;
      const config = written && literalValue(written);
      if (!written || config === undefined) return [];
      return expandMatrix(config).errors.map((message) => ({
        file: workflow.file,
        ...(written.pos ?? job.pos),
        severity: 'error' as const,
        rule: 'matrix',
        message: `job '${job.id}': ${message}`,
      }));
    });
  },
};
