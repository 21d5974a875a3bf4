// Checkouts that borrow a local repository's objects, as `git clone --shared`
// makes them, written directly: `git clone` of a local path starts an
// upload-pack server and costs several times more. Used for each job's
// workspace and by the built-in actions/checkout.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from './git.ts';

/** Where a repository's files and objects are. */
export interface RepositoryPlace {
  top: string;
  objects: string;
}

const places = new Map<string, Promise<RepositoryPlace>>();

/** The top level and object store of the repository holding `dir`, asked of git once per folder. */
export function repositoryPlace(dir: string): Promise<RepositoryPlace> {
  const key = path.resolve(dir);
  let place = places.get(key);
  if (!place) {
    place = runGit(key, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir']).then((out) => {
      const [top = '', commonDir = ''] = out.trim().split('\n');
      return { top, objects: path.join(commonDir, 'objects') };
    });
    places.set(key, place);
    place.catch(() => places.delete(key));
  }
  return place;
}

export interface CheckoutRefs {
  /** Check out this local branch (`-B`) at the commit instead of a detached HEAD. */
  branch?: string;
  /** Only these refs of the source become refs of the checkout (`origin/*` for branches); all when absent. */
  only?: readonly string[];
}

/**
 * A repository at `folder` with `sha` checked out that borrows the source's
 * objects, with the source as `origin`, its branches as `origin/*` and its tags.
 */
export async function checkoutCommit(place: RepositoryPlace, sha: string, folder: string, refs: CheckoutRefs = {}): Promise<void> {
  const gitDir = path.join(folder, '.git');
  const listed = await runGit(place.top, ['for-each-ref', '--format=%(objectname) %(refname)', ...(refs.only ?? ['refs/heads', 'refs/tags'])]);
  const packed = listed
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(' refs/heads/', ' refs/remotes/origin/'));
  // git makes refs/heads and refs/tags when it first needs them: two folders fewer to copy into every job.
  await Promise.all(['objects/info', 'refs'].map((dir) => mkdir(path.join(gitDir, dir), { recursive: true })));
  await Promise.all([
    writeFile(path.join(gitDir, 'HEAD'), `${sha}\n`),
    writeFile(path.join(gitDir, 'objects/info/alternates'), `${place.objects}\n`),
    writeFile(path.join(gitDir, 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${packed.map((l) => `${l}\n`).join('')}`),
    writeFile(path.join(gitDir, 'config'), checkoutConfig(place.top)),
  ]);
  const target = refs.branch ? ['-B', refs.branch, sha] : ['--detach', sha];
  await runGit(folder, ['checkout', '--quiet', '--force', ...target]);
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
