// workflow_dispatch, repository_dispatch, schedule, and any other event.

import type { Payload } from '../payload-fields.ts';
import type { RepoEvent } from '../types.ts';
import { onDefaultBranch, requestedRef } from './refs.ts';
import { repositoryInfo } from './repository.ts';

export interface DispatchEventOptions {
  /** Branch or tag to run on (name or full ref). Default: the checked-out ref. */
  ref?: string;
  inputs?: Record<string, string>;
  /** Path of the dispatched workflow file. */
  workflow?: string;
}

export async function buildDispatchEvent(repoDir: string, options: DispatchEventOptions = {}): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const target = await requestedRef(repoDir, options.ref, info.defaultBranch);
  const inputs = options.inputs ?? {};
  const payload: Payload = { inputs, ref: target.ref, repository: info.repository, sender: info.sender };
  if (options.workflow !== undefined) payload.workflow = options.workflow;
  return { name: 'workflow_dispatch', ref: target.ref, sha: target.commit, inputs, payload };
}

export interface RepositoryDispatchEventOptions {
  eventType: string;
  clientPayload?: Record<string, unknown>;
}

export async function buildRepositoryDispatchEvent(repoDir: string, options: RepositoryDispatchEventOptions): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const payload: Payload = {
    action: options.eventType,
    branch: info.defaultBranch,
    client_payload: options.clientPayload ?? {},
    repository: info.repository,
    sender: info.sender,
  };
  // `on.repository_dispatch.types` matches the event type, which GitHub sends as `action`.
  return { name: 'repository_dispatch', action: options.eventType, ...(await onDefaultBranch(repoDir, info.defaultBranch)), payload };
}

export interface ScheduleEventOptions {
  cron: string;
}

export async function buildScheduleEvent(repoDir: string, options: ScheduleEventOptions): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  // GitHub's schedule payload carries only the schedule (no repository or sender).
  return { name: 'schedule', schedule: options.cron, ...(await onDefaultBranch(repoDir, info.defaultBranch)), payload: { schedule: options.cron } };
}

export interface GenericEventOptions {
  action?: string;
  /** Extra payload fields; they override the generated ones. */
  payload?: Payload;
}

/** Any other event: GitHub runs it on the default branch's last commit. */
export async function buildEvent(repoDir: string, name: string, options: GenericEventOptions = {}): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const payload: Payload = {
    ...(options.action === undefined ? {} : { action: options.action }),
    repository: info.repository,
    sender: info.sender,
    ...options.payload,
  };
  const event: RepoEvent = { name, ...(await onDefaultBranch(repoDir, info.defaultBranch)), payload };
  if (options.action !== undefined) event.action = options.action;
  return event;
}
