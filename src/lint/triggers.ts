// `on:` problems the parser lets through (exclusive filters, bad patterns, cron,
// dispatch inputs), checked by the same code the planner decides triggers with.

import { validateTrigger } from '../plan/triggers/index.ts';
import type { LintRule } from './rule.ts';

export const triggers: LintRule = {
  id: 'triggers',
  check({ workflow }) {
    return workflow.triggers.flatMap((trigger) =>
      validateTrigger(trigger).map((problem) => ({
        file: workflow.file,
        ...(trigger.pos ?? { line: 1, column: 1 }),
        severity: problem.severity,
        rule: problem.rule,
        message: problem.message,
        hint: problem.hint,
      })),
    );
  },
};
