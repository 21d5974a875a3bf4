// `gantry actions add|list`: the action store, for machines that cannot fetch actions.

import path from 'node:path';
import { ActionStore } from '../actions/store/action-store.ts';
import { parseActionReference } from '../actions/store/store-resolver.ts';
import type { CommandIO } from './io.ts';
import { UsageError } from './io.ts';

export interface ActionsStoreOptions {
  actionsUrl?: string;
}

export async function addAction(reference: string, from: string, options: ActionsStoreOptions, io: CommandIO): Promise<number> {
  const parsed = parseActionReference(reference);
  if (parsed.path) throw new UsageError(`add the whole repository (${parsed.owner}/${parsed.repo}@${parsed.ref}); actions under a path are found in it`);
  const store = new ActionStore({ serverUrl: options.actionsUrl });
  const entry = await store.add(parsed.owner, parsed.repo, parsed.ref, path.resolve(from));
  io.out(`${entry.name} (${entry.commit ?? 'unknown commit'}) stored in ${entry.directory}\n`);
  return 0;
}

export async function listActions(options: ActionsStoreOptions, io: CommandIO): Promise<number> {
  const store = new ActionStore({ serverUrl: options.actionsUrl });
  const entries = await store.list();
  if (entries.length === 0) io.out(`no actions in ${store.cacheDir}\n`);
  for (const entry of entries) io.out(`${entry.name}\t${entry.commit ?? '-'}\t${entry.server}\t${entry.directory}\n`);
  return 0;
}
