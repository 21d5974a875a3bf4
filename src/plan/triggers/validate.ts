// Validation of `on.<event>`: what GitHub would refuse to run (errors) or silently
// work around (warnings). The planner and the `triggers` lint rule both use it.

import type { Trigger } from '../../workflow/types.ts';
import { validatePattern } from '../filter-patterns.ts';
import { parseDefault } from './inputs.ts';
import { FIELD_SHAPE, SHORTEST_SCHEDULE_MINUTES, shortestGapMinutes, validateCron } from './schedule.ts';

export interface TriggerProblem {
  severity: 'error' | 'warning';
  /** Stable rule id: `trigger-filters`, `filter-pattern`, `workflow-run`, `schedule`, `inputs`. */
  rule: string;
  message: string;
  hint?: string;
}

/** Problems GitHub would reject (errors) or silently work around (warnings) in one `on.<event>`. */
export function validateTrigger(trigger: Trigger): TriggerProblem[] {
  return [
    ...exclusiveFilterProblems(trigger),
    ...patternProblems(trigger),
    ...workflowRunProblems(trigger),
    ...scheduleProblems(trigger),
    ...inputDefinitionProblems(trigger),
  ];
}

const EXCLUSIVE_FILTERS = [
  ['branches', 'branchesIgnore', 'branches', 'branches-ignore'],
  ['tags', 'tagsIgnore', 'tags', 'tags-ignore'],
  ['paths', 'pathsIgnore', 'paths', 'paths-ignore'],
] as const;

function exclusiveFilterProblems(trigger: Trigger): TriggerProblem[] {
  return EXCLUSIVE_FILTERS.filter(([include, ignore]) => trigger[include] !== undefined && trigger[ignore] !== undefined).map(
    ([, , includeKey, ignoreKey]) => ({
      severity: 'error',
      rule: 'trigger-filters',
      message: `on.${trigger.event} uses both ${includeKey} and ${ignoreKey}, which GitHub does not allow for the same event`,
      hint: `keep ${includeKey} and exclude with '!' patterns, e.g. ['**', '!excluded/**']`,
    }),
  );
}

const PATTERN_FILTERS = [
  ['branches', 'branches'],
  ['branchesIgnore', 'branches-ignore'],
  ['tags', 'tags'],
  ['tagsIgnore', 'tags-ignore'],
  ['paths', 'paths'],
  ['pathsIgnore', 'paths-ignore'],
  ['workflows', 'workflows'],
] as const;

function patternProblems(trigger: Trigger): TriggerProblem[] {
  return PATTERN_FILTERS.flatMap(([field, key]) =>
    (trigger[field] ?? []).flatMap((pattern): TriggerProblem[] => {
      const error = validatePattern(pattern);
      if (!error) return [];
      return [{ severity: 'error', rule: 'filter-pattern', message: `on.${trigger.event}.${key}: invalid filter pattern '${pattern}': ${error}` }];
    }),
  );
}

function workflowRunProblems(trigger: Trigger): TriggerProblem[] {
  if (trigger.event !== 'workflow_run' || (trigger.workflows && trigger.workflows.length > 0)) return [];
  return [
    {
      severity: 'error',
      rule: 'workflow-run',
      message: 'on.workflow_run needs `workflows`: the names of the workflows whose runs trigger this one',
      hint: 'workflows: [Build]',
    },
  ];
}

function scheduleProblems(trigger: Trigger): TriggerProblem[] {
  return (trigger.schedules ?? []).flatMap((schedule): TriggerProblem[] => {
    const error = validateCron(schedule.cron, schedule.timezone);
    if (error) return [{ severity: 'error', rule: 'schedule', message: error, hint: `five fields: ${FIELD_SHAPE}, e.g. '30 5 * * 1-5'` }];
    const gap = shortestGapMinutes(schedule.cron, schedule.timezone);
    if (gap >= SHORTEST_SCHEDULE_MINUTES) return [];
    return [
      {
        severity: 'warning',
        rule: 'schedule',
        message: `cron '${schedule.cron}' fires every ${gap} minute${gap === 1 ? '' : 's'}, but GitHub runs scheduled workflows at most once every ${SHORTEST_SCHEDULE_MINUTES} minutes`,
      },
    ];
  });
}

function inputDefinitionProblems(trigger: Trigger): TriggerProblem[] {
  return (trigger.inputs ?? []).flatMap((definition): TriggerProblem[] => {
    if (definition.type === 'choice' && (definition.options ?? []).length === 0) {
      return [{ severity: 'error', rule: 'inputs', message: `choice input '${definition.name}' has no options` }];
    }
    const checked = parseDefault(definition);
    return checked && 'error' in checked ? [{ severity: 'error', rule: 'inputs', message: checked.error }] : [];
  });
}
