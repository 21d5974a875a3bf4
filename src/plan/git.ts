// A small typed wrapper over the git CLI: just the queries event building needs.
// Every call runs `git -C <repoDir> ...` without a shell; failures become GitError.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const FIELD_SEPARATOR = '\x00';
const RECORD_SEPARATOR = '\x1e';
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export class GitError extends Error {
  readonly args: readonly string[];
  readonly repoDir: string;
  readonly stderr: string;
  /** git's exit code; null when git could not be started. */
  readonly exitCode: number | null;

  constructor(message: string, details: { args: readonly string[]; repoDir: string; stderr: string; exitCode: number | null }) {
    super(message);
    this.name = 'GitError';
    this.args = details.args;
    this.repoDir = details.repoDir;
    this.stderr = details.stderr;
    this.exitCode = details.exitCode;
  }

  /** The command as a user would type it, for messages. */
  get command(): string {
    return ['git', ...this.args].join(' ');
  }
}

export interface GitIdentity {
  name: string;
  email: string;
  /** ISO 8601 with the original offset, as `git log %aI` prints it. */
  date: string;
}

export interface GitCommit {
  sha: string;
  treeSha: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  /** Full message without the trailing newline. */
  message: string;
}

export interface FileChanges {
  added: string[];
  removed: string[];
  modified: string[];
}

export interface RunGitOptions {
  /** Extra environment variables for this call. */
  env?: Record<string, string>;
  /** Exit codes that mean "no answer" rather than failure; the call then returns null. */
  absentExitCodes?: readonly number[];
}

interface ExecFailure {
  code?: number | string;
  stderr?: string | Buffer;
  message: string;
}

function isExecFailure(error: unknown): error is ExecFailure {
  return error instanceof Error;
}

function describeFailure(args: readonly string[], repoDir: string, stderr: string): string {
  const command = ['git', ...args].join(' ');
  const detail = stderr.trim();
  if (/not a git repository/i.test(detail)) return `not a git repository: ${repoDir}`;
  const missingDir = /cannot change to '([^']*)'/.exec(detail);
  if (missingDir) return `no such directory: ${missingDir[1] ?? repoDir}`;
  const badRevision = /(?:ambiguous argument|bad revision|bad object|not a valid object name) '?([^'\s:]+)'?/i.exec(detail);
  if (badRevision) return `unknown revision '${badRevision[1] ?? ''}' in ${repoDir} (${command}: ${detail})`;
  return `${command} failed in ${repoDir}: ${detail || 'no error output'}`;
}

export async function runGit(
  repoDir: string,
  args: readonly string[],
  options: RunGitOptions & { absentExitCodes: readonly number[] },
): Promise<string | null>;
export async function runGit(repoDir: string, args: readonly string[], options?: RunGitOptions): Promise<string>;
export async function runGit(repoDir: string, args: readonly string[], options: RunGitOptions = {}): Promise<string | null> {
  const output = await execGit(repoDir, args, options);
  return output === null ? null : output.toString('utf8');
}

/** Runs git with `input` on its stdin; its output as bytes (or null for an absent exit code). */
async function execGit(repoDir: string, args: readonly string[], options: RunGitOptions, input?: string): Promise<Buffer | null> {
  const fullArgs = ['-C', repoDir, ...args];
  try {
    const pending = execFileAsync('git', fullArgs, {
      encoding: 'buffer',
      maxBuffer: MAX_OUTPUT_BYTES,
      // C locale keeps stderr parseable; optional locks keep read-only queries from touching the index.
      env: { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', ...options.env },
    });
    if (input !== undefined) {
      // git's exit status tells what went wrong; a closed pipe adds nothing.
      pending.child.stdin?.on('error', () => undefined);
      pending.child.stdin?.end(input);
    }
    return (await pending).stdout;
  } catch (error) {
    if (!isExecFailure(error)) throw error;
    if (error.code === 'ENOENT') {
      throw new GitError('git is not installed or not on PATH', { args, repoDir, stderr: '', exitCode: null });
    }
    const exitCode = typeof error.code === 'number' ? error.code : null;
    if (exitCode !== null && options.absentExitCodes?.includes(exitCode)) return null;
    const stderr = error.stderr === undefined ? error.message : String(error.stderr);
    throw new GitError(describeFailure(args, repoDir, stderr), { args, repoDir, stderr, exitCode });
  }
}

function firstLine(output: string): string {
  return output.split('\n', 1)[0]?.trim() ?? '';
}

/** The working tree's top-level folder. */
export async function topLevel(repoDir: string): Promise<string> {
  return firstLine(await runGit(repoDir, ['rev-parse', '--show-toplevel']));
}

/** The object a revision names, without peeling tags (an annotated tag gives the tag object). */
export async function resolveObject(repoDir: string, revision: string): Promise<string> {
  const args = ['rev-parse', '--verify', '--end-of-options', revision];
  const sha = await runGit(repoDir, args, { absentExitCodes: [128] });
  if (sha !== null) return firstLine(sha);
  await assertRepository(repoDir);
  throw unknownRevision(repoDir, revision, args);
}

/** The commit a revision names (tags are peeled). Throws GitError for an unknown revision. */
export async function resolveCommit(repoDir: string, revision: string): Promise<string> {
  const sha = await tryResolveCommit(repoDir, revision);
  if (sha === null) throw unknownRevision(repoDir, revision, ['rev-parse', '--verify', `${revision}^{commit}`]);
  return sha;
}

/** Like resolveCommit, but null when the revision does not exist. */
export async function tryResolveCommit(repoDir: string, revision: string): Promise<string | null> {
  const output = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], {
    absentExitCodes: [1, 128],
  });
  if (output !== null) return firstLine(output);
  await assertRepository(repoDir);
  return null;
}

function unknownRevision(repoDir: string, revision: string, args: readonly string[]): GitError {
  return new GitError(`unknown revision '${revision}' in ${repoDir}`, { args, repoDir, stderr: '', exitCode: 128 });
}

/** Fails with a clear GitError when repoDir is not inside a git working tree. */
export async function assertRepository(repoDir: string): Promise<void> {
  await runGit(repoDir, ['rev-parse', '--git-dir']);
}

/** The checked-out branch name, or null when HEAD is detached. */
export async function currentBranch(repoDir: string): Promise<string | null> {
  return symbolicRef(repoDir, 'HEAD');
}

/** Where a symbolic ref points, shortened (`origin/main`), or null when it is not symbolic or absent. */
export async function symbolicRef(repoDir: string, name: string): Promise<string | null> {
  const output = await runGit(repoDir, ['symbolic-ref', '--quiet', '--short', name], { absentExitCodes: [1, 128] });
  if (output === null) {
    await assertRepository(repoDir);
    return null;
  }
  return firstLine(output) || null;
}

/** The best common ancestor of two commits, or null when their histories are unrelated. */
export async function mergeBase(repoDir: string, first: string, second: string): Promise<string | null> {
  const output = await runGit(repoDir, ['merge-base', first, second], { absentExitCodes: [1] });
  return output === null ? null : firstLine(output);
}

export async function isAncestor(repoDir: string, ancestor: string, descendant: string): Promise<boolean> {
  const output = await runGit(repoDir, ['merge-base', '--is-ancestor', ancestor, descendant], { absentExitCodes: [1] });
  return output !== null;
}

const LOG_FORMAT = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x00') + '%x1e';

function parseCommitRecord(record: string): GitCommit | null {
  const fields = record.replace(/^\n/, '').split(FIELD_SEPARATOR);
  if (fields.length < 10) return null;
  const [sha = '', treeSha = '', parents = '', ...rest] = fields;
  const [authorName = '', authorEmail = '', authorDate = '', committerName = '', committerEmail = '', committerDate = ''] = rest;
  return {
    sha,
    treeSha,
    parents: parents.split(' ').filter(Boolean),
    author: { name: authorName, email: authorEmail, date: authorDate },
    committer: { name: committerName, email: committerEmail, date: committerDate },
    // The message is the last field; it is joined back in case it contained a NUL.
    message: rest.slice(6).join(FIELD_SEPARATOR).trimEnd(),
  };
}

/**
 * Commits selected by `revisions` (as for `git log`, e.g. [after, '^before']), oldest first.
 * With maxCount, the newest maxCount commits are kept.
 */
export async function logCommits(
  repoDir: string,
  revisions: readonly string[],
  options: { maxCount?: number } = {},
): Promise<GitCommit[]> {
  const limit = options.maxCount === undefined ? [] : [`--max-count=${options.maxCount}`];
  const args = ['log', '--no-show-signature', '--reverse', ...limit, `--format=${LOG_FORMAT}`, ...revisions, '--'];
  const output = await runGit(repoDir, args);
  return output
    .split(RECORD_SEPARATOR)
    .map(parseCommitRecord)
    .filter((commit): commit is GitCommit => commit !== null);
}

export async function readCommit(repoDir: string, revision: string): Promise<GitCommit> {
  // A full object id is read at once; anything else, or an id git does not know, is resolved
  // first, which names an unknown revision clearly.
  if (OBJECT_ID.test(revision)) {
    const [commit] = await logCommits(repoDir, [revision], { maxCount: 1 }).catch(() => []);
    if (commit) return commit;
  }
  const sha = await resolveCommit(repoDir, revision);
  const [commit] = await logCommits(repoDir, [sha], { maxCount: 1 });
  if (!commit) throw unknownRevision(repoDir, revision, ['log', sha]);
  return commit;
}

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Number of commits selected by `revisions` (as for `git rev-list`). */
export async function countCommits(repoDir: string, revisions: readonly string[]): Promise<number> {
  return Number(firstLine(await runGit(repoDir, ['rev-list', '--count', ...revisions, '--'])));
}

/**
 * Files that differ between two commits; with `from` null, every file in `to` counts as added.
 * Renames are reported as a removal plus an addition, as GitHub's push payload does.
 */
export async function diffFiles(repoDir: string, from: string | null, to: string): Promise<FileChanges> {
  if (from === null) return { added: await listFiles(repoDir, to), removed: [], modified: [] };
  const output = await runGit(repoDir, ['diff-tree', '-r', '-z', '--no-commit-id', '--no-renames', '--name-status', from, to]);
  const changes: FileChanges = { added: [], removed: [], modified: [] };
  const tokens = output.split(FIELD_SEPARATOR);
  for (let index = 0; index + 1 < tokens.length; index += 2) addChange(changes, tokens[index] ?? '', tokens[index + 1] ?? '');
  return changes;
}

function addChange(changes: FileChanges, status: string, path: string): void {
  if (status.startsWith('A')) changes.added.push(path);
  else if (status.startsWith('D')) changes.removed.push(path);
  else changes.modified.push(path);
}

/**
 * What each commit changed against its first parent (every file, as added, for a root commit), as
 * diffFiles tells it, for all of them with one `git diff-tree --stdin`.
 */
export async function commitChanges(repoDir: string, commits: readonly GitCommit[]): Promise<Map<string, FileChanges>> {
  const changes = new Map<string, FileChanges>(commits.map((commit) => [commit.sha, { added: [], removed: [], modified: [] }]));
  if (changes.size === 0) return changes;
  // "<commit> <parent>" diffs the commit against that parent alone, so a merge is diffed as diffFiles does.
  const input = commits.map((commit) => `${commit.sha}${commit.parents[0] ? ` ${commit.parents[0]}` : ''}\n`).join('');
  const output = (await execGit(repoDir, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', '--root', '--stdin'], {}, input))!.toString('utf8');
  const tokens = output.split(FIELD_SEPARATOR);
  let current: FileChanges | undefined;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] ?? '';
    // Each commit's changes follow its id; a status is a letter, so an id is never taken for one.
    if (OBJECT_ID.test(token)) current = changes.get(token);
    else if (token !== '' && current) addChange(current, token, tokens[++index] ?? '');
  }
  return changes;
}

/** Every file in a commit's tree. */
export async function listFiles(repoDir: string, commit: string): Promise<string[]> {
  const output = await runGit(repoDir, ['ls-tree', '-r', '-z', '--name-only', commit]);
  return output.split(FIELD_SEPARATOR).filter(Boolean);
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  id: string;
  /** The path from the top of the tree. */
  path: string;
}

/** The entries of one folder (`folder` relative to the top, '' for the top) of a commit's tree; none when it has no such folder. */
export async function listFolder(repoDir: string, commit: string, folder: string): Promise<TreeEntry[]> {
  const spec = folder === '' ? commit : `${commit}:${folder}`;
  const output = await runGit(repoDir, ['ls-tree', '-z', '--end-of-options', spec], { absentExitCodes: [128] });
  if (output === null) {
    await resolveCommit(repoDir, commit);
    return [];
  }
  return output
    .split(FIELD_SEPARATOR)
    .filter(Boolean)
    .map((line) => {
      const [meta = '', name = ''] = line.split('\t');
      const [mode = '', type = '', id = ''] = meta.split(' ');
      return { mode, type: type as TreeEntry['type'], id, path: folder === '' ? name : `${folder}/${name}` };
    });
}

/** The contents of blobs by id, read with one `git cat-file --batch`. */
export async function readBlobs(repoDir: string, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  if (ids.length === 0) return blobs;
  const output = (await execGit(repoDir, ['cat-file', '--batch'], {}, `${ids.join('\n')}\n`))!;
  let at = 0;
  for (const id of ids) {
    const headerEnd = output.indexOf(0x0a, at);
    const header = output.subarray(at, headerEnd).toString('utf8').split(' ');
    if (header[1] !== 'blob') throw new GitError(`${id} is not a blob in ${repoDir} (${header.join(' ')})`, { args: ['cat-file', '--batch'], repoDir, stderr: '', exitCode: 0 });
    const size = Number(header[2]);
    blobs.set(id, output.subarray(headerEnd + 1, headerEnd + 1 + size));
    at = headerEnd + 1 + size + 1;
  }
  return blobs;
}

/** Lines added and deleted between two commits (binary files count as zero). */
export async function diffLineCounts(repoDir: string, from: string, to: string): Promise<{ additions: number; deletions: number }> {
  const output = await runGit(repoDir, ['diff-tree', '-r', '--no-renames', '--numstat', from, to]);
  let additions = 0;
  let deletions = 0;
  for (const line of output.split('\n')) {
    const [added = '', deleted = ''] = line.split('\t');
    additions += Number(added) || 0;
    deletions += Number(deleted) || 0;
  }
  return { additions, deletions };
}

/** Names of tags that point at a commit. */
export async function tagsPointingAt(repoDir: string, sha: string): Promise<string[]> {
  const output = await runGit(repoDir, ['tag', '--points-at', sha]);
  return output.split('\n').filter(Boolean);
}

/** The URL of a remote, or null when the remote does not exist. */
export async function remoteUrl(repoDir: string, remote = 'origin'): Promise<string | null> {
  // `remote get-url` exits 2 for an unknown remote (and 128 on older gits).
  const output = await runGit(repoDir, ['remote', 'get-url', remote], { absentExitCodes: [2] }).catch((error: unknown) => {
    if (error instanceof GitError && /no such remote/i.test(error.stderr)) return null;
    throw error;
  });
  return output === null ? null : firstLine(output) || null;
}

/** A config value, or null when unset. */
export async function configValue(repoDir: string, key: string): Promise<string | null> {
  const output = await runGit(repoDir, ['config', '--get', key], { absentExitCodes: [1] });
  return output === null ? null : firstLine(output);
}

/**
 * Merges two commits in memory (`git merge-tree --write-tree`, git >= 2.38): writes only
 * objects, never the working tree, index or refs. `tree` is null when the merge conflicts.
 */
export async function mergeTrees(repoDir: string, base: string, head: string): Promise<{ tree: string | null }> {
  const output = await runGit(repoDir, ['merge-tree', '--write-tree', '--no-messages', base, head], { absentExitCodes: [1] });
  return { tree: output === null ? null : firstLine(output) };
}

/** Writes a commit object for a tree without moving any ref. */
export async function commitTree(
  repoDir: string,
  tree: string,
  parents: readonly string[],
  message: string,
  identity: GitIdentity,
): Promise<string> {
  const parentArgs = parents.flatMap((parent) => ['-p', parent]);
  const output = await runGit(repoDir, ['commit-tree', '--no-gpg-sign', ...parentArgs, '-m', message, tree], {
    env: {
      GIT_AUTHOR_NAME: identity.name,
      GIT_AUTHOR_EMAIL: identity.email,
      GIT_AUTHOR_DATE: identity.date,
      GIT_COMMITTER_NAME: identity.name,
      GIT_COMMITTER_EMAIL: identity.email,
      GIT_COMMITTER_DATE: identity.date,
    },
  });
  return firstLine(output);
}
