// The ActionResolver seam: what a `uses:` step names, found and described.

import type { ActionDefinition } from '../workflow/types.ts';

/** What a built-in action may do to the job, as the toolkit's core functions would. */
export interface BuiltinActionContext {
  inputs: Record<string, string>;
  /** The step's environment (PATH included). */
  env: Record<string, string>;
  workspace: string;
  sha: string;
  /** The event's repository: the local folder it comes from, GITHUB_REF and GITHUB_REPOSITORY. */
  repository: { dir: string; ref: string; name: string };
  log(line: string): void;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  addPath(folder: string): void;
  /** GITHUB_STATE: kept for this action's post step, which reads it from `state`. */
  saveState(name: string, value: string): void;
  /** What the main step saved (empty in the main step itself). */
  state: Record<string, string>;
  signal: AbortSignal;
}

export interface BuiltinAction {
  /** `owner/repo`, matched case-insensitively against `uses:` without the `@ref`. */
  name: string;
  /** Returns normally on success; throws an Error whose message is the one line shown on failure. */
  run(context: BuiltinActionContext): Promise<void>;
  /** Runs at the end of the job, after later steps, as a JavaScript action's `post:` does. */
  post?: (context: BuiltinActionContext) => Promise<void>;
  /** The post step's condition (`runs.post-if`); default `always()`. */
  postIf?: string;
}

export type ResolvedAction =
  | { kind: 'builtin'; uses: string; action: BuiltinAction }
  | { kind: 'definition'; uses: string; directory: string; definition: ActionDefinition };

export interface ActionResolver {
  /** Throws ActionResolutionError with one line that says why and what would make it resolve. */
  resolve(uses: string, workspace: string): Promise<ResolvedAction>;
}

export class ActionResolutionError extends Error {}
