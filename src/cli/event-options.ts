// Turns `--event`, `--ref`, `--eventpath` and friends into a RepoEvent built
// from the repository's git history.

import {
  buildDispatchEvent,
  buildEvent,
  buildPullRequestEvent,
  buildPushEvent,
  buildRepositoryDispatchEvent,
  buildScheduleEvent,
  buildWorkflowRunEvent,
  loadEventFile,
} from '../plan/events/index.ts';
import type { RepoEvent } from '../plan/types.ts';
import { UsageError } from './io.ts';

export interface EventOptions {
  event: string;
  ref?: string;
  eventpath?: string;
  input: string[];
  base?: string;
  head?: string;
  action?: string;
  triggeringWorkflow?: string;
  conclusion?: string;
  cron?: string;
  actionsUrl?: string;
  offline: boolean;
}

export function parseKeyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects NAME=VALUE, got "${pair}"`);
    values[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return values;
}

export async function eventFromOptions(repoDir: string, options: EventOptions): Promise<RepoEvent> {
  if (options.eventpath) return loadEventFile(options.eventpath, options.event, repoDir);
  const inputs = parseKeyValues(options.input, '--input');
  switch (options.event) {
    case 'push':
      return buildPushEvent(repoDir, { ref: options.ref });
    case 'pull_request':
    case 'pull_request_target': {
      if (!options.base) throw new UsageError(`--event ${options.event} needs --base BRANCH (the branch the pull request merges into)`);
      return buildPullRequestEvent(repoDir, {
        name: options.event,
        base: options.base,
        head: options.head ?? options.ref ?? 'HEAD',
        action: options.action,
      });
    }
    case 'workflow_run': {
      if (!options.triggeringWorkflow) {
        throw new UsageError('--event workflow_run needs --triggering-workflow NAME (the `name:` of the workflow that ran)');
      }
      return buildWorkflowRunEvent(repoDir, {
        workflowName: options.triggeringWorkflow,
        conclusion: options.conclusion,
        action: options.action as 'completed' | 'requested' | 'in_progress' | undefined,
        branch: options.ref?.replace(/^refs\/heads\//, ''),
      });
    }
    case 'workflow_dispatch':
      return buildDispatchEvent(repoDir, { ref: options.ref, inputs });
    case 'repository_dispatch':
      if (!options.action) throw new UsageError('--event repository_dispatch needs --action EVENT_TYPE');
      return buildRepositoryDispatchEvent(repoDir, { eventType: options.action });
    case 'schedule':
      if (!options.cron) throw new UsageError('--event schedule needs --cron "EXPRESSION" (the schedule that fired)');
      return buildScheduleEvent(repoDir, { cron: options.cron });
    default:
      return buildEvent(repoDir, options.event, { action: options.action });
  }
}
