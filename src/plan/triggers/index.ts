// Decides whether an event triggers a workflow, following GitHub's documented
// rules for `on:` (event filters, activity types, dispatch inputs, schedules),
// and validates the parts of `on:` that GitHub would refuse to run.

export { DEFAULT_PULL_REQUEST_TYPES, PATH_FILTER_COMMIT_LIMIT, decideTrigger } from './decide.ts';
export { PATH_FILTER_FILE_LIMIT } from './filters.ts';
export { resolveInputs } from './inputs.ts';
export type { InputEvent, InputValue, TypedInputs } from './inputs.ts';
export { SHORTEST_SCHEDULE_MINUTES, dueSchedules, nextScheduleTimes, validateCron } from './schedule.ts';
export type { DueSchedule } from './schedule.ts';
export { validateTrigger } from './validate.ts';
export type { TriggerProblem } from './validate.ts';
