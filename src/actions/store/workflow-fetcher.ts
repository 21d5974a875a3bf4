// Reusable workflows of other repositories (`owner/repo/.github/workflows/x.yml@ref`)
// come through the same store as actions.

import path from 'node:path';
import type { RemoteWorkflowFetcher } from '../../workflow/calls.ts';
import { ActionResolutionError } from '../types.ts';
import type { ActionStore } from './action-store.ts';
import { parseActionReference } from './store-resolver.ts';

export function remoteWorkflowFetcher(store: ActionStore): RemoteWorkflowFetcher {
  return async (uses) => {
    try {
      const reference = parseActionReference(uses);
      if (!/^\.github\/workflows\/[^/]+\.ya?ml$/.test(reference.path)) {
        return { reason: `${uses}: a reusable workflow must be a file in .github/workflows of its repository` };
      }
      const { directory } = await store.fetch(reference.owner, reference.repo, reference.ref);
      return { file: path.join(directory, reference.path) };
    } catch (error) {
      if (error instanceof ActionResolutionError) return { reason: error.message };
      throw error;
    }
  };
}
