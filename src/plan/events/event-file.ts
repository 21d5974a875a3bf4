// act's `--eventpath FILE`: an event whose payload comes from a JSON file.

import { readFile } from 'node:fs/promises';

import { diffFiles, mergeBase, tryResolveCommit } from '../git.ts';
import { isRecord, nonEmptyStringAt, numberAt, stringsAt } from '../payload-fields.ts';
import type { Payload } from '../payload-fields.ts';
import type { RepoEvent } from '../types.ts';
import { mergeChanges } from './commits.ts';
import { EventError } from './event-error.ts';
import { locateJsonError } from './json-position.ts';
import { commitForRef, currentRef, headCommitSha } from './refs.ts';
import { findDefaultBranch } from './repository.ts';

async function readEventFile(path: string): Promise<Payload> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EventError(`cannot read event file ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const payload = parseEventJson(text.replace(/^\uFEFF/, ''), path);
  if (!isRecord(payload)) throw new EventError(`event file ${path} must contain a JSON object`);
  return payload;
}

function parseEventJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const { line, column, reason } = locateJsonError(text, error);
    throw new EventError(`invalid JSON in event file ${path} at line ${line}, column ${column}: ${reason}`, { cause: error });
  }
}

type EventTarget = Pick<RepoEvent, 'ref' | 'sha' | 'baseRef' | 'headRef'>;

async function targetFromPayload(repoDir: string, name: string, payload: Payload): Promise<EventTarget> {
  if (name.startsWith('pull_request')) return pullRequestTarget(repoDir, name, payload);
  const { ref, sha } = refAndShaInPayload(name, payload);
  if (ref !== undefined) return { ref, sha: sha ?? (await commitForRef(repoDir, ref)) };
  const current = await currentRef(repoDir, await findDefaultBranch(repoDir));
  return { ref: current.ref, sha: sha ?? current.commit };
}

/** Where the runner reads GITHUB_REF / GITHUB_SHA in a payload, per event (either may be absent). */
function refAndShaInPayload(name: string, payload: Payload): { ref?: string | undefined; sha?: string | undefined } {
  switch (name) {
    case 'push':
      // head_commit is the commit even when `after` is an annotated tag object.
      return { ref: nonEmptyStringAt(payload, 'ref'), sha: nonEmptyStringAt(payload, 'head_commit', 'id') ?? nonEmptyStringAt(payload, 'after') };
    case 'deployment':
    case 'deployment_status':
      return { ref: nonEmptyStringAt(payload, 'deployment', 'ref'), sha: nonEmptyStringAt(payload, 'deployment', 'sha') };
    case 'release': {
      const tag = nonEmptyStringAt(payload, 'release', 'tag_name');
      return { ref: tag === undefined ? undefined : `refs/tags/${tag}` };
    }
  }
  const defaultBranch = nonEmptyStringAt(payload, 'repository', 'default_branch');
  return { ref: nonEmptyStringAt(payload, 'ref') ?? (defaultBranch === undefined ? undefined : `refs/heads/${defaultBranch}`) };
}

async function pullRequestTarget(repoDir: string, name: string, payload: Payload): Promise<EventTarget> {
  const baseRef = nonEmptyStringAt(payload, 'pull_request', 'base', 'ref');
  const headRef = nonEmptyStringAt(payload, 'pull_request', 'head', 'ref');
  const branches = { ...(baseRef === undefined ? {} : { baseRef }), ...(headRef === undefined ? {} : { headRef }) };
  if (name === 'pull_request_target') {
    const ref = `refs/heads/${baseRef ?? (await findDefaultBranch(repoDir))}`;
    return { ref, sha: nonEmptyStringAt(payload, 'pull_request', 'base', 'sha') ?? (await commitForRef(repoDir, ref)), ...branches };
  }
  const number = numberAt(payload, 'number') ?? numberAt(payload, 'pull_request', 'number') ?? 1;
  const sha = nonEmptyStringAt(payload, 'pull_request', 'head', 'sha') ?? (await headCommitSha(repoDir));
  return { ref: `refs/pull/${number}/merge`, sha, ...branches };
}

async function payloadChangedFiles(repoDir: string, name: string, payload: Payload): Promise<string[] | undefined> {
  if (name === 'push') return pushPayloadChangedFiles(payload);
  if (name.startsWith('pull_request')) return pullRequestPayloadChangedFiles(repoDir, payload);
  return undefined;
}

/** Files named by a push payload's commits, when it lists any (GitHub ignores path filters for tags). */
function pushPayloadChangedFiles(payload: Payload): string[] | undefined {
  const commits = payload.commits;
  if (!Array.isArray(commits) || commits.length === 0) return undefined;
  if (nonEmptyStringAt(payload, 'ref')?.startsWith('refs/tags/')) return undefined;
  const changes = commits.map((commit) => ({
    added: stringsAt(commit, 'added'),
    removed: stringsAt(commit, 'removed'),
    modified: stringsAt(commit, 'modified'),
  }));
  return mergeChanges(...changes);
}

/** Changed files for a pull request payload, when both commits exist locally. */
async function pullRequestPayloadChangedFiles(repoDir: string, payload: Payload): Promise<string[] | undefined> {
  const baseSha = nonEmptyStringAt(payload, 'pull_request', 'base', 'sha');
  const headSha = nonEmptyStringAt(payload, 'pull_request', 'head', 'sha');
  if (baseSha === undefined || headSha === undefined) return undefined;
  const base = await tryResolveCommit(repoDir, baseSha);
  const head = await tryResolveCommit(repoDir, headSha);
  if (base === null || head === null) return undefined;
  const fork = await mergeBase(repoDir, base, head);
  return fork === null ? undefined : mergeChanges(await diffFiles(repoDir, fork, head));
}

function stringInputs(payload: Payload): Record<string, string> | undefined {
  const inputs = payload.inputs;
  if (!isRecord(inputs)) return undefined;
  const entries = Object.entries(inputs).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
  return Object.fromEntries(entries);
}

/**
 * act's `--eventpath FILE`: the payload comes from a JSON file; ref, sha and the PR branches
 * are read from it as the runner does, falling back to the repository's checked-out state.
 */
export async function loadEventFile(path: string, name: string, repoDir: string): Promise<RepoEvent> {
  return eventFromPayload(await readEventFile(path), name, repoDir);
}

/** A delivered webhook payload as a RepoEvent, read as the runner reads it (the server's webhooks). */
export async function eventFromPayload(payload: Payload, name: string, repoDir: string): Promise<RepoEvent> {
  const event: RepoEvent = { name, ...(await targetFromPayload(repoDir, name, payload)), payload };
  const action = nonEmptyStringAt(payload, 'action');
  if (action !== undefined) event.action = action;
  const changedFiles = await payloadChangedFiles(repoDir, name, payload);
  if (changedFiles !== undefined) event.changedFiles = changedFiles;
  const inputs = name === 'workflow_dispatch' ? stringInputs(payload) : undefined;
  if (inputs !== undefined) event.inputs = inputs;
  const schedule = name === 'schedule' ? nonEmptyStringAt(payload, 'schedule') : undefined;
  if (schedule !== undefined) event.schedule = schedule;
  return event;
}
