// Decides whether an event triggers a workflow, following GitHub's documented
// rules for `on:` per event: push, pull_request*, workflow_run, dispatch inputs,
// schedules and activity types.

import type { Trigger, Workflow } from '../../workflow/types.ts';
import { stringAt } from '../payload-fields.ts';
import type { RepoEvent, TriggerDecision } from '../types.ts';
import {
  checkBranch,
  checkChangedPaths,
  checkIncluded,
  checkNamePatterns,
  checkTypes,
  combine,
  fail,
  hasBranchFilters,
  hasPathFilters,
  hasTagFilters,
  listed,
  notTriggered,
  pass,
  triggered,
} from './filters.ts';
import type { Check } from './filters.ts';
import { resolveInputs } from './inputs.ts';
import type { InputEvent } from './inputs.ts';
import { normalizeCron } from './schedule.ts';
import { validateTrigger } from './validate.ts';

/** Activity types a pull_request or pull_request_target workflow runs for when it names none. */
export const DEFAULT_PULL_REQUEST_TYPES: readonly string[] = ['opened', 'synchronize', 'reopened'];

/** Pushes with more commits than this always run: GitHub does not evaluate path filters for them. */
export const PATH_FILTER_COMMIT_LIMIT = 1000;

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

function activityOf(event: RepoEvent): string | undefined {
  return event.action ?? stringAt(event.payload, 'action');
}

/** repository_dispatch's activity type is the `event_type` the sender chose, delivered as `action`. */
function repositoryDispatchType(event: RepoEvent): string | undefined {
  return activityOf(event) ?? stringAt(event.payload, 'event_type');
}

// ---------------------------------------------------------------------------
// push

type ParsedRef = { kind: 'branch' | 'tag'; name: string } | { kind: 'other' };

function parseRef(ref: string): ParsedRef {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return { kind: 'other' };
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
// pull_request, pull_request_target, workflow_run, other activity events

function decidePullRequest(trigger: Trigger, event: RepoEvent): TriggerDecision {
  const action = activityOf(event);
  const base = event.baseRef ?? stringAt(event.payload, 'pull_request', 'base', 'ref');
  const prefix = `${event.name}${action ? ` ${action}` : ''}${base ? ` targeting '${base}'` : ''}`;
  return combine(prefix, [
    checkTypes(event.name, action, trigger.types, DEFAULT_PULL_REQUEST_TYPES),
    checkBranch(trigger, 'base branch', base, 'the base branch is unknown, so branch filters cannot match'),
    checkChangedPaths(trigger, event.changedFiles),
  ]);
}

function decideWorkflowRun(trigger: Trigger, event: RepoEvent): TriggerDecision {
  const action = activityOf(event);
  const name = stringAt(event.payload, 'workflow_run', 'name') ?? stringAt(event.payload, 'workflow', 'name');
  const headBranch = stringAt(event.payload, 'workflow_run', 'head_branch');
  const prefix = `workflow_run${action ? ` ${action}` : ''}${name ? ` of '${name}'` : ''}`;
  return combine(prefix, [
    checkTriggeringWorkflow(name, trigger.workflows ?? []),
    checkTypes(event.name, action, trigger.types),
    checkBranch(trigger, 'head branch', headBranch, "the triggering run's branch is unknown (payload.workflow_run.head_branch)"),
  ]);
}

function checkTriggeringWorkflow(name: string | undefined, workflows: readonly string[]): Check {
  if (name === undefined) return fail('the event does not name the triggering workflow (payload.workflow_run.name)');
  return checkIncluded('workflow', name, 'workflows', workflows);
}

function decideActivity(trigger: Trigger, event: RepoEvent, activity: string | undefined): TriggerDecision {
  const prefix = `${event.name}${activity ? ` ${activity}` : ''}`;
  if (trigger.types === undefined) return triggered(`${prefix}: workflow listens to ${event.name}`);
  return combine(prefix, [checkTypes(event.name, activity, trigger.types)]);
}

// ---------------------------------------------------------------------------
// workflow_dispatch, workflow_call, schedule

function decideWithInputs(trigger: Trigger, event: RepoEvent, inputEvent: InputEvent): TriggerDecision {
  const prefix = `${inputEvent}${event.ref ? ` on ${event.ref}` : ''}`;
  const resolved = resolveInputs(trigger.inputs ?? [], event.inputs ?? {}, inputEvent);
  if ('errors' in resolved) {
    return { triggered: false, reason: `${prefix}: ${resolved.errors.join('; ')}`, inputErrors: resolved.errors };
  }
  const shown = Object.entries(resolved.inputs).map(([name, value]) => `${name}=${String(value)}`);
  return triggered(shown.length > 0 ? `${prefix} with inputs ${shown.join(', ')}` : prefix, resolved.inputs);
}

function decideSchedule(trigger: Trigger, event: RepoEvent): TriggerDecision {
  const schedules = trigger.schedules ?? [];
  const crons = listed(schedules.map((schedule) => schedule.cron));
  if (event.schedule === undefined) return notTriggered(`schedule: the event does not say which cron fired; the workflow has ${crons}`);
  const fired = normalizeCron(event.schedule);
  const match = schedules.find((schedule) => normalizeCron(schedule.cron) === fired);
  if (!match) return notTriggered(`schedule '${event.schedule}': not one of this workflow's schedules ${crons}`);
  return triggered(`schedule '${match.cron}' (${match.timezone ?? 'UTC'}) fired`);
}
