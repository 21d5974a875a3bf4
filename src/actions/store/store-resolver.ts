// The resolver with the action store: what LocalActionResolver resolves (built-ins,
// `./path`, the refusal of `docker://`) it still resolves; an `owner/repo[/path]@ref`
// that is not a built-in is fetched into the store and its action file loaded.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ActionFileNotFoundError, loadActionFile, type LoadedAction } from '../../workflow/action-file.ts';
import type { Diagnostic } from '../../workflow/types.ts';
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
    const loaded = await loadOrExplain(uses, directory, at);
    const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0 || !loaded.definition) {
      throw new ActionResolutionError(`${uses}: the action file is invalid: ${summarise(errors)}`);
    }
    return { kind: 'definition', uses, directory, definition: loaded.definition };
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

async function loadOrExplain(uses: string, directory: string, at: string): Promise<LoadedAction> {
  try {
    return await loadActionFile(directory);
  } catch (error) {
    if (!(error instanceof ActionFileNotFoundError)) throw error;
    if (await isFile(path.join(directory, 'Dockerfile'))) {
      throw new ActionResolutionError(
        `${uses}: ${directory} has a Dockerfile but no action.yml or action.yaml; a Dockerfile action needs a container engine ` +
          '(Docker or Podman), which this version of Gantry does not have yet',
      );
    }
    throw new ActionResolutionError(`${uses}: ${at} is not an action: ${error.message}`);
  }
}

function summarise(errors: Diagnostic[]): string {
  const [first, ...others] = errors;
  if (!first) return 'it does not describe an action';
  const more = others.length > 0 ? ` (and ${others.length} more error${others.length === 1 ? '' : 's'})` : '';
  return `${first.file}:${first.line}:${first.column}: ${first.message}${more}`;
}

async function isDirectory(target: string): Promise<boolean> {
  return (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(target: string): Promise<boolean> {
  return (await stat(target).catch(() => undefined))?.isFile() ?? false;
}
