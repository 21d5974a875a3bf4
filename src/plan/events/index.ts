// Builds RepoEvents from a real git repository, shaped like GitHub's webhook payloads,
// so that `gantry plan` / `gantry run` can simulate an event locally.
//
// GITHUB_REF / GITHUB_SHA per event follow GitHub's "Events that trigger workflows":
// push -> the pushed ref and its commit; pull_request -> refs/pull/N/merge and the test-merge
// commit; pull_request_target -> the base branch and its last commit; workflow_dispatch -> the
// dispatched ref; workflow_run, repository_dispatch, schedule and most others -> the default
// branch and its last commit.

export { EventError } from './event-error.ts';
export { ZERO_SHA } from './refs.ts';
export { loginFor, parseRemoteUrl, repositoryInfo } from './repository.ts';
export type { GitUser, RemoteLocation, RepositoryInfo } from './repository.ts';
export { buildPushEvent } from './push.ts';
export type { PushEventOptions } from './push.ts';
export { buildPullRequestEvent } from './pull-request.ts';
export type { PullRequestEventOptions } from './pull-request.ts';
export { buildWorkflowRunEvent } from './workflow-run.ts';
export type { WorkflowRunEventOptions } from './workflow-run.ts';
export { buildDispatchEvent, buildEvent, buildRepositoryDispatchEvent, buildScheduleEvent } from './dispatch.ts';
export type { DispatchEventOptions, GenericEventOptions, RepositoryDispatchEventOptions, ScheduleEventOptions } from './dispatch.ts';
export { eventFromPayload, loadEventFile } from './event-file.ts';
export { findJsonErrorOffset } from './json-position.ts';
