// The resolver with the action store: what LocalActionResolver resolves (built-ins,
// `./path`, the refusal of `docker://`) it still resolves; an `owner/repo[/path]@ref`
// that is not a built-in is fetched into the store and its action file loaded.

import path from 'node:path';
import { isDirectory, resolveActionFolder } from '../action-folder.ts';
import { LocalActionResolver } from '../local-resolver.ts';
import { ActionResolutionError, type ActionResolver, type BuiltinAction, type ResolvedAction } from '../types.ts';
import type { ActionStore } from './action-store.ts';

/** `owner/repo[/path]@ref` split. `path` is '' for an action at the repository's root. */
export interface RepositoryActionReference {
  owner: string;
  repo: string;
  path: string;
  ref: string;
}

export interface StoreActionResolverOptions {
  builtins: readonly BuiltinAction[];
  store: ActionStore;
}

export class StoreActionResolver implements ActionResolver {
  readonly #local: LocalActionResolver;
  readonly #store: ActionStore;

  constructor(options: StoreActionResolverOptions) {
    this.#local = new LocalActionResolver(options.builtins);
    this.#store = options.store;
  }

  async resolve(uses: string, workspace: string): Promise<ResolvedAction> {
    try {
      return await this.#local.resolve(uses, workspace);
    } catch (error) {
      if (!(error instanceof ActionResolutionError)) throw error;
      // Malformed references, local paths and docker:// keep the local resolver's answer.
      const reference = repositoryReference(uses);
      if (!reference) throw error;
      return this.#resolveFromStore(uses, reference);
    }
  }

  async #resolveFromStore(uses: string, reference: RepositoryActionReference): Promise<ResolvedAction> {
    const { owner, repo, ref } = reference;
    const { directory: root, commit } = await this.#store.fetch(owner, repo, ref);
    const directory = reference.path === '' ? root : path.join(root, ...reference.path.split('/'));
    const at = `${owner}/${repo}@${ref}${commit ? ` (commit ${commit.slice(0, 12)})` : ''}`;
    if (!(await isDirectory(directory))) {
      throw new ActionResolutionError(`${uses}: ${at} has no folder ${reference.path}; check the path after ${owner}/${repo}`);
    }
    return resolveActionFolder(uses, directory, at, false);
  }
}

/**
 * Parses `owner/repo[/path]@ref` (as for `gantry actions add`). Throws ActionResolutionError
 * with one line for anything else.
 */
export function parseActionReference(text: string): RepositoryActionReference {
  const reference = repositoryReference(text);
  if (!reference) {
    throw new ActionResolutionError(`"${text}" is not an action reference of the form owner/repo[/path]@ref (e.g. actions/checkout@v4)`);
  }
  return reference;
}

/** The reference when `uses` has GitHub's repository form, else undefined. */
function repositoryReference(uses: string): RepositoryActionReference | undefined {
  if (uses.startsWith('./') || uses.startsWith('../') || uses.startsWith('/') || uses.startsWith('docker://')) return undefined;
  const parts = uses.split('@');
  if (parts.length !== 2) return undefined;
  const [name = '', ref = ''] = parts;
  const [owner = '', repo = '', ...rest] = name.split('/');
  if (owner === '' || repo === '' || ref === '' || rest.some((segment) => segment === '')) return undefined;
  if (rest.some((segment) => segment === '.' || segment === '..')) {
    throw new ActionResolutionError(`${uses}: the path inside the repository must not contain "." or ".." segments`);
  }
  return { owner, repo, path: rest.join('/'), ref };
}
