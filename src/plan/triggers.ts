// Decides whether an event triggers a workflow, following GitHub's documented
// rules for `on:` (event filters, activity types, dispatch inputs, schedules),
// and validates the parts of `on:` that GitHub would refuse to run.

import { Cron } from 'croner';
import type { InputDefinition, Schedule, Trigger, Workflow } from '../workflow/types.ts';
import { decidingPattern, validatePattern } from './filter-patterns.ts';
import type { RepoEvent, TriggerDecision } from './types.ts';

export type InputValue = string | number | boolean;
export type TypedInputs = Record<string, InputValue>;

/** Activity types a pull_request or pull_request_target workflow runs for when it names none. */
export const DEFAULT_PULL_REQUEST_TYPES: readonly string[] = ['opened', 'synchronize', 'reopened'];

/** GitHub's diff for path filters stops after this many files; later files are never looked at. */
export const PATH_FILTER_FILE_LIMIT = 300;

/** Pushes with more commits than this always run: GitHub does not evaluate path filters for them. */
export const PATH_FILTER_COMMIT_LIMIT = 1000;

/** GitHub runs scheduled workflows at most this often. */
export const SHORTEST_SCHEDULE_MINUTES = 5;

// ---------------------------------------------------------------------------
// Deciding

export function decideTrigger(workflow: Workflow, event: RepoEvent): TriggerDecision {
  const trigger = workflow.triggers.find((candidate) => candidate.event === event.name);
  if (!trigger) return notTriggered(notListeningReason(workflow, event.name));
  const errors = validateTrigger(trigger).filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    const messages = errors.map((problem) => problem.message).join('; ');
    return notTriggered(`${event.name}: GitHub would not run this workflow because on.${event.name} is invalid: ${messages}`);
  }
  return decideForEvent(trigger, event);
}

function decideForEvent(trigger: Trigger, event: RepoEvent): TriggerDecision {
  switch (event.name) {
    case 'push':
      return decidePush(trigger, event);
    case 'pull_request':
    case 'pull_request_target':
      return decidePullRequest(trigger, event);
    case 'workflow_run':
      return decideWorkflowRun(trigger, event);
    case 'workflow_dispatch':
    case 'workflow_call':
      return decideWithInputs(trigger, event, event.name);
    case 'schedule':
      return decideSchedule(trigger, event);
    case 'repository_dispatch':
      return decideActivity(trigger, event, repositoryDispatchType(event));
    default:
      return decideActivity(trigger, event, activityOf(event));
  }
}

function notListeningReason(workflow: Workflow, eventName: string): string {
  const events = workflow.triggers.map((trigger) => trigger.event);
  if (events.length === 0) return 'the workflow has no triggers';
  const onlyCalled = events.length === 1 && events[0] === 'workflow_call' ? ' (it runs only when another workflow calls it)' : '';
  return `the workflow listens to ${events.join(', ')}, not ${eventName}${onlyCalled}`;
}

function notTriggered(reason: string): TriggerDecision {
  return { triggered: false, reason };
}

function triggered(reason: string, inputs: TypedInputs = {}): TriggerDecision {
  return { triggered: true, reason, inputs };
}

/** One filter's verdict. A passing check without a detail adds nothing to the reason. */
interface Check {
  passed: boolean;
  detail?: string;
}

const pass = (detail?: string): Check => ({ passed: true, detail });
const fail = (detail: string): Check => ({ passed: false, detail });

/** All checks must pass; the reason names the first failure, or every passing detail. */
function combine(prefix: string, checks: Check[]): TriggerDecision {
  const failure = checks.find((check) => !check.passed);
  if (failure) return notTriggered(`${prefix}: ${failure.detail}`);
  const details = checks.flatMap((check) => (check.detail ? [check.detail] : []));
  return triggered(`${prefix}: ${details.length > 0 ? details.join('; ') : 'no filter applies'}`);
}

function listed(patterns: readonly string[]): string {
  return `[${patterns.join(', ')}]`;
}

// ---------------------------------------------------------------------------
// push

type ParsedRef = { kind: 'branch' | 'tag'; name: string } | { kind: 'other' };

function parseRef(ref: string): ParsedRef {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return { kind: 'other' };
}

function hasBranchFilters(trigger: Trigger): boolean {
  return trigger.branches !== undefined || trigger.branchesIgnore !== undefined;
}

function hasTagFilters(trigger: Trigger): boolean {
  return trigger.tags !== undefined || trigger.tagsIgnore !== undefined;
}

function hasPathFilters(trigger: Trigger): boolean {
  return trigger.paths !== undefined || trigger.pathsIgnore !== undefined;
}

function decidePush(trigger: Trigger, event: RepoEvent): TriggerDecision {
  const prefix = `push to ${event.ref || '(no ref)'}`;
  const ref = parseRef(event.ref);
  if (ref.kind === 'tag') {
    if (hasBranchFilters(trigger) && !hasTagFilters(trigger)) {
      return notTriggered(`${prefix}: the workflow filters branches but not tags, so tag pushes do not trigger it`);
    }
    const pathNote = hasPathFilters(trigger) ? pass('path filters are not evaluated for tag pushes') : pass();
    return combine(prefix, [checkNamePatterns('tag', ref.name, 'tags', trigger.tags, trigger.tagsIgnore), pathNote]);
  }
  if (ref.kind === 'branch') {
    if (hasTagFilters(trigger) && !hasBranchFilters(trigger)) {
      return notTriggered(`${prefix}: the workflow filters tags but not branches, so branch pushes do not trigger it`);
    }
    const branchCheck = checkNamePatterns('branch', ref.name, 'branches', trigger.branches, trigger.branchesIgnore);
    return combine(prefix, [branchCheck, checkPushPaths(trigger, event)]);
  }
  if (hasBranchFilters(trigger) || hasTagFilters(trigger)) {
    return notTriggered(`${prefix}: the ref is neither a branch nor a tag, so branch and tag filters cannot match it`);
  }
  return combine(prefix, [checkPushPaths(trigger, event)]);
}

function checkPushPaths(trigger: Trigger, event: RepoEvent): Check {
  if (!hasPathFilters(trigger)) return pass();
  if (event.payload.deleted === true) return fail('deleting a branch changes no files, so path filters cannot match');
  const commits = event.payload.commits;
  if (Array.isArray(commits) && commits.length > PATH_FILTER_COMMIT_LIMIT) {
    return pass(`more than ${PATH_FILTER_COMMIT_LIMIT} commits were pushed, so GitHub skips path filters`);
  }
  return checkChangedPaths(trigger, event.changedFiles);
}

// ---------------------------------------------------------------------------
// Shared filters

/**
 * Include patterns (`branches`, `tags`, `workflows`) or ignore patterns
 * (`branches-ignore`, `tags-ignore`) against one name. Both lists use the
 * ordered "last matching pattern wins" rule.
 */
function checkNamePatterns(
  what: string,
  name: string,
  key: string,
  include: readonly string[] | undefined,
  ignore: readonly string[] | undefined,
): Check {
  if (include) return checkIncluded(what, name, key, include);
  if (ignore) return checkNotIgnored(what, name, `${key}-ignore`, ignore);
  return pass();
}

function checkIncluded(what: string, name: string, key: string, patterns: readonly string[]): Check {
  const decider = decidingPattern(name, patterns);
  if (!decider) return fail(`${what} '${name}' does not match ${key} ${listed(patterns)}`);
  if (decider.negated) return fail(`${what} '${name}' is excluded by '${decider.source}' in ${key} ${listed(patterns)}`);
  return pass(`${what} '${name}' matches '${decider.source}' in ${key} ${listed(patterns)}`);
}

function checkNotIgnored(what: string, name: string, key: string, patterns: readonly string[]): Check {
  const decider = decidingPattern(name, patterns);
  if (decider && !decider.negated) return fail(`${what} '${name}' is ignored by '${decider.source}' in ${key} ${listed(patterns)}`);
  return pass(`${what} '${name}' is not ignored by ${key} ${listed(patterns)}`);
}

function checkChangedPaths(trigger: Trigger, changedFiles: readonly string[] | undefined): Check {
  if (!hasPathFilters(trigger)) return pass();
  if (changedFiles === undefined) return pass('changed files are unknown, so path filters pass');
  if (changedFiles.length === 0) return fail('no files changed, so path filters cannot match');
  const considered = changedFiles.slice(0, PATH_FILTER_FILE_LIMIT);
  const truncation =
    changedFiles.length > PATH_FILTER_FILE_LIMIT ? ` (GitHub looks at the first ${PATH_FILTER_FILE_LIMIT} of ${changedFiles.length} changed files)` : '';
  if (trigger.paths) return checkPathsIncluded(considered, trigger.paths, truncation);
  return checkPathsNotAllIgnored(considered, trigger.pathsIgnore ?? [], truncation);
}

function checkPathsIncluded(files: readonly string[], patterns: readonly string[], truncation: string): Check {
  for (const file of files) {
    const decider = decidingPattern(file, patterns);
    if (decider && !decider.negated) return pass(`changed file '${file}' matches '${decider.source}' in paths ${listed(patterns)}`);
  }
  return fail(`none of the ${countFiles(files.length)} matches paths ${listed(patterns)}${truncation}`);
}

function checkPathsNotAllIgnored(files: readonly string[], patterns: readonly string[], truncation: string): Check {
  for (const file of files) {
    const decider = decidingPattern(file, patterns);
    if (!decider || decider.negated) return pass(`changed file '${file}' is not ignored by paths-ignore ${listed(patterns)}`);
  }
  return fail(`all ${countFiles(files.length)} match paths-ignore ${listed(patterns)}${truncation}`);
}

function countFiles(count: number): string {
  return count === 1 ? '1 changed file' : `${count} changed files`;
}

function checkTypes(eventName: string, activity: string | undefined, types: readonly string[] | undefined, defaults?: readonly string[]): Check {
  const effective = types ?? defaults;
  if (!effective) return pass();
  const which = types ? `types ${listed(effective)}` : `types ${listed(effective)} (the default for ${eventName})`;
  if (activity === undefined) return fail(`the event has no activity type (payload.action), but the workflow runs only for ${which}`);
  if (!effective.includes(activity)) return fail(`activity type '${activity}' is not in ${which}`);
  return pass(`activity type '${activity}' is in ${which}`);
}

function activityOf(event: RepoEvent): string | undefined {
  return event.action ?? stringAt(event.payload, ['action']);
}

/** repository_dispatch's activity type is the `event_type` the sender chose, delivered as `action`. */
function repositoryDispatchType(event: RepoEvent): string | undefined {
  return activityOf(event) ?? stringAt(event.payload, ['event_type']);
}

function stringAt(value: unknown, path: readonly string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

// ---------------------------------------------------------------------------
// pull_request, pull_request_target, workflow_run, other activity events

function decidePullRequest(trigger: Trigger, event: RepoEvent): TriggerDecision {
  const action = activityOf(event);
  const base = event.baseRef ?? stringAt(event.payload, ['pull_request', 'base', 'ref']);
  const prefix = `${event.name}${action ? ` ${action}` : ''}${base ? ` targeting '${base}'` : ''}`;
  return combine(prefix, [
    checkTypes(event.name, action, trigger.types, DEFAULT_PULL_REQUEST_TYPES),
    checkBaseBranch(trigger, base),
    checkChangedPaths(trigger, event.changedFiles),
  ]);
}

function checkBaseBranch(trigger: Trigger, base: string | undefined): Check {
  if (!hasBranchFilters(trigger)) return pass();
  if (base === undefined) return fail('the base branch is unknown, so branch filters cannot match');
  return checkNamePatterns('base branch', base, 'branches', trigger.branches, trigger.branchesIgnore);
}

function decideWorkflowRun(trigger: Trigger, event: RepoEvent): TriggerDecision {
  const action = activityOf(event);
  const name = stringAt(event.payload, ['workflow_run', 'name']) ?? stringAt(event.payload, ['workflow', 'name']);
  const headBranch = stringAt(event.payload, ['workflow_run', 'head_branch']);
  const prefix = `workflow_run${action ? ` ${action}` : ''}${name ? ` of '${name}'` : ''}`;
  return combine(prefix, [
    checkTriggeringWorkflow(name, trigger.workflows ?? []),
    checkTypes(event.name, action, trigger.types),
    checkHeadBranch(trigger, headBranch),
  ]);
}

function checkTriggeringWorkflow(name: string | undefined, workflows: readonly string[]): Check {
  if (name === undefined) return fail('the event does not name the triggering workflow (payload.workflow_run.name)');
  return checkIncluded('workflow', name, 'workflows', workflows);
}

function checkHeadBranch(trigger: Trigger, headBranch: string | undefined): Check {
  if (!hasBranchFilters(trigger)) return pass();
  if (headBranch === undefined) return fail("the triggering run's branch is unknown (payload.workflow_run.head_branch)");
  return checkNamePatterns('head branch', headBranch, 'branches', trigger.branches, trigger.branchesIgnore);
}

function decideActivity(trigger: Trigger, event: RepoEvent, activity: string | undefined): TriggerDecision {
  const prefix = `${event.name}${activity ? ` ${activity}` : ''}`;
  if (trigger.types === undefined) return triggered(`${prefix}: workflow listens to ${event.name}`);
  return combine(prefix, [checkTypes(event.name, activity, trigger.types)]);
}

// ---------------------------------------------------------------------------
// workflow_dispatch and workflow_call inputs

export type InputEvent = 'workflow_dispatch' | 'workflow_call';

/**
 * Types the given input strings against their definitions. Unknown inputs,
 * missing required inputs and values of the wrong type are all reported.
 * Optional inputs nobody gave take their default; without one, workflow_call
 * uses the documented zero value (false, 0, "") and workflow_dispatch leaves
 * the input out.
 */
export function resolveInputs(
  definitions: readonly InputDefinition[],
  given: Readonly<Record<string, string>>,
  event: InputEvent = 'workflow_dispatch',
): { inputs: TypedInputs } | { errors: string[] } {
  const errors = unknownInputErrors(definitions, given);
  const inputs: TypedInputs = {};
  for (const definition of definitions) {
    const resolved = resolveInput(definition, ownValue(given, definition.name), event);
    if ('error' in resolved) errors.push(resolved.error);
    else if (resolved.value !== undefined) inputs[definition.name] = resolved.value;
  }
  return errors.length > 0 ? { errors } : { inputs };
}

function ownValue(given: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(given, name) ? given[name] : undefined;
}

function unknownInputErrors(definitions: readonly InputDefinition[], given: Readonly<Record<string, string>>): string[] {
  const known = new Set(definitions.map((definition) => definition.name));
  const defined = known.size > 0 ? `the workflow defines ${[...known].join(', ')}` : 'the workflow defines no inputs';
  return Object.keys(given)
    .filter((name) => !known.has(name))
    .map((name) => `unexpected input '${name}': ${defined}`);
}

type Resolved = { value: InputValue | undefined } | { error: string };

function resolveInput(definition: InputDefinition, given: string | undefined, event: InputEvent): Resolved {
  const provided = given !== undefined && !(definition.required && given === '');
  if (provided) return parseInputValue(definition, given, `input '${definition.name}'`);
  if (definition.default !== undefined) {
    return parseInputValue(definition, String(definition.default), `the default of input '${definition.name}'`);
  }
  if (definition.required) return { error: `input '${definition.name}' is required but was not provided` };
  return { value: event === 'workflow_call' ? zeroValue(definition) : undefined };
}

function zeroValue(definition: InputDefinition): InputValue {
  if (definition.type === 'boolean') return false;
  if (definition.type === 'number') return 0;
  return '';
}

const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/u;

function parseInputValue(definition: InputDefinition, raw: string, subject: string): Resolved {
  switch (definition.type) {
    case 'boolean':
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { error: `${subject} must be true or false, got '${raw}'` };
    case 'number':
      if (DECIMAL_NUMBER.test(raw.trim())) return { value: Number(raw) };
      return { error: `${subject} must be a number, got '${raw}'` };
    case 'choice': {
      const options = definition.options ?? [];
      if (options.includes(raw)) return { value: raw };
      return { error: `${subject} must be one of ${options.join(', ') || '(no options defined)'}, got '${raw}'` };
    }
    case 'string':
    case 'environment':
      return { value: raw };
  }
}

function decideWithInputs(trigger: Trigger, event: RepoEvent, inputEvent: InputEvent): TriggerDecision {
  const prefix = `${inputEvent}${event.ref ? ` on ${event.ref}` : ''}`;
  const resolved = resolveInputs(trigger.inputs ?? [], event.inputs ?? {}, inputEvent);
  if ('errors' in resolved) {
    return { triggered: false, reason: `${prefix}: ${resolved.errors.join('; ')}`, inputErrors: resolved.errors };
  }
  const shown = Object.entries(resolved.inputs).map(([name, value]) => `${name}=${String(value)}`);
  return triggered(shown.length > 0 ? `${prefix} with inputs ${shown.join(', ')}` : prefix, resolved.inputs);
}

// ---------------------------------------------------------------------------
// schedule

function decideSchedule(trigger: Trigger, event: RepoEvent): TriggerDecision {
  const schedules = trigger.schedules ?? [];
  const crons = listed(schedules.map((schedule) => schedule.cron));
  if (event.schedule === undefined) return notTriggered(`schedule: the event does not say which cron fired; the workflow has ${crons}`);
  const fired = normalizeCron(event.schedule);
  const match = schedules.find((schedule) => normalizeCron(schedule.cron) === fired);
  if (!match) return notTriggered(`schedule '${event.schedule}': not one of this workflow's schedules ${crons}`);
  return triggered(`schedule '${match.cron}' (${match.timezone ?? 'UTC'}) fired`);
}

function normalizeCron(cron: string): string {
  return cron.trim().split(/\s+/u).join(' ');
}

const CRON_FIELDS = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELD_SHAPE = 'minute hour day-of-month month day-of-week';

/**
 * Checks a schedule the way GitHub reads it: five POSIX cron fields using
 * `*`, `,`, `-` and `/` (with JAN-DEC and SUN-SAT names), in UTC or an IANA
 * time zone. Returns the problem, or undefined when the cron is valid.
 */
export function validateCron(cron: string, timezone?: string): string | undefined {
  const fields = normalizeCron(cron).split(' ');
  const shapeError = cronShapeError(cron, fields);
  if (shapeError) return shapeError;
  const fieldError = fields.map((field, index) => cronFieldError(field, index)).find((error) => error !== undefined);
  if (fieldError) return `cron '${cron}': ${fieldError}`;
  if (timezone !== undefined && !isTimeZone(timezone)) return `timezone '${timezone}' is not an IANA time zone name such as 'America/New_York'`;
  try {
    createCron(cron, timezone);
  } catch (error) {
    return `cron '${cron}': ${String((error as Error).message).replace(/^CronPattern: /u, '')}`;
  }
  return undefined;
}

function cronShapeError(cron: string, fields: string[]): string | undefined {
  if (cron.trim().startsWith('@')) return `cron '${cron}': GitHub does not support nicknames such as @daily; write five fields (${FIELD_SHAPE})`;
  if (fields.length === 6) return `cron '${cron}' has 6 fields, but GitHub's cron has no seconds field; use five fields (${FIELD_SHAPE})`;
  if (fields.length !== 5) return `cron '${cron}' has ${fields.length} field${fields.length === 1 ? '' : 's'}; GitHub's cron needs five (${FIELD_SHAPE})`;
  return undefined;
}

function cronFieldError(field: string, index: number): string | undefined {
  const name = CRON_FIELDS[index] ?? 'field';
  const names = index === 3 ? MONTH_NAMES : index === 4 ? DAY_NAMES : [];
  if (!/^[0-9A-Za-z*,/-]+$/u.test(field)) {
    return `${name} field '${field}' may contain only numbers${names.length > 0 ? ', names' : ''} and the operators * , - /`;
  }
  const words = field.match(/[A-Za-z]+/gu) ?? [];
  const unknownWord = words.find((word) => !names.includes(word.toUpperCase()));
  if (unknownWord) {
    const allowed = names.length > 0 ? `; use ${names[0]}-${names[names.length - 1]}` : '';
    return `'${unknownWord}' is not allowed in the ${name} field${allowed}`;
  }
  if (index === 4 && cronValues(field).some((value) => value > 6)) return `day of week field '${field}' must use 0-6 (Sunday is 0) or SUN-SAT`;
  return undefined;
}

/** The numbers a field names as values or range ends (not step sizes). */
function cronValues(field: string): number[] {
  return field
    .split(',')
    .map((part) => part.split('/')[0] ?? '')
    .flatMap((range) => range.split('-'))
    .filter((value) => /^\d+$/u.test(value))
    .map(Number);
}

function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function createCron(cron: string, timezone: string | undefined): Cron {
  return new Cron(normalizeCron(cron), {
    mode: '5-part',
    timezone: timezone ?? 'Etc/UTC',
    // POSIX: when both day fields are restricted, either one matching is enough.
    domAndDow: false,
    // GitHub documents `20/15` (from 20, every 15) as valid.
    sloppyRanges: true,
  });
}

/** The next `count` times the cron fires strictly after `from`. Throws when the cron is invalid. */
export function nextScheduleTimes(cron: string, from: Date, count: number, timezone?: string): Date[] {
  const error = validateCron(cron, timezone);
  if (error) throw new Error(error);
  return createCron(cron, timezone).nextRuns(count, from);
}

export interface DueSchedule {
  schedule: Schedule;
  at: Date;
}

/** Every time one of the workflow's valid schedules fires in (since, until], earliest first. */
export function dueSchedules(workflow: Workflow, since: Date, until: Date): DueSchedule[] {
  const schedules = workflow.triggers.filter((trigger) => trigger.event === 'schedule').flatMap((trigger) => trigger.schedules ?? []);
  const due = schedules.flatMap((schedule) => firingsBetween(schedule, since, until));
  return due.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function firingsBetween(schedule: Schedule, since: Date, until: Date): DueSchedule[] {
  if (validateCron(schedule.cron, schedule.timezone)) return [];
  const cron = createCron(schedule.cron, schedule.timezone);
  const firings: DueSchedule[] = [];
  for (let at = cron.nextRun(since); at !== null && at <= until; at = cron.nextRun(at)) {
    firings.push({ schedule, at });
  }
  return firings;
}

/** The shortest gap, in minutes, between the cron's next firings from a fixed reference date. */
function shortestGapMinutes(cron: string, timezone: string | undefined): number {
  const runs = createCron(cron, timezone).nextRuns(24, new Date(Date.UTC(2024, 0, 1)));
  let shortest = Infinity;
  for (let index = 1; index < runs.length; index += 1) {
    const gap = ((runs[index] as Date).getTime() - (runs[index - 1] as Date).getTime()) / 60_000;
    shortest = Math.min(shortest, gap);
  }
  return shortest;
}

// ---------------------------------------------------------------------------
// Validation of `on.<event>`

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
    if (definition.default === undefined) return [];
    const checked = parseInputValue(definition, String(definition.default), `the default of input '${definition.name}'`);
    return 'error' in checked ? [{ severity: 'error', rule: 'inputs', message: checked.error }] : [];
  });
}
