// The action store: actions named `owner/repo[/path]@ref`, fetched with git from
// a GitHub-compatible server (github.com, GitHub Enterprise, any git server that
// serves `<server>/<owner>/<repo>`) and kept in a cache folder, one entry per
// server, repository and ref. An entry is the repository's files at that ref,
// without `.git`, plus a small metadata file (the commit, where it came from).
//
// Entries are never changed in place: a fetch or `add` fills a temporary folder
// next to the entry and renames it into place. A cached tag or branch is reused
// as is (no re-fetch of moving refs) unless the store is made with `refresh`,
// or the entry is removed; a full commit SHA is immutable and never re-fetched.

import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitError, runGit } from '../../plan/git.ts';
import { ActionResolutionError } from '../types.ts';

export const DEFAULT_SERVER_URL = 'https://github.com';

/** Inside each entry; the rest of the entry is the repository's files. */
export const STORE_METADATA_FILE = '.gantry-store.json';

const SUPPORTED_PROTOCOLS = ['https:', 'http:', 'git:', 'file:', 'ssh:'];
const FULL_SHA = /^[0-9a-f]{40}$/i;
const SHORT_SHA = /^[0-9a-f]{7,39}$/i;
const NAME = /^[A-Za-z0-9_.-]+$/;

export interface ActionStoreOptions {
  /** Where repositories are: `<serverUrl>/<owner>/<repo>`. Default https://github.com. */
  serverUrl?: string;
  /** Default: `$XDG_CACHE_HOME/gantry/actions`, else `~/.cache/gantry/actions`. */
  cacheDir?: string;
  /** Never contact the server: only entries already in the store resolve. */
  offline?: boolean;
  /** Re-fetch cached tags and branches (moving refs); full SHAs are never re-fetched. Ignored when offline. */
  refresh?: boolean;
  /** Told one line per download (not for cache hits). */
  log?: (line: string) => void;
}

export interface FetchedAction {
  /** The entry: the repository's files at the ref. */
  directory: string;
  /** The commit checked out; undefined only for an entry added from a folder that is not a git repository. */
  commit: string | undefined;
  /** `git` when fetched from the server, `added` when put there with `add`. */
  source: StoreEntrySource;
}

export type StoreEntrySource = 'git' | 'added';

export interface StoreEntry {
  owner: string;
  repo: string;
  ref: string;
  /** `owner/repo@ref`. */
  name: string;
  /** The server URL the entry belongs to (as given to the store that made it). */
  server: string;
  commit: string | undefined;
  source: StoreEntrySource | undefined;
  directory: string;
}

interface EntryMetadata {
  version: 1;
  server: string;
  owner: string;
  repo: string;
  ref: string;
  commit?: string;
  source: StoreEntrySource;
  /** The URL fetched from (source git) or the folder copied (source added). */
  from: string;
  storedAt: string;
}

/** The cache folder used when none is given. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, 'gantry', 'actions');
}

export class ActionStore {
  /** The server URL without a trailing slash. */
  readonly serverUrl: string;
  readonly cacheDir: string;
  readonly offline: boolean;
  readonly refresh: boolean;
  readonly #serverKey: string;
  readonly #log: ((line: string) => void) | undefined;
  /** In-flight fetches, so concurrent jobs asking for one action fetch it once. */
  readonly #pending = new Map<string, Promise<FetchedAction>>();

  constructor(options: ActionStoreOptions = {}) {
    const serverUrl = (options.serverUrl ?? DEFAULT_SERVER_URL).trim().replace(/\/+$/, '');
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      throw new Error(`invalid actions server URL "${serverUrl}": expected e.g. https://github.com, git://host or file:///path`);
    }
    if (!SUPPORTED_PROTOCOLS.includes(url.protocol)) {
      throw new Error(`invalid actions server URL "${serverUrl}": ${url.protocol} is not supported; use https://, http://, git://, ssh:// or file://`);
    }
    this.serverUrl = serverUrl;
    this.#serverKey = serverKey(url);
    this.cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
    this.offline = options.offline ?? false;
    this.refresh = options.refresh ?? false;
    this.#log = options.log;
  }

  /** Where the entry for `owner/repo@ref` on this store's server is (whether or not it exists). */
  entryDirectory(owner: string, repo: string, ref: string): string {
    checkReference(owner, repo, ref);
    return path.join(this.cacheDir, this.#serverKey, owner, repo, refDirectoryName(ref));
  }

  /**
   * The files of `owner/repo` at `ref` (a tag, branch or commit SHA): from the store when
   * there, else fetched with git and stored. Throws ActionResolutionError (one line).
   */
  async fetch(owner: string, repo: string, ref: string): Promise<FetchedAction> {
    const directory = this.entryDirectory(owner, repo, ref);
    const pending = this.#pending.get(directory);
    if (pending) return pending;
    const fetching = this.#fetch(owner, repo, ref, directory).finally(() => this.#pending.delete(directory));
    this.#pending.set(directory, fetching);
    return fetching;
  }

  /**
   * Puts a local copy of an action repository in the store as `owner/repo@ref`, replacing any entry.
   * A git repository (at its top level) gives the files of its HEAD commit (or of the pinned
   * commit when `ref` is a full SHA), without `.git` and uncommitted changes; any other folder
   * is copied as it is, without `.git` folders.
   */
  async add(owner: string, repo: string, ref: string, fromPath: string): Promise<StoreEntry> {
    const directory = this.entryDirectory(owner, repo, ref);
    const name = `${owner}/${repo}@${ref}`;
    const source = path.resolve(fromPath);
    if (!(await isDirectory(source))) {
      throw new ActionResolutionError(`cannot add "${name}" to the action store: ${fromPath} is not a folder`);
    }
    const temporary = await this.#temporaryNextTo(directory);
    try {
      let commit: string | undefined;
      const revision = await repositoryRevision(source, FULL_SHA.test(ref) ? ref : 'HEAD');
      if (revision.kind === 'commit') {
        commit = revision.commit;
        await extractCommit(source, commit, temporary);
      } else if (revision.kind === 'missing') {
        throw new ActionResolutionError(
          `cannot add "${name}" to the action store: the git repository ${source} has no commit ${ref}; ` +
            'check out the pinned commit there, or add it under the ref it has',
        );
      } else {
        await cp(source, temporary, {
          recursive: true,
          force: true,
          verbatimSymlinks: true,
          filter: (file) => path.basename(file) !== '.git',
        });
        commit = FULL_SHA.test(ref) ? ref.toLowerCase() : undefined;
      }
      if (commit !== undefined && FULL_SHA.test(ref) && commit !== ref.toLowerCase()) {
        throw new ActionResolutionError(`cannot add "${name}" to the action store: ${source} gives commit ${commit}, not the pinned ${ref}`);
      }
      const metadata = this.#metadata(owner, repo, ref, commit, 'added', source);
      await writeMetadata(temporary, metadata);
      await install(temporary, directory, { replace: true });
      return entryOf(metadata, directory);
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  }

  /** Every entry in the store, for every server, sorted by name. */
  async list(): Promise<StoreEntry[]> {
    const entries: StoreEntry[] = [];
    for (const server of await subfolders(this.cacheDir)) {
      for (const owner of await subfolders(path.join(this.cacheDir, server))) {
        for (const repo of await subfolders(path.join(this.cacheDir, server, owner))) {
          for (const refName of await subfolders(path.join(this.cacheDir, server, owner, repo))) {
            const directory = path.join(this.cacheDir, server, owner, repo, refName);
            const metadata = await readMetadata(directory);
            if (metadata) {
              entries.push(entryOf(metadata, directory));
              continue;
            }
            const ref = safeDecode(refName);
            entries.push({ owner, repo, ref, name: `${owner}/${repo}@${ref}`, server, commit: undefined, source: undefined, directory });
          }
        }
      }
    }
    return entries.sort((a, b) => a.name.localeCompare(b.name) || a.server.localeCompare(b.server));
  }

  async #fetch(owner: string, repo: string, ref: string, directory: string): Promise<FetchedAction> {
    const name = `${owner}/${repo}@${ref}`;
    const pinned = FULL_SHA.test(ref);
    if (await isDirectory(directory)) {
      const reuse = this.offline || pinned || !this.refresh;
      if (reuse) return cachedEntry(name, ref, directory);
    }
    if (this.offline) {
      throw this.#cannotFetch(name, `working offline and the store has no copy (looked in ${directory})`);
    }
    const temporary = await this.#temporaryNextTo(directory);
    try {
      const { commit, url } = await this.#download(owner, repo, ref, temporary);
      if (pinned && commit !== ref.toLowerCase()) {
        throw new ActionResolutionError(`"${name}": ${this.serverUrl} gave commit ${commit}, not the pinned ${ref}; the action was not stored`);
      }
      await rm(path.join(temporary, '.git'), { recursive: true, force: true });
      const metadata = this.#metadata(owner, repo, ref, commit, 'git', url);
      await writeMetadata(temporary, metadata);
      const installed = await install(temporary, directory, { replace: this.refresh });
      if (!installed) return cachedEntry(name, ref, directory);
      this.#log?.(`fetched ${name} from ${url} (commit ${commit})`);
      return { directory, commit, source: 'git' };
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  }

  /** Fetches `ref` into an empty folder and checks it out; the folder keeps its `.git`. */
  async #download(owner: string, repo: string, ref: string, folder: string): Promise<{ commit: string; url: string }> {
    const name = `${owner}/${repo}@${ref}`;
    // No hook templates; no line-ending conversion (the files are as in the repository, as GitHub serves them).
    await git(folder, ['init', '-q', '--template=']);
    await git(folder, ['config', 'core.autocrlf', 'false']);
    const urls = [`${this.serverUrl}/${owner}/${repo}`, `${this.serverUrl}/${owner}/${repo}.git`];
    const notFound: string[] = [];
    for (const url of urls) {
      let failure: GitFailure;
      try {
        await git(folder, ['fetch', '-q', '--no-tags', '--depth', '1', url, ref]);
        return { commit: await checkout(folder, 'FETCH_HEAD'), url };
      } catch (error) {
        failure = classify(error);
      }
      if (failure.kind === 'not-found') {
        notFound.push(failure.reason);
        continue;
      }
      const couldBeCommit = FULL_SHA.test(ref) || SHORT_SHA.test(ref);
      if ((failure.kind === 'unknown-ref' || failure.kind === 'refused-commit') && couldBeCommit) {
        // The server does not give single commits (uploadpack.allowReachableSHA1InWant) or the
        // ref is an abbreviated SHA: fetch every branch and tag, then look for the commit.
        return { commit: await this.#fullFetchAndCheckout(name, url, ref, folder), url };
      }
      if (failure.kind === 'unknown-ref') {
        throw new ActionResolutionError(
          `cannot fetch "${name}" from ${this.serverUrl}: ${owner}/${repo} has no tag or branch "${ref}"; ` +
            'use an existing tag, branch or full commit SHA',
        );
      }
      throw this.#cannotFetch(name, failure.reason);
    }
    throw this.#cannotFetch(
      name,
      `no repository ${owner}/${repo} there (${notFound[0] ?? 'not found'}); check the owner and name ` +
        `(a private repository needs git credentials for ${this.serverUrl})`,
    );
  }

  async #fullFetchAndCheckout(name: string, url: string, ref: string, folder: string): Promise<string> {
    try {
      await git(folder, ['fetch', '-q', '--no-tags', url, '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']);
    } catch (error) {
      throw this.#cannotFetch(name, classify(error).reason);
    }
    const found = await runGit(folder, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      absentExitCodes: [1, 128],
    });
    if (found === null) {
      throw new ActionResolutionError(
        `cannot fetch "${name}" from ${this.serverUrl}: no commit ${ref} on any branch or tag there; ` +
          'check the SHA (a pinned commit must be a full 40-character SHA of a commit in the repository)',
      );
    }
    return checkout(folder, found.trim());
  }

  #cannotFetch(name: string, reason: string): ActionResolutionError {
    return new ActionResolutionError(
      `cannot fetch "${name}" from ${this.serverUrl}: ${reason}; ` +
        `to run offline, put a copy in the store with \`gantry actions add ${name} --from PATH\``,
    );
  }

  #metadata(owner: string, repo: string, ref: string, commit: string | undefined, source: StoreEntrySource, from: string): EntryMetadata {
    return {
      version: 1,
      server: this.serverUrl,
      owner,
      repo,
      ref,
      ...(commit === undefined ? {} : { commit }),
      source,
      from,
      storedAt: new Date().toISOString(),
    };
  }

  /** A new empty folder beside the entry (same file system, so the final rename is atomic). */
  async #temporaryNextTo(directory: string): Promise<string> {
    const parent = path.dirname(directory);
    await mkdir(parent, { recursive: true });
    return mkdtemp(path.join(parent, '.tmp-'));
  }
}

// --- Names and folders --------------------------------------------------------

/** Refuses names that could escape the store or be read by git as options or refspecs. */
function checkReference(owner: string, repo: string, ref: string): void {
  const name = `${owner}/${repo}@${ref}`;
  for (const part of [owner, repo]) {
    if (!NAME.test(part) || part === '.' || part === '..') {
      throw new ActionResolutionError(`"${name}": "${part}" is not a repository owner or name (letters, digits, ".", "-" and "_")`);
    }
  }
  if (!isValidRef(ref)) {
    throw new ActionResolutionError(`"${name}": "${ref}" is not a git tag, branch or commit SHA`);
  }
}

/** The rules of `git check-ref-format`, plus no leading "-" or "+" (read as options or forced refspecs). */
function isValidRef(ref: string): boolean {
  if (ref === '' || ref === '@' || /^[-+]/.test(ref)) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref) || ref.includes('..') || ref.includes('@{') || ref.includes('//')) return false;
  if (ref.startsWith('/') || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return false;
  return !ref.split('/').some((component) => component.startsWith('.'));
}

/** One folder name per ref, reversible: `releases/v1` -> `releases%2Fv1`. */
function refDirectoryName(ref: string): string {
  return encodeURIComponent(ref).replace(/^\./, '%2E');
}

function safeDecode(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** The folder for a server: its host and port (and path), e.g. `github.com`, `127.0.0.1_9418`, `file_srv_git`. */
function serverKey(url: URL): string {
  const raw = url.protocol === 'file:' ? `file${url.pathname}` : `${url.host}${url.pathname}`;
  const key = raw
    .replace(/\/+$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '');
  return key || 'server';
}

async function subfolders(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

async function isDirectory(target: string): Promise<boolean> {
  return (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
}

function entryOf(metadata: EntryMetadata, directory: string): StoreEntry {
  const { owner, repo, ref } = metadata;
  return {
    owner,
    repo,
    ref,
    name: `${owner}/${repo}@${ref}`,
    server: metadata.server,
    commit: metadata.commit,
    source: metadata.source,
    directory,
  };
}

async function writeMetadata(directory: string, metadata: EntryMetadata): Promise<void> {
  await writeFile(path.join(directory, STORE_METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
}

async function readMetadata(directory: string): Promise<EntryMetadata | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(directory, STORE_METADATA_FILE), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const metadata = parsed as Partial<EntryMetadata>;
    if (typeof metadata.owner !== 'string' || typeof metadata.repo !== 'string' || typeof metadata.ref !== 'string') return undefined;
    if (typeof metadata.server !== 'string') return undefined;
    return metadata as EntryMetadata;
  } catch {
    return undefined;
  }
}

/** A cached entry, checked against a pinned SHA. */
async function cachedEntry(name: string, ref: string, directory: string): Promise<FetchedAction> {
  const metadata = await readMetadata(directory);
  const commit = metadata?.commit;
  if (FULL_SHA.test(ref) && commit !== undefined && commit !== ref.toLowerCase()) {
    throw new ActionResolutionError(
      `"${name}": the store's copy in ${directory} is commit ${commit}, not the pinned ${ref}; remove that folder and run again`,
    );
  }
  return { directory, commit, source: metadata?.source ?? 'added' };
}

/**
 * Renames the filled temporary folder to the entry. Without `replace`, an entry that appeared
 * meanwhile (another process) is kept and false is returned.
 */
async function install(temporary: string, directory: string, options: { replace: boolean }): Promise<boolean> {
  try {
    await rename(temporary, directory);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error;
    if (!options.replace) return false;
  }
  const old = await mkdtemp(path.join(path.dirname(directory), '.old-'));
  const aside = path.join(old, 'entry');
  await rename(directory, aside);
  await rename(temporary, directory);
  await rm(old, { recursive: true, force: true });
  return true;
}

// --- git ----------------------------------------------------------------------

/** Slow or stalled HTTP transfers fail instead of hanging a run. */
const GIT_ENV = { GIT_HTTP_LOW_SPEED_LIMIT: '1000', GIT_HTTP_LOW_SPEED_TIME: '60', GIT_TERMINAL_PROMPT: '0' };

async function git(folder: string, args: readonly string[]): Promise<string> {
  return runGit(folder, args, { env: GIT_ENV });
}

async function checkout(folder: string, revision: string): Promise<string> {
  const commit = (await git(folder, ['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`])).trim();
  await git(folder, ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', commit]);
  return commit;
}

type GitFailure = { kind: 'not-found' | 'unknown-ref' | 'refused-commit' | 'other'; reason: string };

function classify(error: unknown): GitFailure {
  if (!(error instanceof GitError)) throw error;
  if (error.exitCode === null) return { kind: 'other', reason: error.message };
  const stderr = error.stderr;
  const reason = gitReason(stderr);
  if (/couldn't find remote ref/i.test(stderr)) return { kind: 'unknown-ref', reason };
  if (/not our ref|unadvertised object|allow request for/i.test(stderr)) return { kind: 'refused-commit', reason };
  if (/does not appear to be a git repository|not exported|repository not found|returned error: 404|could not read username|authentication failed/i.test(stderr)) {
    return { kind: 'not-found', reason };
  }
  return { kind: 'other', reason };
}

/** git's error output as one line: `fatal:`/`error:` prefixes and boilerplate dropped. */
function gitReason(stderr: string): string {
  const boilerplate = /^(Please make sure you have the correct access rights|and the repository exists\.|Could not read from remote repository\.)$/i;
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/^\[\d+\]\s*/, '').replace(/^(fatal|error|remote):\s*/i, '').trim())
    .filter((line) => line !== '');
  const telling = lines.filter((line) => !boilerplate.test(line));
  const reason = [...new Set(telling.length > 0 ? telling : lines)].join(' ').replace(/\s+/g, ' ').trim();
  if (reason === '') return 'git failed without saying why';
  return reason.length > 300 ? `${reason.slice(0, 297)}...` : reason;
}

type Revision = { kind: 'commit'; commit: string } | { kind: 'missing' } | { kind: 'not-a-repository' };

/** The commit `revision` names in `folder` when `folder` is the top level of a git working tree with commits. */
async function repositoryRevision(folder: string, revision: string): Promise<Revision> {
  const top = await runGit(folder, ['rev-parse', '--show-toplevel'], { absentExitCodes: [128] }).catch(() => null);
  if (top === null || top.trim() === '') return { kind: 'not-a-repository' };
  const [topReal, folderReal] = await Promise.all([realpath(top.trim()), realpath(folder)]);
  if (topReal !== folderReal) return { kind: 'not-a-repository' };
  const commit = await runGit(folder, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], {
    absentExitCodes: [1, 128],
  });
  if (commit !== null) return { kind: 'commit', commit: commit.trim() };
  // A repository without any commit yet: its files are copied as a plain folder.
  return revision === 'HEAD' ? { kind: 'not-a-repository' } : { kind: 'missing' };
}

/** `git archive <commit> | tar -x`: the commit's files, without `.git`. */
async function extractCommit(repository: string, commit: string, destination: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const archive = spawn('git', ['-C', repository, 'archive', '--format=tar', commit], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', destination], { stdio: ['pipe', 'ignore', 'pipe'] });
    const failures: string[] = [];
    let stderr = '';
    let open = 2;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0) failures.push(`${what} exited with ${code ?? 'a signal'}`);
      if (--open > 0) return;
      if (failures.length === 0) return resolve();
      reject(new Error(`cannot copy ${commit} from ${repository}: ${[...failures, stderr.trim()].filter(Boolean).join('; ')}`));
    };
    archive.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    archive.on('error', reject);
    tar.on('error', reject);
    tar.stdin.on('error', () => {});
    archive.stdout.pipe(tar.stdin);
    archive.on('close', done('git archive'));
    tar.on('close', done('tar'));
  });
}
