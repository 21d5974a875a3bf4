// The filters of `on.<event>` (branches, tags, paths, activity types) as checks,
// and how the checks of one event combine into a decision with a reason.

import type { Trigger } from '../../workflow/types.ts';
import { decidingPattern } from '../filter-patterns.ts';
import type { TriggerDecision } from '../types.ts';
import type { TypedInputs } from './inputs.ts';

/** GitHub's diff for path filters stops after this many files; later files are never looked at. */
export const PATH_FILTER_FILE_LIMIT = 300;

/** One filter's verdict. A passing check without a detail adds nothing to the reason. */
export interface Check {
  passed: boolean;
  detail?: string;
}

export const pass = (detail?: string): Check => ({ passed: true, detail });
export const fail = (detail: string): Check => ({ passed: false, detail });

export function notTriggered(reason: string): TriggerDecision {
  return { triggered: false, reason };
}

export function triggered(reason: string, inputs: TypedInputs = {}): TriggerDecision {
  return { triggered: true, reason, inputs };
}

/** All checks must pass; the reason names the first failure, or every passing detail. */
export function combine(prefix: string, checks: Check[]): TriggerDecision {
  const failure = checks.find((check) => !check.passed);
  if (failure) return notTriggered(`${prefix}: ${failure.detail}`);
  const details = checks.flatMap((check) => (check.detail ? [check.detail] : []));
  return triggered(`${prefix}: ${details.length > 0 ? details.join('; ') : 'no filter applies'}`);
}

export function listed(patterns: readonly string[]): string {
  return `[${patterns.join(', ')}]`;
}

export function hasBranchFilters(trigger: Trigger): boolean {
  return trigger.branches !== undefined || trigger.branchesIgnore !== undefined;
}

export function hasTagFilters(trigger: Trigger): boolean {
  return trigger.tags !== undefined || trigger.tagsIgnore !== undefined;
}

export function hasPathFilters(trigger: Trigger): boolean {
  return trigger.paths !== undefined || trigger.pathsIgnore !== undefined;
}

/**
 * Include patterns (`branches`, `tags`, `workflows`) or ignore patterns
 * (`branches-ignore`, `tags-ignore`) against one name. Both lists use the
 * ordered "last matching pattern wins" rule.
 */
export function checkNamePatterns(
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

export function checkIncluded(what: string, name: string, key: string, patterns: readonly string[]): Check {
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

/**
 * `branches` / `branches-ignore` against a branch the payload names (a pull request's base,
 * a workflow run's head). `unknown` is the failure when the payload does not name it.
 */
export function checkBranch(trigger: Trigger, what: string, branch: string | undefined, unknown: string): Check {
  if (!hasBranchFilters(trigger)) return pass();
  if (branch === undefined) return fail(unknown);
  return checkNamePatterns(what, branch, 'branches', trigger.branches, trigger.branchesIgnore);
}

/** `paths` / `paths-ignore` against the files the event changed; unknown files pass. */
export function checkChangedPaths(trigger: Trigger, changedFiles: readonly string[] | undefined): Check {
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

/** `types` against the event's activity type; `defaults` apply when the workflow names none. */
export function checkTypes(eventName: string, activity: string | undefined, types: readonly string[] | undefined, defaults?: readonly string[]): Check {
  const effective = types ?? defaults;
  if (!effective) return pass();
  const which = types ? `types ${listed(effective)}` : `types ${listed(effective)} (the default for ${eventName})`;
  if (activity === undefined) return fail(`the event has no activity type (payload.action), but the workflow runs only for ${which}`);
  if (!effective.includes(activity)) return fail(`activity type '${activity}' is not in ${which}`);
  return pass(`activity type '${activity}' is in ${which}`);
}
