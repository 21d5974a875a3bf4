// pull_request and pull_request_target: the pull request object, its test-merge
// commit, and the files it changes.

import { countCommits, diffFiles, diffLineCounts, mergeBase, readCommit } from '../git.ts';
import type { FileChanges, GitCommit } from '../git.ts';
import type { Payload } from '../payload-fields.ts';
import type { RepoEvent } from '../types.ts';
import { mergeChanges, subjectAndBody } from './commits.ts';
import { EventError } from './event-error.ts';
import { nodeId, stableId } from './ids.ts';
import { ZERO_SHA, resolveBranch } from './refs.ts';
import type { Branch } from './refs.ts';
import { repositoryInfo } from './repository.ts';
import type { RepositoryInfo } from './repository.ts';
import { testMergeCommit } from './test-merge.ts';

export interface PullRequestEventOptions {
  /** Base branch (the one the PR merges into). */
  base: string;
  /** Head branch (the PR's changes). */
  head: string;
  action?: string;
  number?: number;
  name?: 'pull_request' | 'pull_request_target';
  /** For action `closed`: whether the PR was merged. */
  merged?: boolean;
}

interface PullRequestFacts {
  number: number;
  action: string;
  merged: boolean;
  base: Branch;
  head: Branch;
  baseCommit: GitCommit;
  headCommit: GitCommit;
  mergeCommit: string | null;
  changes: FileChanges;
  commitCount: number;
  lines: { additions: number; deletions: number };
}

async function gatherPullRequestFacts(repoDir: string, options: PullRequestEventOptions): Promise<PullRequestFacts> {
  const base = await resolveBranch(repoDir, options.base);
  const head = await resolveBranch(repoDir, options.head);
  const forkPointSha = await mergeBase(repoDir, base.sha, head.sha);
  if (forkPointSha === null) {
    throw new EventError(`'${head.name}' and '${base.name}' share no history in ${repoDir}; GitHub cannot open a pull request between them`);
  }
  const baseCommit = await readCommit(repoDir, base.sha);
  const headCommit = await readCommit(repoDir, head.sha);
  return {
    number: options.number ?? 1,
    action: options.action ?? 'opened',
    merged: options.merged ?? false,
    base,
    head,
    baseCommit,
    headCommit,
    mergeCommit: await testMergeCommit(repoDir, baseCommit, headCommit),
    // Like GitHub's "Files changed": a three-dot diff from where head forked off base.
    changes: await diffFiles(repoDir, forkPointSha, head.sha),
    commitCount: await countCommits(repoDir, [head.sha, `^${base.sha}`]),
    lines: await diffLineCounts(repoDir, forkPointSha, head.sha),
  };
}

function branchSide(branch: Branch, commit: GitCommit, info: RepositoryInfo): Payload {
  return {
    label: `${info.owner}:${branch.name}`,
    ref: branch.name,
    sha: commit.sha,
    user: info.repository.owner,
    repo: info.repository,
  };
}

function pullRequestObject(facts: PullRequestFacts, info: RepositoryInfo): Payload {
  const { subject, body } = subjectAndBody(facts.headCommit.message);
  const htmlUrl = `${info.htmlUrl}/pull/${facts.number}`;
  const id = stableId(`pull:${info.fullName}#${facts.number}`);
  const closed = facts.action === 'closed' || facts.merged;
  const now = new Date().toISOString();
  return {
    url: `${String(info.repository.url)}/pulls/${facts.number}`,
    id,
    node_id: nodeId('PR', id),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    number: facts.number,
    state: closed ? 'closed' : 'open',
    locked: false,
    title: subject,
    body,
    user: info.sender,
    labels: [],
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    milestone: null,
    draft: false,
    created_at: now,
    updated_at: now,
    closed_at: closed ? now : null,
    merged_at: facts.merged ? now : null,
    merge_commit_sha: facts.mergeCommit,
    head: branchSide(facts.head, facts.headCommit, info),
    base: branchSide(facts.base, facts.baseCommit, info),
    author_association: 'OWNER',
    auto_merge: null,
    merged: facts.merged,
    mergeable: facts.mergeCommit !== null,
    rebaseable: facts.mergeCommit !== null,
    mergeable_state: facts.mergeCommit !== null ? 'clean' : 'dirty',
    merged_by: facts.merged ? info.sender : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: facts.commitCount,
    additions: facts.lines.additions,
    deletions: facts.lines.deletions,
    changed_files: mergeChanges(facts.changes).length,
  };
}

export async function buildPullRequestEvent(repoDir: string, options: PullRequestEventOptions): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const facts = await gatherPullRequestFacts(repoDir, options);
  const name = options.name ?? 'pull_request';
  const payload: Payload = {
    action: facts.action,
    number: facts.number,
    pull_request: pullRequestObject(facts, info),
    repository: info.repository,
    sender: info.sender,
  };
  if (facts.action === 'synchronize') {
    payload.before = facts.headCommit.parents[0] ?? ZERO_SHA;
    payload.after = facts.head.sha;
  }
  // pull_request_target runs in the base branch's context. For pull_request, a conflicting
  // merge has no merge commit; we then fall back to the head commit.
  const target =
    name === 'pull_request_target'
      ? { ref: `refs/heads/${facts.base.name}`, sha: facts.base.sha }
      : { ref: `refs/pull/${facts.number}/merge`, sha: facts.mergeCommit ?? facts.head.sha };
  return {
    name,
    action: facts.action,
    ...target,
    baseRef: facts.base.name,
    headRef: facts.head.name,
    changedFiles: mergeChanges(facts.changes),
    payload,
  };
}
