// The repository and the local user as GitHub payloads describe them: owner and
// name from the origin remote, the default branch, and the `repository`, `sender`
// and `pusher` objects.

import { basename } from 'node:path';

import { configValue, currentBranch, remoteUrl, symbolicRef, topLevel } from '../git.ts';
import type { Payload } from '../payload-fields.ts';
import { nodeId, stableId } from './ids.ts';

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

/** origin/HEAD when the clone knows it, else the checked-out branch, else `main`. */
export async function findDefaultBranch(repoDir: string): Promise<string> {
  const remoteHead = await symbolicRef(repoDir, 'refs/remotes/origin/HEAD');
  if (remoteHead) return remoteHead.replace(/^origin\//, '');
  return (await currentBranch(repoDir)) ?? 'main';
}

async function readGitUser(repoDir: string): Promise<GitUser> {
  const [name, email] = await Promise.all([configValue(repoDir, 'user.name'), configValue(repoDir, 'user.email')]);
  return { name: name || 'gantry', email: email ?? '', login: loginFor(name ?? '', email ?? '') };
}

async function locateRepository(repoDir: string): Promise<RemoteLocation> {
  const url = await remoteUrl(repoDir, 'origin');
  const fromRemote = url === null ? null : parseRemoteUrl(url);
  if (fromRemote) return fromRemote;
  return { host: 'github.com', owner: 'local', name: basename(await topLevel(repoDir)) };
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

/** Repository identity, default branch and local user, as GitHub payloads describe them. */
export async function repositoryInfo(repoDir: string): Promise<RepositoryInfo> {
  // Each asks git on its own: at once, they take the time of the slowest.
  const [location, defaultBranch, user] = await Promise.all([locateRepository(repoDir), findDefaultBranch(repoDir), readGitUser(repoDir)]);
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
