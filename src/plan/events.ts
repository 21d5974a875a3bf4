// Builds RepoEvents from a real git repository, shaped like GitHub's webhook payloads,
// so that `gantry plan` / `gantry run` can simulate an event locally.
//
// GITHUB_REF / GITHUB_SHA per event follow GitHub's "Events that trigger workflows":
// push -> the pushed ref and its commit; pull_request -> refs/pull/N/merge and the test-merge
// commit; pull_request_target -> the base branch and its last commit; workflow_dispatch -> the
// dispatched ref; workflow_run, repository_dispatch, schedule and most others -> the default
// branch and its last commit.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

import {
  GitError,
  commitTree,
  configValue,
  countCommits,
  currentBranch,
  diffFiles,
  diffLineCounts,
  isAncestor,
  logCommits,
  mergeBase,
  mergeTrees,
  readCommit,
  remoteUrl,
  resolveCommit,
  resolveObject,
  symbolicRef,
  tagsPointingAt,
  topLevel,
  tryResolveCommit,
} from './git.ts';
import type { FileChanges, GitCommit } from './git.ts';
import type { RepoEvent } from './types.ts';

/** The SHA GitHub sends as `before` for a ref that did not exist. */
/** A problem with the event a user asked for: a bad event file, branches without history. */
export class EventError extends Error {}

export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** GitHub's push payload lists at most this many commits. */
const MAX_PUSH_COMMITS = 20;

type Payload = Record<string, unknown>;

export interface RemoteLocation {
  host: string;
  owner: string;
  name: string;
}

export interface GitUser {
  name: string;
  email: string;
  login: string;
}

export interface RepositoryInfo {
  owner: string;
  name: string;
  /** owner/name */
  fullName: string;
  defaultBranch: string;
  /** https://host/owner/name */
  htmlUrl: string;
  /** The local user from git config (user.name / user.email). */
  user: GitUser;
  /** GitHub's `repository` payload object. */
  repository: Payload;
  /** GitHub's `sender` payload object (the local user). */
  sender: Payload;
  /** GitHub's `pusher` payload object (push events). */
  pusher: { name: string; email: string };
}

/** Where the remote URL points: https, ssh (`ssh://` or scp-like `git@host:owner/repo`), git://. */
export function parseRemoteUrl(url: string): RemoteLocation | null {
  const location = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? splitUrl(url) : splitScpLike(url);
  if (!location) return null;
  const segments = location.path.split('/').filter(Boolean);
  const last = segments.pop();
  if (!last || segments.length === 0) return null;
  return { host: location.host, owner: segments.join('/'), name: last.replace(/\.git$/, '') };
}

function splitUrl(url: string): { host: string; path: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!['http:', 'https:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(parsed.protocol)) return null;
  return { host: parsed.hostname, path: decodeURIComponent(parsed.pathname) };
}

function splitScpLike(url: string): { host: string; path: string } | null {
  // Windows drive letters (C:\x) look like scp hosts; a real host has more than one character.
  const match = /^(?:[^@/]+@)?([^:/]{2,}):(.+)$/.exec(url);
  if (!match) return null;
  return { host: match[1] ?? '', path: match[2] ?? '' };
}

/** A stable positive integer for ids GitHub would assign (repository id, workflow id, ...). */
function stableId(key: string): number {
  return createHash('sha256').update(key).digest().readUIntBE(0, 6) % 2_000_000_000;
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;
}

/**
 * A GitHub login for a git identity. GitHub maps emails to accounts, which we cannot do
 * offline; its noreply addresses carry the login, otherwise the email's local part is the
 * closest stand-in.
 */
export function loginFor(name: string, email: string): string {
  const noreply = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/i.exec(email);
  if (noreply?.[1]) return noreply[1];
  const localPart = email.split('@')[0]?.trim();
  if (localPart) return localPart;
  return name.trim().replace(/\s+/g, '-') || 'gantry';
}

function apiBase(host: string): string {
  return host === 'github.com' ? 'https://api.github.com' : `https://${host}/api/v3`;
}

async function findDefaultBranch(repoDir: string): Promise<string> {
  const remoteHead = await symbolicRef(repoDir, 'refs/remotes/origin/HEAD');
  if (remoteHead) return remoteHead.replace(/^origin\//, '');
  return (await currentBranch(repoDir)) ?? 'main';
}

async function readGitUser(repoDir: string): Promise<GitUser> {
  const name = (await configValue(repoDir, 'user.name')) ?? '';
  const email = (await configValue(repoDir, 'user.email')) ?? '';
  return { name: name || 'gantry', email, login: loginFor(name, email) };
}

function userObject(login: string, host: string, type: 'User' | 'Organization' = 'User'): Payload {
  const id = stableId(`user:${login}`);
  return {
    login,
    id,
    node_id: nodeId('U', id),
    type,
    site_admin: false,
    html_url: `https://${host}/${login}`,
    url: `${apiBase(host)}/users/${login}`,
    avatar_url: `https://${host}/${login}.png`,
  };
}

function repositoryObject(location: RemoteLocation, defaultBranch: string): Payload {
  const fullName = `${location.owner}/${location.name}`;
  const htmlUrl = `https://${location.host}/${fullName}`;
  const id = stableId(`repo:${location.host}/${fullName}`);
  const now = new Date().toISOString();
  return {
    id,
    node_id: nodeId('R', id),
    name: location.name,
    full_name: fullName,
    private: false,
    visibility: 'public',
    owner: { ...userObject(location.owner, location.host), name: location.owner },
    html_url: htmlUrl,
    description: null,
    fork: false,
    url: `${apiBase(location.host)}/repos/${fullName}`,
    git_url: `git://${location.host}/${fullName}.git`,
    ssh_url: `git@${location.host}:${fullName}.git`,
    clone_url: `${htmlUrl}.git`,
    svn_url: htmlUrl,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    forks_count: 0,
    open_issues_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    is_template: false,
    topics: [],
    license: null,
    default_branch: defaultBranch,
    created_at: now,
    updated_at: now,
    pushed_at: now,
  };
}

async function locateRepository(repoDir: string): Promise<RemoteLocation> {
  const url = await remoteUrl(repoDir, 'origin');
  const fromRemote = url === null ? null : parseRemoteUrl(url);
  if (fromRemote) return fromRemote;
  return { host: 'github.com', owner: 'local', name: basename(await topLevel(repoDir)) };
}

/** Repository identity, default branch and local user, as GitHub payloads describe them. */
export async function repositoryInfo(repoDir: string): Promise<RepositoryInfo> {
  const location = await locateRepository(repoDir);
  const defaultBranch = await findDefaultBranch(repoDir);
  const user = await readGitUser(repoDir);
  const repository = repositoryObject(location, defaultBranch);
  return {
    owner: location.owner,
    name: location.name,
    fullName: `${location.owner}/${location.name}`,
    defaultBranch,
    htmlUrl: String(repository.html_url),
    user,
    repository,
    sender: userObject(user.login, location.host),
    pusher: { name: user.login, email: user.email },
  };
}

// ---------------------------------------------------------------------------
// Refs

function lookupError(repoDir: string, message: string, args: string[]): GitError {
  return new GitError(message, { args, repoDir, stderr: '', exitCode: 128 });
}

interface ResolvedRef {
  /** Full ref name: refs/heads/x or refs/tags/x. */
  ref: string;
  /** The commit the ref points to (annotated tags peeled). */
  commit: string;
  /** What the ref itself points to: the tag object for an annotated tag, else the commit. */
  object: string;
}

function shortRefName(ref: string): string {
  return ref.replace(/^refs\/(?:heads|tags)\//, '');
}

async function resolveFullRef(repoDir: string, ref: string): Promise<ResolvedRef> {
  return { ref, object: await resolveObject(repoDir, ref), commit: await resolveCommit(repoDir, ref) };
}

/** A full ref (refs/...), or a branch name, or a tag name, in that order of preference. */
async function resolveRef(repoDir: string, ref: string): Promise<ResolvedRef> {
  if (ref.startsWith('refs/')) return resolveFullRef(repoDir, ref);
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
    if ((await tryResolveCommit(repoDir, candidate)) !== null) return resolveFullRef(repoDir, candidate);
  }
  throw lookupError(repoDir, `unknown branch or tag '${ref}' in ${repoDir}`, ['rev-parse', '--verify', ref]);
}

async function headCommitSha(repoDir: string): Promise<string> {
  const sha = await tryResolveCommit(repoDir, 'HEAD');
  if (sha === null) throw lookupError(repoDir, `no commits yet in ${repoDir}`, ['rev-parse', '--verify', 'HEAD']);
  return sha;
}

/**
 * The checked-out ref. A detached HEAD (as CI checkouts leave it) becomes the tag pointing
 * at it, or else the default branch name with HEAD's commit.
 */
async function currentRef(repoDir: string, defaultBranch: string): Promise<ResolvedRef> {
  const commit = await headCommitSha(repoDir);
  const branch = await currentBranch(repoDir);
  if (branch !== null) return { ref: `refs/heads/${branch}`, commit, object: commit };
  const [tag] = await tagsPointingAt(repoDir, commit);
  if (tag !== undefined) return resolveFullRef(repoDir, `refs/tags/${tag}`);
  return { ref: `refs/heads/${defaultBranch}`, commit, object: commit };
}

/** The default branch's last commit: the local branch, else its origin tracking branch. */
async function defaultBranchCommit(repoDir: string, defaultBranch: string): Promise<string> {
  for (const candidate of [`refs/heads/${defaultBranch}`, `refs/remotes/origin/${defaultBranch}`]) {
    const sha = await tryResolveCommit(repoDir, candidate);
    if (sha !== null) return sha;
  }
  await headCommitSha(repoDir);
  const args = ['rev-parse', '--verify', `refs/heads/${defaultBranch}`];
  throw lookupError(repoDir, `default branch '${defaultBranch}' not found in ${repoDir}`, args);
}

async function onDefaultBranch(repoDir: string, info: RepositoryInfo): Promise<{ ref: string; sha: string }> {
  return { ref: `refs/heads/${info.defaultBranch}`, sha: await defaultBranchCommit(repoDir, info.defaultBranch) };
}

// ---------------------------------------------------------------------------
// Commits in payloads

function mergeChanges(changes: FileChanges): string[] {
  return [...new Set([...changes.added, ...changes.removed, ...changes.modified])].sort();
}

function commitPerson(person: { name: string; email: string }): Payload {
  return { name: person.name, email: person.email, username: loginFor(person.name, person.email) };
}

function commitObject(commit: GitCommit, changes: FileChanges, htmlUrl: string): Payload {
  return {
    id: commit.sha,
    tree_id: commit.treeSha,
    distinct: true,
    message: commit.message,
    timestamp: commit.author.date,
    url: `${htmlUrl}/commit/${commit.sha}`,
    author: commitPerson(commit.author),
    committer: commitPerson(commit.committer),
    added: changes.added,
    removed: changes.removed,
    modified: changes.modified,
  };
}

/** Changes a single commit made, against its first parent (everything for a root commit). */
async function commitChanges(repoDir: string, commit: GitCommit): Promise<FileChanges> {
  return diffFiles(repoDir, commit.parents[0] ?? null, commit.sha);
}

async function commitObjects(repoDir: string, commits: readonly GitCommit[], htmlUrl: string): Promise<Payload[]> {
  return Promise.all(commits.map(async (commit) => commitObject(commit, await commitChanges(repoDir, commit), htmlUrl)));
}

function subjectAndBody(message: string): { subject: string; body: string | null } {
  const [subject = '', ...rest] = message.split('\n');
  const body = rest.join('\n').trim();
  return { subject, body: body || null };
}

// ---------------------------------------------------------------------------
// push

export interface PushEventOptions {
  /** refs/heads/x, refs/tags/x, or a branch or tag name. Default: the checked-out branch. */
  ref?: string;
  /** The SHA the ref had before the push. Default: the first parent; ZERO_SHA for new tags and root commits. */
  before?: string;
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
  const target = options.ref === undefined ? await currentRef(repoDir, info.defaultBranch) : await resolveRef(repoDir, options.ref);
  const isTag = target.ref.startsWith('refs/tags/');
  const head = await readCommit(repoDir, target.commit);
  const before = await beforeSha(repoDir, target, head, options.before);
  const created = before === ZERO_SHA;
  const range = await pushRange(repoDir, target, before, info);

  // A created tag carries no pushed commits, and GitHub does not evaluate path filters for tags.
  const listsCommits = !(isTag && created);
  const commits = listsCommits ? await logCommits(repoDir, range.revisions, { maxCount: MAX_PUSH_COMMITS }) : [];
  const changedFiles = isTag ? undefined : mergeChanges(await diffFiles(repoDir, range.diffBase, target.commit));
  const forced = !created && !(await isAncestor(repoDir, before, target.commit));
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
    commits: await commitObjects(repoDir, commits, info.htmlUrl),
    head_commit: commitObject(head, await commitChanges(repoDir, head), info.htmlUrl),
  };
  return { name: 'push', ref: target.ref, sha: target.commit, changedFiles, payload };
}

// ---------------------------------------------------------------------------
// pull_request / pull_request_target

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

interface Branch {
  name: string;
  sha: string;
}

/** A branch name (or refs/heads/x); other revisions such as origin/x are accepted too. */
async function resolveBranch(repoDir: string, branch: string): Promise<Branch> {
  const name = branch.replace(/^refs\/heads\//, '');
  const local = await tryResolveCommit(repoDir, `refs/heads/${name}`);
  return { name, sha: local ?? (await resolveCommit(repoDir, branch)) };
}

const TEST_MERGE_IDENTITY = { name: 'GitHub', email: 'noreply@github.com' };

function laterDate(first: string, second: string): string {
  return Date.parse(first) >= Date.parse(second) ? first : second;
}

/**
 * GitHub's refs/pull/N/merge commit: head merged into base. Built in the object store only
 * (merge-tree + commit-tree), never touching the working tree, index or refs. Dated from its
 * parents so the same inputs give the same SHA. Null when the merge conflicts (GitHub then
 * has no merge commit either) or the repository cannot take new objects.
 */
async function testMergeCommit(repoDir: string, base: GitCommit, head: GitCommit): Promise<string | null> {
  try {
    const { tree } = await mergeTrees(repoDir, base.sha, head.sha);
    if (tree === null) return null;
    const date = laterDate(base.committer.date, head.committer.date);
    return await commitTree(repoDir, tree, [base.sha, head.sha], `Merge ${head.sha} into ${base.sha}`, { ...TEST_MERGE_IDENTITY, date });
  } catch (error) {
    if (error instanceof GitError) return null;
    throw error;
  }
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

// ---------------------------------------------------------------------------
// workflow_run

export interface WorkflowRunEventOptions {
  /** The `name:` of the workflow that ran (what `on.workflow_run.workflows` matches). */
  workflowName: string;
  /** Path of that workflow file, e.g. .github/workflows/ci.yml. */
  workflowPath?: string;
  conclusion?: string;
  action?: 'completed' | 'requested' | 'in_progress';
  /** The branch the finished run ran on (`workflow_run.head_branch`). Default: the checked-out branch. */
  branch?: string;
  /** The event that triggered the finished run. */
  event?: string;
}

const RUN_STATUS_BY_ACTION: Record<string, string> = { completed: 'completed', requested: 'queued', in_progress: 'in_progress' };

function headCommitSummary(commit: GitCommit): Payload {
  return {
    id: commit.sha,
    tree_id: commit.treeSha,
    message: commit.message,
    timestamp: commit.author.date,
    author: { name: commit.author.name, email: commit.author.email },
    committer: { name: commit.committer.name, email: commit.committer.email },
  };
}

export async function buildWorkflowRunEvent(repoDir: string, options: WorkflowRunEventOptions): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const action = options.action ?? 'completed';
  const branch = await resolveBranch(repoDir, options.branch ?? (await currentBranch(repoDir)) ?? info.defaultBranch);
  const headCommit = await readCommit(repoDir, branch.sha);
  const workflowPath = options.workflowPath ?? '';
  const workflowId = stableId(`workflow:${info.fullName}/${options.workflowName}`);
  const runId = stableId(`run:${info.fullName}/${options.workflowName}@${branch.sha}`);
  const now = new Date().toISOString();
  const workflowRun: Payload = {
    id: runId,
    node_id: nodeId('WFR', runId),
    name: options.workflowName,
    path: workflowPath,
    display_title: subjectAndBody(headCommit.message).subject,
    head_branch: branch.name,
    head_sha: branch.sha,
    event: options.event ?? 'push',
    status: RUN_STATUS_BY_ACTION[action] ?? action,
    conclusion: action === 'completed' ? (options.conclusion ?? 'success') : null,
    workflow_id: workflowId,
    run_number: 1,
    run_attempt: 1,
    url: `${String(info.repository.url)}/actions/runs/${runId}`,
    html_url: `${info.htmlUrl}/actions/runs/${runId}`,
    pull_requests: [],
    created_at: now,
    updated_at: now,
    run_started_at: now,
    actor: info.sender,
    triggering_actor: info.sender,
    head_commit: headCommitSummary(headCommit),
    repository: info.repository,
    head_repository: info.repository,
  };
  const payload: Payload = {
    action,
    workflow_run: workflowRun,
    workflow: { id: workflowId, node_id: nodeId('W', workflowId), name: options.workflowName, path: workflowPath, state: 'active' },
    repository: info.repository,
    sender: info.sender,
  };
  // GitHub runs workflow_run workflows on the default branch's last commit, whatever branch
  // the finished run was on; that branch is only in the payload (head_branch).
  return { name: 'workflow_run', action, ...(await onDefaultBranch(repoDir, info)), payload };
}

// ---------------------------------------------------------------------------
// workflow_dispatch, repository_dispatch, schedule, anything else

export interface DispatchEventOptions {
  /** Branch or tag to run on (name or full ref). Default: the checked-out ref. */
  ref?: string;
  inputs?: Record<string, string>;
  /** Path of the dispatched workflow file. */
  workflow?: string;
}

export async function buildDispatchEvent(repoDir: string, options: DispatchEventOptions = {}): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const target = options.ref === undefined ? await currentRef(repoDir, info.defaultBranch) : await resolveRef(repoDir, options.ref);
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
  return { name: 'repository_dispatch', action: options.eventType, ...(await onDefaultBranch(repoDir, info)), payload };
}

export interface ScheduleEventOptions {
  cron: string;
}

export async function buildScheduleEvent(repoDir: string, options: ScheduleEventOptions): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  // GitHub's schedule payload carries only the schedule (no repository or sender).
  return { name: 'schedule', schedule: options.cron, ...(await onDefaultBranch(repoDir, info)), payload: { schedule: options.cron } };
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
  const event: RepoEvent = { name, ...(await onDefaultBranch(repoDir, info)), payload };
  if (options.action !== undefined) event.action = options.action;
  return event;
}

// ---------------------------------------------------------------------------
// --eventpath FILE

class JsonSyntaxError {
  constructor(readonly offset: number) {}
}

/** Offset of the first syntax error in a JSON text, or -1 when it is valid. */
export function findJsonErrorOffset(text: string): number {
  let index = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(index);
  };
  const skipWhitespace = (): void => {
    while (index < text.length && ' \t\n\r'.includes(text.charAt(index))) index++;
  };
  const expect = (char: string): void => {
    skipWhitespace();
    if (text.charAt(index) !== char) fail();
    index++;
  };
  const readString = (): void => {
    expect('"');
    while (index < text.length) {
      const char = text.charAt(index);
      if (char === '"') {
        index++;
        return;
      }
      if (char < ' ') fail();
      if (char === '\\') {
        index++;
        const escaped = text.charAt(index);
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 1, index + 5))) fail();
          index += 4;
        } else if (!'"\\/bfnrt'.includes(escaped) || escaped === '') fail();
      }
      index++;
    }
    fail();
  };
  const readMembers = (close: string, readMember: () => void): void => {
    index++;
    skipWhitespace();
    if (text.charAt(index) === close) {
      index++;
      return;
    }
    for (;;) {
      readMember();
      skipWhitespace();
      const char = text.charAt(index);
      if (char !== ',' && char !== close) fail();
      index++;
      if (char === close) return;
    }
  };
  const readValue = (): void => {
    skipWhitespace();
    const char = text.charAt(index);
    if (char === '{') {
      readMembers('}', () => {
        skipWhitespace();
        readString();
        expect(':');
        readValue();
      });
    } else if (char === '[') {
      readMembers(']', readValue);
    } else if (char === '"') {
      readString();
    } else {
      const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
      literal.lastIndex = index;
      const match = literal.exec(text);
      if (!match) fail();
      index = literal.lastIndex;
    }
  };
  try {
    readValue();
    skipWhitespace();
    if (index < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error.offset;
    throw error;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

function parseEventJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const reported = /at position (\d+)/.exec(error.message);
    const scanned = findJsonErrorOffset(text);
    const offset = reported ? Number(reported[1]) : scanned >= 0 ? scanned : text.length;
    const { line, column } = lineAndColumn(text, offset);
    const reason = error.message.replace(/,? (?:\.\.\.)?".*is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
    throw new EventError(`invalid JSON in event file ${path} at line ${line}, column ${column}: ${reason}`, { cause: error });
  }
}

function isRecord(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function stringField(value: unknown, ...keys: string[]): string | undefined {
  const found = field(value, ...keys);
  return typeof found === 'string' && found !== '' ? found : undefined;
}

function numberField(value: unknown, ...keys: string[]): number | undefined {
  const found = field(value, ...keys);
  return typeof found === 'number' ? found : undefined;
}

/** Files named by a push payload's commits, when it lists any (GitHub ignores path filters for tags). */
function pushPayloadChangedFiles(payload: Payload): string[] | undefined {
  const commits = payload.commits;
  if (!Array.isArray(commits) || commits.length === 0) return undefined;
  if (stringField(payload, 'ref')?.startsWith('refs/tags/')) return undefined;
  const files = new Set<string>();
  for (const commit of commits) {
    for (const kind of ['added', 'removed', 'modified']) {
      const list = field(commit, kind);
      if (Array.isArray(list)) list.filter((item): item is string => typeof item === 'string').forEach((file) => files.add(file));
    }
  }
  return [...files].sort();
}

/** Changed files for a pull request payload, when both commits exist locally. */
async function pullRequestPayloadChangedFiles(repoDir: string, payload: Payload): Promise<string[] | undefined> {
  const baseSha = stringField(payload, 'pull_request', 'base', 'sha');
  const headSha = stringField(payload, 'pull_request', 'head', 'sha');
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

type EventTarget = Pick<RepoEvent, 'ref' | 'sha' | 'baseRef' | 'headRef'>;

/** Where the runner reads GITHUB_REF / GITHUB_SHA in a payload, per event (either may be absent). */
function refAndShaInPayload(name: string, payload: Payload): { ref?: string | undefined; sha?: string | undefined } {
  switch (name) {
    case 'push':
      // head_commit is the commit even when `after` is an annotated tag object.
      return { ref: stringField(payload, 'ref'), sha: stringField(payload, 'head_commit', 'id') ?? stringField(payload, 'after') };
    case 'deployment':
    case 'deployment_status':
      return { ref: stringField(payload, 'deployment', 'ref'), sha: stringField(payload, 'deployment', 'sha') };
    case 'release': {
      const tag = stringField(payload, 'release', 'tag_name');
      return { ref: tag === undefined ? undefined : `refs/tags/${tag}` };
    }
  }
  const defaultBranch = stringField(payload, 'repository', 'default_branch');
  return { ref: stringField(payload, 'ref') ?? (defaultBranch === undefined ? undefined : `refs/heads/${defaultBranch}`) };
}

function pullRequestBranches(payload: Payload): Pick<RepoEvent, 'baseRef' | 'headRef'> {
  const baseRef = stringField(payload, 'pull_request', 'base', 'ref');
  const headRef = stringField(payload, 'pull_request', 'head', 'ref');
  return { ...(baseRef === undefined ? {} : { baseRef }), ...(headRef === undefined ? {} : { headRef }) };
}

async function pullRequestTarget(repoDir: string, name: string, payload: Payload): Promise<EventTarget> {
  const branches = pullRequestBranches(payload);
  if (name === 'pull_request_target') {
    const ref = `refs/heads/${branches.baseRef ?? (await findDefaultBranch(repoDir))}`;
    return { ref, sha: stringField(payload, 'pull_request', 'base', 'sha') ?? (await commitForRef(repoDir, ref)), ...branches };
  }
  const number = numberField(payload, 'number') ?? numberField(payload, 'pull_request', 'number') ?? 1;
  const sha = stringField(payload, 'pull_request', 'head', 'sha') ?? (await headCommitSha(repoDir));
  return { ref: `refs/pull/${number}/merge`, sha, ...branches };
}

/** The commit a ref names locally, else the checked-out commit. */
async function commitForRef(repoDir: string, ref: string): Promise<string> {
  return (await tryResolveCommit(repoDir, ref)) ?? headCommitSha(repoDir);
}

async function targetFromPayload(repoDir: string, name: string, payload: Payload): Promise<EventTarget> {
  if (name.startsWith('pull_request')) return pullRequestTarget(repoDir, name, payload);
  const { ref, sha } = refAndShaInPayload(name, payload);
  if (ref !== undefined) return { ref, sha: sha ?? (await commitForRef(repoDir, ref)) };
  const current = await currentRef(repoDir, await findDefaultBranch(repoDir));
  return { ref: current.ref, sha: sha ?? current.commit };
}

async function payloadChangedFiles(repoDir: string, name: string, payload: Payload): Promise<string[] | undefined> {
  if (name === 'push') return pushPayloadChangedFiles(payload);
  if (name.startsWith('pull_request')) return pullRequestPayloadChangedFiles(repoDir, payload);
  return undefined;
}

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

/**
 * act's `--eventpath FILE`: the payload comes from a JSON file; ref, sha and the PR branches
 * are read from it as the runner does, falling back to the repository's checked-out state.
 */
export async function loadEventFile(path: string, name: string, repoDir: string): Promise<RepoEvent> {
  const payload = await readEventFile(path);
  const event: RepoEvent = { name, ...(await targetFromPayload(repoDir, name, payload)), payload };
  const action = stringField(payload, 'action');
  if (action !== undefined) event.action = action;
  const changedFiles = await payloadChangedFiles(repoDir, name, payload);
  if (changedFiles !== undefined) event.changedFiles = changedFiles;
  const inputs = name === 'workflow_dispatch' ? stringInputs(payload) : undefined;
  if (inputs !== undefined) event.inputs = inputs;
  const schedule = name === 'schedule' ? stringField(payload, 'schedule') : undefined;
  if (schedule !== undefined) event.schedule = schedule;
  return event;
}
