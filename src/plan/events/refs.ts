// Which ref and commit an event runs on: a ref the user named, the checked-out
// ref, or the default branch's last commit.

import { GitError, currentBranch, resolveCommit, resolveObject, tagsPointingAt, tryResolveCommit } from '../git.ts';

/** The SHA GitHub sends as `before` for a ref that did not exist. */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface ResolvedRef {
  /** Full ref name: refs/heads/x or refs/tags/x. */
  ref: string;
  /** The commit the ref points to (annotated tags peeled). */
  commit: string;
  /** What the ref itself points to: the tag object for an annotated tag, else the commit. */
  object: string;
}

export interface Branch {
  name: string;
  sha: string;
}

function lookupError(repoDir: string, message: string, args: string[]): GitError {
  return new GitError(message, { args, repoDir, stderr: '', exitCode: 128 });
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

export async function headCommitSha(repoDir: string): Promise<string> {
  const sha = await tryResolveCommit(repoDir, 'HEAD');
  if (sha === null) throw lookupError(repoDir, `no commits yet in ${repoDir}`, ['rev-parse', '--verify', 'HEAD']);
  return sha;
}

/**
 * The checked-out ref. A detached HEAD (as CI checkouts leave it) becomes the tag pointing
 * at it, or else the default branch name with HEAD's commit.
 */
export async function currentRef(repoDir: string, defaultBranch: string): Promise<ResolvedRef> {
  const commit = await headCommitSha(repoDir);
  const branch = await currentBranch(repoDir);
  if (branch !== null) return { ref: `refs/heads/${branch}`, commit, object: commit };
  const [tag] = await tagsPointingAt(repoDir, commit);
  if (tag !== undefined) return resolveFullRef(repoDir, `refs/tags/${tag}`);
  return { ref: `refs/heads/${defaultBranch}`, commit, object: commit };
}

/** The ref the user asked for (branch, tag or full ref), or the checked-out one when none. */
export async function requestedRef(repoDir: string, ref: string | undefined, defaultBranch: string): Promise<ResolvedRef> {
  return ref === undefined ? currentRef(repoDir, defaultBranch) : resolveRef(repoDir, ref);
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

/** GITHUB_REF and GITHUB_SHA for events that run on the default branch's last commit. */
export async function onDefaultBranch(repoDir: string, defaultBranch: string): Promise<{ ref: string; sha: string }> {
  return { ref: `refs/heads/${defaultBranch}`, sha: await defaultBranchCommit(repoDir, defaultBranch) };
}

/** A branch name (or refs/heads/x); other revisions such as origin/x are accepted too. */
export async function resolveBranch(repoDir: string, branch: string): Promise<Branch> {
  const name = branch.replace(/^refs\/heads\//, '');
  const local = await tryResolveCommit(repoDir, `refs/heads/${name}`);
  return { name, sha: local ?? (await resolveCommit(repoDir, branch)) };
}

/** The commit a ref names locally, else the checked-out commit. */
export async function commitForRef(repoDir: string, ref: string): Promise<string> {
  return (await tryResolveCommit(repoDir, ref)) ?? headCommitSha(repoDir);
}
