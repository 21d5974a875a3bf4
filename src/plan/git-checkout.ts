// Checkouts that borrow a local repository's objects, as `git clone --shared`
// makes them, written directly: `git clone` of a local path starts an
// upload-pack server and costs several times more. Used for each job's
// workspace, by the built-in actions/checkout and for the server's private
// clones (events and runs).

import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from './git.ts';

/** Where a repository's files and objects are. */
export interface RepositoryPlace {
  top: string;
  objects: string;
}

const places = new Map<string, Promise<RepositoryPlace>>();

/**
 * The top level and object store of the repository holding `dir`, asked of git once per folder. A
 * bare repository (a server's mirror) has no top level: its git folder stands for it.
 */
export function repositoryPlace(dir: string): Promise<RepositoryPlace> {
  const key = path.resolve(dir);
  let place = places.get(key);
  if (!place) {
    place = locate(key);
    places.set(key, place);
    place.catch(() => places.delete(key));
  }
  return place;
}

async function locate(dir: string): Promise<RepositoryPlace> {
  let commonDir: string;
  let top: string;
  try {
    [commonDir = '', top = ''] = (await runGit(dir, ['rev-parse', '--path-format=absolute', '--git-common-dir', '--show-toplevel'])).trim().split('\n');
  } catch (error) {
    // A bare repository (a server's mirror) has no top level for --show-toplevel to name.
    const [bare, bareDir = ''] = (await runGit(dir, ['rev-parse', '--path-format=absolute', '--is-bare-repository', '--git-common-dir']).catch(() => '')).trim().split('\n');
    if (bare !== 'true') throw error;
    [commonDir, top] = [bareDir, bareDir];
  }
  return { top, objects: path.join(commonDir, 'objects') };
}

export interface CheckoutRefs {
  /** Check out this local branch (`-B`) at the commit instead of a detached HEAD. */
  branch?: string;
  /** Only these refs of the source become refs of the checkout (`origin/*` for branches); all when absent. */
  only?: readonly string[];
  /** The source's branches become local branches as well as `origin/*` (a server's private clone, whose events read branches). */
  localBranches?: boolean;
  /** The source's HEAD (`refs/heads/main`), kept as `origin/HEAD`, which tells the default branch, as a clone does. */
  originHead?: string;
  /** With `false`, HEAD is detached at the commit and no file is checked out: enough for git's plumbing. */
  files?: boolean;
  /** origin's URL when it is not the source's folder: where the source itself came from, which names the repository in events. */
  originUrl?: string;
}

/**
 * A repository at `folder` with `sha` checked out that borrows the source's
 * objects, with the source as `origin`, its branches as `origin/*` and its tags.
 */
export async function checkoutCommit(place: RepositoryPlace, sha: string, folder: string, refs: CheckoutRefs = {}): Promise<void> {
  const gitDir = path.join(folder, '.git');
  const packed = await packedRefs(place, refs.only ?? ['refs/heads', 'refs/tags'], refs.localBranches ?? false);
  const originHead = refs.originHead?.startsWith('refs/heads/') ? `refs/remotes/origin/${refs.originHead.slice('refs/heads/'.length)}` : undefined;
  // git makes refs/heads and refs/tags when it first needs them: two folders fewer to copy into every job.
  await Promise.all(['objects/info', originHead ? 'refs/remotes/origin' : 'refs'].map((dir) => mkdir(path.join(gitDir, dir), { recursive: true })));
  await Promise.all([
    writeFile(path.join(gitDir, 'HEAD'), `${sha}\n`),
    writeFile(path.join(gitDir, 'objects/info/alternates'), `${place.objects}\n`),
    writeFile(path.join(gitDir, 'packed-refs'), packed),
    writeFile(path.join(gitDir, 'config'), checkoutConfig(refs.originUrl ?? place.top)),
    ...(originHead ? [writeFile(path.join(gitDir, 'refs/remotes/origin/HEAD'), `ref: ${originHead}\n`)] : []),
    copySourceShallow(place, gitDir),
  ]);
  if (refs.files === false) return;
  const target = refs.branch ? ['-B', refs.branch, sha] : ['--detach', sha];
  await runGit(folder, ['checkout', '--quiet', '--force', ...target]);
}

/**
 * A packed-refs file holding the source's refs under `only` as a clone has them: branches as
 * `origin/*` (and as local branches with `localBranches`), tags as they are. It claims no peeled
 * values, so git reads them from the tag objects when it needs them: a file that claimed them
 * without listing them would hide every annotated tag from `git describe`.
 */
export async function packedRefs(place: RepositoryPlace, only: readonly string[], localBranches = false): Promise<string> {
  const listed = await runGit(place.top, ['for-each-ref', '--format=%(objectname) %(refname)', ...only]);
  const lines: string[] = [];
  for (const line of listed.split('\n')) {
    if (line === '') continue;
    if (!line.includes(' refs/heads/')) {
      lines.push(line);
      continue;
    }
    lines.push(line.replace(' refs/heads/', ' refs/remotes/origin/'));
    if (localBranches) lines.push(line);
  }
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * The source's `shallow` file, where the source was cloned with a depth: without it git would look
 * for the parents the source never had, and `git log` would fail on the first of them.
 */
export async function copySourceShallow(place: RepositoryPlace, gitDir: string): Promise<void> {
  try {
    await copyFile(path.join(path.dirname(place.objects), 'shallow'), path.join(gitDir, 'shallow'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function checkoutConfig(origin: string): string {
  return [
    '[core]',
    '\trepositoryformatversion = 0',
    '\tfilemode = true',
    '\tbare = false',
    '\tlogallrefupdates = true',
    '[remote "origin"]',
    `\turl = ${origin}`,
    '\tfetch = +refs/heads/*:refs/remotes/origin/*',
    '',
  ].join('\n');
}
