// Where a registered repository's commits come from, and a private checkout of one commit for
// planning and running (the user's repository is never touched).

import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkoutCommit, repositoryPlace } from '../plan/git-checkout.ts';
import { runGit } from '../plan/git.ts';
import type { PlanInput } from '../plan/planner.ts';
import type { RepoRecord } from '../storage/db/records.ts';
import { loadWorkflowsAt } from './workflows.ts';

/** The last part of a repository's path or URL, without `.git`: `/srv/app.git` and `file:///srv/app` are `app`. */
function repositoryFolderName(location: string): string {
  return path.basename(location.replace(/[/\\]+$/, '')).replace(/\.git$/, '') || 'repository';
}

export class RepoSources {
  /** Mirror updates by repository: the one under way, and the one that will follow it. */
  private readonly updates = new Map<number, { running: Promise<void>; next?: Promise<void> }>();

  constructor(private readonly dataDir: string) {}

  /** The git directory to read from: the registered path, or a mirror of the URL kept up to date. */
  async gitSource(repo: RepoRecord, refresh = true): Promise<string> {
    if (repo.path) return repo.path;
    const mirror = path.join(this.dataDir, 'mirrors', `${repo.id}.git`);
    if (existsSync(mirror) && !refresh) return mirror;
    await this.updateOnce(repo.id, () => this.updateMirror(repo.url!, mirror));
    return mirror;
  }

  /**
   * Runs `update` for a repository one at a time: two git processes updating one mirror would fight
   * over its ref locks. A caller that comes while one runs waits for the next, which starts after it
   * (an update begun before the caller came may not have what the caller is looking for); callers
   * waiting together share that next one.
   */
  private async updateOnce(id: number, update: () => Promise<void>): Promise<void> {
    const current = this.updates.get(id);
    if (current) {
      current.next ??= current.running.catch(() => undefined).then(() => this.updateOnce(id, update));
      return current.next;
    }
    const entry: { running: Promise<void>; next?: Promise<void> } = { running: update() };
    this.updates.set(id, entry);
    try {
      await entry.running;
    } finally {
      if (this.updates.get(id) === entry) this.updates.delete(id);
    }
  }

  private async updateMirror(url: string, mirror: string): Promise<void> {
    if (existsSync(mirror)) {
      await runGit(mirror, ['fetch', '--quiet', '--prune', 'origin']);
      return;
    }
    await mkdir(path.dirname(mirror), { recursive: true });
    await runGit(this.dataDir, ['clone', '--quiet', '--mirror', url, mirror]);
  }

  /**
   * A working checkout of `revision` with every branch and tag of the source, so events can be built
   * from it as from the user's own clone: its origin is where the source came from (the registered
   * URL, or the registered folder's own origin), and its folder is named as the repository. It
   * borrows the source's objects and is written directly (git-checkout.ts): a `git clone --shared`
   * and a fetch of every ref took twice as long. With `worktree: false` HEAD is detached at
   * `revision` but no file is checked out: enough for git's plumbing and `loadWorkflowsAt`.
   * Disposed by the caller.
   */
  async checkout(repo: RepoRecord, revision: string, label: string, { worktree = true } = {}): Promise<{ dir: string; sha: string; dispose(): Promise<void> }> {
    const source = await this.gitSource(repo);
    const folder = path.join(this.dataDir, 'work', `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    // Named as the repository: where its origin does not name it, events are named after this folder.
    const dir = path.join(folder, repositoryFolderName(repo.url ?? source));
    await mkdir(folder, { recursive: true });
    const dispose = () => rm(folder, { recursive: true, force: true, maxRetries: 3 });
    try {
      const [place, sha, head, origin] = await Promise.all([
        repositoryPlace(source),
        runGit(source, ['rev-parse', '--verify', '--end-of-options', `${revision}^{commit}`]).then((out) => out.trim()),
        runGit(source, ['symbolic-ref', '--quiet', 'HEAD'], { absentExitCodes: [1, 128] }),
        runGit(source, ['config', '--get', 'remote.origin.url'], { absentExitCodes: [1] }),
      ]);
      await checkoutCommit(place, sha, dir, {
        localBranches: true,
        files: worktree,
        originUrl: origin?.trim() || source,
        ...(head ? { originHead: head.trim() } : {}),
      });
      return { dir, sha, dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  /** The workflow files at `revision` of the source, read from its objects: nothing is cloned or written. */
  async workflowsAt(repo: RepoRecord, revision: string): Promise<PlanInput[]> {
    return loadWorkflowsAt(await this.gitSource(repo), revision);
  }

  /** Checks that a path or URL is a readable git repository; answers its default branch. */
  async probe(source: { path: string | null; url: string | null }): Promise<string> {
    if (source.path) {
      await runGit(source.path, ['rev-parse', '--git-dir']);
      const head = await runGit(source.path, ['symbolic-ref', '--quiet', 'HEAD'], { absentExitCodes: [1, 128] });
      return head ? head.trim().replace(/^refs\/heads\//, '') : 'main';
    }
    const listing = await runGit(this.dataDir, ['ls-remote', '--symref', source.url!, 'HEAD']);
    return /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(listing)?.[1] ?? 'main';
  }
}
