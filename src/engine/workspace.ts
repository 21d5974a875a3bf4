// A fresh workspace per job: a clean checkout of the event's commit that shares
// the repository's objects, so the user's working copy is never touched.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGit, topLevel } from '../plan/git.ts';

export interface Workspace {
  /** GITHUB_WORKSPACE: the checkout, or the project's folder inside it. */
  path: string;
  /** RUNNER_TEMP: emptied for every job. */
  temp: string;
  /** RUNNER_TOOL_CACHE. */
  toolCache: string;
  /** Everything of this job a sandboxed step may write: the job's folder, or with --bind the repository too. */
  writable: string[];
  dispose(): Promise<void>;
}

export interface WorkspaceRequest {
  repoDir: string;
  /** The project's folder relative to the repository's top level ('' for the top level). */
  projectPath: string;
  sha: string;
  /** Work in the repository folder itself (`--bind`). */
  bind: boolean;
  label: string;
}

const tops = new Map<string, Promise<string>>();

/** The repository's top level, asked of git once per folder. */
function repositoryTop(repoDir: string): Promise<string> {
  const key = path.resolve(repoDir);
  let top = tops.get(key);
  if (!top) {
    top = topLevel(key);
    tops.set(key, top);
    top.catch(() => tops.delete(key));
  }
  return top;
}

export async function prepareWorkspace(request: WorkspaceRequest): Promise<Workspace> {
  const base = await mkdtemp(path.join(tmpdir(), `gantry-${request.label.replace(/[^\w.-]+/g, '_').slice(0, 40)}-`));
  const temp = path.join(base, 'temp');
  const toolCache = path.join(base, 'tool-cache');
  await Promise.all([mkdir(temp), mkdir(toolCache)]);
  const dispose = () => rm(base, { recursive: true, force: true, maxRetries: 3 });
  if (request.bind) return { path: path.resolve(request.repoDir), temp, toolCache, writable: [path.resolve(request.repoDir), base], dispose };

  const checkout = path.join(base, 'workspace');
  const top = await repositoryTop(request.repoDir);
  // An empty template skips copying git's sample hooks into every checkout.
  await runGit(top, ['clone', '--quiet', '--shared', '--no-checkout', '--template=', top, checkout]);
  await runGit(checkout, ['checkout', '--quiet', '--detach', request.sha]);
  return { path: path.join(checkout, request.projectPath), temp, toolCache, writable: [base], dispose };
}
