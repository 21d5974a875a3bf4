// push: the pushed ref and its commit, the commits the push added, and the files
// they changed.

import { commitChanges, diffFiles, isAncestor, logCommits, mergeBase, readCommit, resolveCommit, tryResolveCommit } from '../git.ts';
import type { GitCommit } from '../git.ts';
import type { Payload } from '../payload-fields.ts';
import type { RepoEvent } from '../types.ts';
import { commitObject, mergeChanges } from './commits.ts';
import { ZERO_SHA, requestedRef } from './refs.ts';
import type { ResolvedRef } from './refs.ts';
import { repositoryInfo } from './repository.ts';
import type { RepositoryInfo } from './repository.ts';

/** GitHub's push payload lists at most this many commits. */
const MAX_PUSH_COMMITS = 20;

export interface PushEventOptions {
  /** refs/heads/x, refs/tags/x, or a branch or tag name. Default: the checked-out branch. */
  ref?: string;
  /** The SHA the ref had before the push. Default: the first parent; ZERO_SHA for new tags and root commits. */
  before?: string;
}

function shortRefName(ref: string): string {
  return ref.replace(/^refs\/(?:heads|tags)\//, '');
}

async function beforeSha(repoDir: string, target: ResolvedRef, head: GitCommit, before: string | undefined): Promise<string> {
  if (before !== undefined) return /^0+$/.test(before) ? ZERO_SHA : resolveCommit(repoDir, before);
  if (target.ref.startsWith('refs/tags/')) return ZERO_SHA;
  return head.parents[0] ?? ZERO_SHA;
}

/**
 * For a created branch GitHub lists the commits not already on the default branch and
 * path filters diff against where the branch forked; a root push contains everything.
 */
async function forkPoint(repoDir: string, target: ResolvedRef, info: RepositoryInfo): Promise<string | null> {
  if (target.ref === `refs/heads/${info.defaultBranch}`) return null;
  const defaultSha = await tryResolveCommit(repoDir, `refs/heads/${info.defaultBranch}`);
  return defaultSha === null ? null : mergeBase(repoDir, defaultSha, target.commit);
}

interface PushRange {
  /** Revisions selecting the pushed commits, for `git log`. */
  revisions: string[];
  /** The commit path filters diff against; null: against nothing (every file is new). */
  diffBase: string | null;
}

async function pushRange(repoDir: string, target: ResolvedRef, before: string, info: RepositoryInfo): Promise<PushRange> {
  if (before !== ZERO_SHA) return { revisions: [target.commit, `^${before}`], diffBase: before };
  const fork = await forkPoint(repoDir, target, info);
  return fork === null ? { revisions: [target.commit], diffBase: null } : { revisions: [target.commit, `^${fork}`], diffBase: fork };
}

export async function buildPushEvent(repoDir: string, options: PushEventOptions = {}): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const target = await requestedRef(repoDir, options.ref, info.defaultBranch);
  const isTag = target.ref.startsWith('refs/tags/');
  const head = await readCommit(repoDir, target.commit);
  const before = await beforeSha(repoDir, target, head, options.before);
  const created = before === ZERO_SHA;
  const range = await pushRange(repoDir, target, before, info);

  // A created tag carries no pushed commits, and GitHub does not evaluate path filters for tags.
  const listsCommits = !(isTag && created);
  const [commits, pushedChanges, fastForward] = await Promise.all([
    listsCommits ? logCommits(repoDir, range.revisions, { maxCount: MAX_PUSH_COMMITS }) : [],
    isTag ? undefined : diffFiles(repoDir, range.diffBase, target.commit),
    created || isAncestor(repoDir, before, target.commit),
  ]);
  const changedFiles = pushedChanges && mergeChanges(pushedChanges);
  const forced = !fastForward;
  const changesByCommit = await commitChanges(repoDir, [...commits.filter((commit) => commit.sha !== head.sha), head]);
  const commitPayload = (commit: GitCommit) => commitObject(commit, changesByCommit.get(commit.sha)!, info.htmlUrl);
  const compare = created
    ? `${info.htmlUrl}/compare/${shortRefName(target.ref)}`
    : `${info.htmlUrl}/compare/${before.slice(0, 12)}...${target.commit.slice(0, 12)}`;

  const payload: Payload = {
    ref: target.ref,
    before,
    // For an annotated tag GitHub sends the tag object here; head_commit is the commit.
    after: target.object,
    repository: info.repository,
    pusher: info.pusher,
    sender: info.sender,
    created,
    deleted: false,
    forced,
    base_ref: null,
    compare,
    commits: commits.map(commitPayload),
    head_commit: commitPayload(head),
  };
  return { name: 'push', ref: target.ref, sha: target.commit, changedFiles, payload };
}
