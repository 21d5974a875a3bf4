// A fresh workspace per job: a clean checkout of the event's commit that shares
// the repository's objects, so the user's working copy is never touched. The
// commit is checked out once per run into a template; every job copies it.

import { constants, copyFile, mkdir, mkdtemp, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkoutCommit, repositoryPlace, type RepositoryPlace } from '../plan/git-checkout.ts';

export interface Workspace {
  /** GITHUB_WORKSPACE: the checkout, or the project's folder inside it. */
  path: string;
  /** The checkout's top level (the repository's top level with --bind). */
  checkout: string;
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

/** Makes the workspaces of one run; `dispose` removes the templates it made. */
export class Workspaces {
  private readonly templates = new Map<string, Promise<string>>();
  private templateRoot: Promise<string> | undefined;
  private readonly removals = new Set<Promise<void>>();

  async prepare(request: WorkspaceRequest): Promise<Workspace> {
    const base = await mkdtemp(path.join(tmpdir(), `gantry-${request.label.replace(/[^\w.-]+/g, '_').slice(0, 40)}-`));
    const temp = path.join(base, 'temp');
    const toolCache = path.join(base, 'tool-cache');
    await Promise.all([mkdir(temp), mkdir(toolCache)]);
    // A job's folder is removed while the next job runs; the run waits for every removal at its end.
    const dispose = async () => {
      const removal = rm(base, { recursive: true, force: true, maxRetries: 3 }).finally(() => this.removals.delete(removal));
      this.removals.add(removal);
    };
    try {
      const place = await repositoryPlace(request.repoDir);
      if (request.bind) {
        return { path: path.resolve(request.repoDir), checkout: place.top, temp, toolCache, writable: [path.resolve(request.repoDir), base], dispose };
      }
      const checkout = path.join(base, 'workspace');
      await copyTree(await this.template(place, request.sha), checkout);
      return { path: path.join(checkout, request.projectPath), checkout, temp, toolCache, writable: [base], dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([...this.removals]);
    const root = this.templateRoot;
    this.templateRoot = undefined;
    this.templates.clear();
    if (root) await rm(await root, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
  }

  private template(place: RepositoryPlace, sha: string): Promise<string> {
    return once(this.templates, `${place.top}\0${sha}`, async () => {
      const name = String(this.templates.size);
      this.templateRoot ??= mkdtemp(path.join(tmpdir(), 'gantry-checkouts-'));
      const folder = path.join(await this.templateRoot, name);
      await checkoutCommit(place, sha, folder);
      return folder;
    });
  }
}

function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = make();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}

/**
 * Copies a folder tree, all at once. Node 20's `fs.cp` takes about 20 ms for a
 * small checkout here (it stats every entry several times); this takes 3.
 */
async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to);
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) return copyTree(source, target);
      if (entry.isSymbolicLink()) return symlink(await readlink(source), target);
      return copyFile(source, target, constants.COPYFILE_FICLONE);
    }),
  );
}
