// Resolves what a step's `uses:` names without fetching anything: built-in
// actions, and actions in the workspace (`uses: ./path`). Other references are
// refused with one line that says why and what would work.

import path from 'node:path';
import { isDirectory, resolveActionFolder } from './action-folder.ts';
import { ActionResolutionError, type ActionResolver, type BuiltinAction, type ResolvedAction } from './types.ts';

/** A `uses:` value split the way GitHub reads it. */
type ActionReference =
  | { kind: 'local'; path: string }
  | { kind: 'docker'; image: string }
  | { kind: 'repository'; name: string; ref: string };

export class LocalActionResolver implements ActionResolver {
  readonly #builtins: Map<string, BuiltinAction>;

  constructor(builtins: readonly BuiltinAction[]) {
    this.#builtins = new Map(builtins.map((action) => [action.name.toLowerCase(), action]));
  }

  async resolve(uses: string, workspace: string): Promise<ResolvedAction> {
    const reference = parseUses(uses);
    switch (reference.kind) {
      case 'local':
        return resolveLocal(uses, reference.path, workspace);
      case 'docker':
        throw new ActionResolutionError(
          `${uses}: a docker:// step names an image, not an action folder: the engine runs it as a container (with a container engine, Docker or Podman)`,
        );
      case 'repository': {
        const action = this.#builtins.get(reference.name.toLowerCase());
        if (action) return { kind: 'builtin', uses, action };
        throw new ActionResolutionError(
          `cannot run "${uses}" here: actions from repositories need Gantry's action store (fetching them with git), ` +
            `which this version does not have yet; built-in actions: ${this.#builtinNames()}. ` +
            `Copy the action into the repository and use \`uses: ./path/to/it\`, or run this step on GitHub`,
        );
      }
    }
  }

  #builtinNames(): string {
    const names = [...this.#builtins.values()].map((action) => action.name).sort();
    return names.length > 0 ? names.join(', ') : 'none';
  }
}

/**
 * GitHub's forms: `./path` (a folder in the workspace), `docker://image`, and
 * `{owner}/{repo}[/path]@ref`, where the ref is required.
 */
function parseUses(uses: string): ActionReference {
  if (uses.startsWith('./')) return { kind: 'local', path: uses.slice(2) };
  if (uses.startsWith('../') || uses.startsWith('/')) {
    throw new ActionResolutionError(`${uses}: a local action is written \`./path\`, relative to the repository root`);
  }
  if (uses.startsWith('docker://')) return { kind: 'docker', image: uses.slice('docker://'.length) };
  const [name = '', ref, ...rest] = uses.split('@');
  const segments = name.split('/');
  if (segments.length < 2 || segments.some((segment) => segment === '') || rest.length > 0) {
    throw new ActionResolutionError(
      `${uses}: not an action reference; GitHub expects \`./path\`, \`docker://image\` or \`{owner}/{repo}[/path]@ref\``,
    );
  }
  if (!ref) {
    throw new ActionResolutionError(
      `${uses}: a ref is required, as GitHub requires one: \`${name}@<tag, branch or commit SHA>\` (e.g. \`${name}@v4\`)`,
    );
  }
  return { kind: 'repository', name, ref };
}

/** `./path` is relative to the workspace (the repository root), not to the workflow file, as on GitHub. */
async function resolveLocal(uses: string, relative: string, workspace: string): Promise<ResolvedAction> {
  const directory = path.resolve(workspace, relative);
  const shown = path.normalize(relative || '.');
  if (!(await isDirectory(directory))) {
    throw new ActionResolutionError(
      `${uses}: no folder ${shown} in the workspace ${workspace} (\`uses: ./path\` is relative to the repository root, not to the workflow file)`,
    );
  }
  return resolveActionFolder(uses, directory, shown, true);
}
