// `actions/checkout`, built in: the event's commit (or `ref`) from the local
// repository, into the workspace or `path`, with `fetch-depth`, `clean`,
// `submodules`, `sparse-checkout` and `fetch-tags` as the action defines them.
// Every job's workspace already holds the event's commit; this makes it the
// checkout the action would leave: the branch checked out, history cut to
// `fetch-depth`, untracked files removed.

import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkoutCommit, copySourceShallow, packedRefs, repositoryPlace, type RepositoryPlace } from '../plan/git-checkout.ts';
import { runGit } from '../plan/git.ts';
import type { BuiltinAction, BuiltinActionContext } from './types.ts';

const NAME = 'actions/checkout (built in)';

export const checkout: BuiltinAction = {
  name: 'actions/checkout',
  run: async (context) => {
    const { inputs, workspace, log } = context;
    const place = await repositoryPlace(context.repository.dir);
    refuseOtherRepository(inputs.repository, context.repository.name);
    const target = targetFolder(workspace, inputs.path);
    const wanted = await resolveWanted(place, inputs.ref?.trim() || '', context);
    const depth = fetchDepth(inputs['fetch-depth']);
    const refs = depth === 0 || inputs['fetch-tags'] === 'true' ? undefined : [wanted.ref || wanted.sha];

    if (existsSync(path.join(target, '.git'))) {
      if (inputs.clean !== 'false') await runGit(target, ['clean', '-ffdx', '--quiet']);
      const to = wanted.branch ? ['-B', wanted.branch, wanted.sha] : ['--detach', wanted.sha];
      await runGit(target, ['checkout', '--quiet', '--force', ...to]);
      if (refs) await keepOnlyRefs(place, target, refs);
    } else {
      await emptyFolder(target);
      await checkoutCommit(place, wanted.sha, target, { ...(wanted.branch ? { branch: wanted.branch } : {}), ...(refs ? { only: refs } : {}) });
    }
    await cutHistory(place, target, wanted.sha, depth);
    const sparse = lines(inputs['sparse-checkout']);
    if (sparse.length > 0) await runGit(target, ['sparse-checkout', 'set', ...(inputs['sparse-checkout-cone-mode'] === 'false' ? ['--no-cone'] : []), ...sparse]);
    const submodules = inputs.submodules?.trim().toLowerCase() ?? 'false';
    if (submodules === 'true' || submodules === 'recursive') await checkoutSubmodules(place.top, target, submodules === 'recursive', log);
    if (inputs.lfs === 'true') log(`${NAME}: lfs: true is not supported; LFS files stay pointers`);

    context.setOutput('ref', wanted.ref);
    context.setOutput('commit', wanted.sha);
    log(`${NAME}: ${path.relative(workspace, target) || '.'} at ${wanted.ref || 'commit'} ${wanted.sha.slice(0, 12)} from ${place.top}${depth === 0 ? '' : `, fetch-depth ${depth}`}`);
  },
};

function refuseOtherRepository(repository: string | undefined, own: string): void {
  const named = repository?.trim() ?? '';
  if (named === '' || named.toLowerCase() === own.toLowerCase()) return;
  throw new Error(
    `${NAME} checks out the event's repository (${own || 'the local repository'}) only; '${named}' is not available here. ` +
      `Check it out with a run: step (git clone from a path or server you can reach), or turn the built-in off with --no-builtin actions/checkout to run the real action (it needs network access to the server).`,
  );
}

/** `path` inside the workspace, as the action requires. */
function targetFolder(workspace: string, given: string | undefined): string {
  const target = path.resolve(workspace, given?.trim() || '.');
  const relative = path.relative(workspace, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`${NAME}: repository path '${given}' is not under '${workspace}'`);
  }
  return target;
}

interface Wanted {
  sha: string;
  /** The full ref checked out, '' for a bare commit. */
  ref: string;
  /** A local branch to check out, for branch refs. */
  branch?: string;
}

/** What `ref` names in the local repository, as the action reads it; the event's ref and commit when empty. */
async function resolveWanted(place: RepositoryPlace, ref: string, context: BuiltinActionContext): Promise<Wanted> {
  const eventRef = context.repository.ref;
  if (ref === '' || ref === context.sha || ref === eventRef) return withBranch({ sha: context.sha, ref: ref === context.sha ? '' : eventRef });
  if (/^[0-9a-f]{40}$/i.test(ref)) {
    const sha = await commitOf(place, ref);
    if (sha) return { sha, ref: '' };
  }
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/remotes/origin/${ref}`];
  for (const candidate of candidates) {
    const sha = await commitOf(place, candidate);
    if (sha) return withBranch({ sha, ref: candidate.replace(/^refs\/remotes\/origin\//, 'refs/heads/') });
  }
  throw new Error(`${NAME}: ref '${ref}' is neither a branch, a tag nor a commit of the local repository ${place.top}`);
}

function withBranch(wanted: Wanted): Wanted {
  const branch = /^refs\/heads\/(.+)$/.exec(wanted.ref)?.[1];
  return branch ? { ...wanted, branch } : wanted;
}

async function commitOf(place: RepositoryPlace, revision: string): Promise<string | null> {
  const out = await runGit(place.top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], { absentExitCodes: [1, 128] });
  return out === null ? null : out.trim();
}

/** `fetch-depth`: 0 is all history; default 1. */
function fetchDepth(given: string | undefined): number {
  const text = given?.trim() || '1';
  const depth = Number(text);
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`${NAME}: fetch-depth '${text}' is not a whole number (0 for all history)`);
  return depth;
}

/** Keeps only the refs a shallow fetch of `wanted` would bring (`origin/<branch>`, or the tag). */
async function keepOnlyRefs(place: RepositoryPlace, target: string, only: readonly string[]): Promise<void> {
  const gitDir = path.join(target, '.git');
  await Promise.all([rm(path.join(gitDir, 'refs', 'remotes'), { recursive: true, force: true }), rm(path.join(gitDir, 'refs', 'tags'), { recursive: true, force: true })]);
  await mkdir(path.join(gitDir, 'refs', 'tags'), { recursive: true });
  await writeFile(path.join(gitDir, 'packed-refs'), await packedRefs(place, only));
}

/**
 * History as `git fetch --depth=N` leaves it: depth 1 cuts at the commit itself;
 * a larger depth is fetched from the local repository so git computes the cut.
 */
async function cutHistory(place: RepositoryPlace, target: string, sha: string, depth: number): Promise<void> {
  const shallowFile = path.join(target, '.git', 'shallow');
  if (depth === 0) {
    await rm(shallowFile, { force: true });
    await copySourceShallow(place, path.join(target, '.git'));
    return;
  }
  if (depth === 1) {
    await writeFile(shallowFile, `${sha}\n`);
    return;
  }
  await rm(shallowFile, { force: true });
  await runGit(target, [
    'fetch',
    '--quiet',
    '--no-tags',
    `--depth=${depth}`,
    '--upload-pack=git -c uploadpack.allowAnySHA1InWant=true upload-pack',
    place.top,
    sha,
  ]);
}

async function emptyFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const entries = await readdir(folder);
  await Promise.all(entries.map((entry) => rm(path.join(folder, entry), { recursive: true, force: true })));
}

function lines(text: string | undefined): string[] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * Each submodule at the commit the superproject records, from the local
 * repository's own checkout of it (no network): its objects are borrowed as
 * the superproject's are.
 */
async function checkoutSubmodules(sourceTop: string, target: string, recursive: boolean, log: (line: string) => void): Promise<void> {
  if (!existsSync(path.join(target, '.gitmodules'))) return;
  const listed = await runGit(target, ['config', '--file', '.gitmodules', '--get-regexp', '^submodule\\..*\\.path$'], { absentExitCodes: [1] });
  for (const line of (listed ?? '').split('\n').filter(Boolean)) {
    const match = /^submodule\.(.+)\.path (.+)$/.exec(line);
    if (!match) continue;
    const [, name = '', subPath = ''] = match;
    const recorded = (await runGit(target, ['ls-tree', 'HEAD', '--', subPath])).split(/\s+/);
    const sha = recorded[1] === 'commit' ? recorded[2] : undefined;
    if (!sha) continue;
    const source = path.join(sourceTop, subPath);
    if (!existsSync(path.join(source, '.git'))) {
      throw new Error(`${NAME}: submodule '${name}' (${subPath}) is not checked out in the local repository ${sourceTop}; run 'git submodule update --init' there first`);
    }
    const place = await repositoryPlace(source);
    const folder = path.join(target, subPath);
    await emptyFolder(folder);
    try {
      await checkoutCommit(place, sha, folder);
    } catch {
      throw new Error(`${NAME}: submodule '${name}' needs commit ${sha.slice(0, 12)}, which ${source} does not have; fetch it there first`);
    }
    await runGit(target, ['config', `submodule.${name}.url`, place.top]);
    await runGit(target, ['config', `submodule.${name}.active`, 'true']);
    log(`${NAME}: submodule ${subPath} at ${sha.slice(0, 12)}`);
    if (recursive) await checkoutSubmodules(place.top, folder, true, log);
  }
}
