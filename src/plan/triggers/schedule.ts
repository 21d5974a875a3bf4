// `on.schedule`: GitHub's cron dialect, and when a workflow's schedules fire.

import { Cron } from 'croner';
import type { Schedule, Workflow } from '../../workflow/types.ts';

/** GitHub runs scheduled workflows at most this often. */
export const SHORTEST_SCHEDULE_MINUTES = 5;

export const FIELD_SHAPE = 'minute hour day-of-month month day-of-week';

const CRON_FIELDS = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The cron with single spaces between its fields, to compare two spellings of one schedule. */
export function normalizeCron(cron: string): string {
  return cron.trim().split(/\s+/u).join(' ');
}

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
export function shortestGapMinutes(cron: string, timezone: string | undefined): number {
  const runs = createCron(cron, timezone).nextRuns(24, new Date(Date.UTC(2024, 0, 1)));
  let shortest = Infinity;
  for (let index = 1; index < runs.length; index += 1) {
    const gap = ((runs[index] as Date).getTime() - (runs[index - 1] as Date).getTime()) / 60_000;
    shortest = Math.min(shortest, gap);
  }
  return shortest;
}
