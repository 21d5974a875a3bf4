import type { RepoEvent } from '../plan/types.ts';
import type { SecretMasker } from './masking.ts';
import type { PortLocks } from './port-locks.ts';
import type { RunOptions } from './types.ts';
import type { Workspaces } from './workspace.ts';

/** What every job of a run shares. */
export interface RunShared {
  options: RunOptions;
  event: RepoEvent;
  eventPath: string;
  sha: string;
  masker: SecretMasker;
  hostEnv: Record<string, string>;
  which: (name: string, pathValue?: string) => string | null;
  portLocks: PortLocks;
  workspaces: Workspaces;
}
