// The `github` context as far as an event defines it. The engine adds what only
// a run knows (workspace, job, action, token).

import type { RepoEvent } from './types.ts';

export interface RunIdentity {
  workflowName: string;
  workflowFile: string;
  runId?: string;
  runNumber?: number;
  runAttempt?: number;
  serverUrl?: string;
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

function refType(ref: string): string {
  if (ref.startsWith('refs/tags/')) return 'tag';
  return ref.startsWith('refs/heads/') || ref.startsWith('refs/pull/') ? 'branch' : '';
}

function nested(payload: Record<string, unknown>, ...keys: string[]): unknown {
  let value: unknown = payload;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function githubContext(event: RepoEvent, run: RunIdentity): Record<string, unknown> {
  const serverUrl = run.serverUrl ?? 'https://github.com';
  const repository = String(nested(event.payload, 'repository', 'full_name') ?? '');
  const actor = String(nested(event.payload, 'sender', 'login') ?? '');
  const isPullRequest = event.name.startsWith('pull_request');
  return {
    event_name: event.name,
    event: event.payload,
    ref: event.ref,
    ref_name: isPullRequest ? event.ref.replace(/^refs\/pull\/(\d+)\/merge$/, '$1/merge') : refName(event.ref),
    ref_type: refType(event.ref),
    ref_protected: false,
    sha: event.sha,
    repository,
    repository_owner: repository.split('/')[0] ?? '',
    repositoryUrl: `${serverUrl.replace(/^https?/, 'git')}/${repository}.git`,
    actor,
    triggering_actor: actor,
    base_ref: isPullRequest ? (event.baseRef ?? '') : '',
    head_ref: isPullRequest ? (event.headRef ?? '') : '',
    workflow: run.workflowName,
    workflow_ref: `${repository}/${run.workflowFile}@${event.ref}`,
    run_id: run.runId ?? '1',
    run_number: String(run.runNumber ?? 1),
    run_attempt: String(run.runAttempt ?? 1),
    retention_days: '90',
    server_url: serverUrl,
    api_url: serverUrl === 'https://github.com' ? 'https://api.github.com' : `${serverUrl}/api/v3`,
    graphql_url: serverUrl === 'https://github.com' ? 'https://api.github.com/graphql' : `${serverUrl}/api/graphql`,
    secret_source: 'Actions',
  };
}
