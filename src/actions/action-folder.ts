// An action's folder, found locally or in the store: its action file loaded and
// checked, or one line that says why it is not an action.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ActionFileNotFoundError, loadActionFile } from '../workflow/action-file.ts';
import type { Diagnostic } from '../workflow/types.ts';
import { ActionResolutionError, type ResolvedAction } from './types.ts';

export async function isDirectory(target: string): Promise<boolean> {
  return (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(target: string): Promise<boolean> {
  return (await stat(target).catch(() => undefined))?.isFile() ?? false;
}

function summarise(errors: Diagnostic[]): string {
  const [first, ...others] = errors;
  if (!first) return 'it does not describe an action';
  const more = others.length > 0 ? ` (and ${others.length} more error${others.length === 1 ? '' : 's'})` : '';
  return `${first.file}:${first.line}:${first.column}: ${first.message}${more}`;
}

/**
 * The action in `directory`. `shown` names the folder in messages; `displayFiles` says whether the
 * action file is named by `shown` too (local folders) or by its real path (the store's cache).
 */
export async function resolveActionFolder(uses: string, directory: string, shown: string, displayFiles: boolean): Promise<ResolvedAction> {
  let loaded;
  try {
    loaded = await loadActionFile(directory, displayFiles ? shown : directory);
  } catch (error) {
    if (!(error instanceof ActionFileNotFoundError)) throw error;
    if (await isFile(path.join(directory, 'Dockerfile'))) {
      throw new ActionResolutionError(
        `${uses}: ${shown} has a Dockerfile but no action.yml or action.yaml; a Dockerfile action needs a container engine ` +
          '(Docker or Podman), which this version of Gantry does not have yet',
      );
    }
    throw new ActionResolutionError(`${uses}: ${displayFiles ? error.message : `${shown} is not an action: ${error.message}`}`);
  }
  const errors = loaded.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0 || !loaded.definition) {
    throw new ActionResolutionError(`${uses}: the action file is invalid: ${summarise(errors)}`);
  }
  return { kind: 'definition', uses, directory, definition: loaded.definition };
}
