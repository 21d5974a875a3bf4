// A commit's workflow files, loaded as `gantry run` loads them: from a checkout's folder, or
// straight from the repository's objects (no files written) when only the workflows are needed.

import path from 'node:path';
import { discoverWorkflowFiles, DEFAULT_WORKFLOWS_DIR, loadWorkflowFile, parseWorkflowText } from '../workflow/load.ts';
import { listFolder, readBlobs } from '../plan/git.ts';
import type { PlanInput } from '../plan/planner.ts';

export async function loadWorkflows(checkoutDir: string, only?: string): Promise<PlanInput[]> {
  const folder = path.join(checkoutDir, DEFAULT_WORKFLOWS_DIR);
  let files: string[];
  try {
    files = await discoverWorkflowFiles(folder);
  } catch {
    return [];
  }
  const inputs = await Promise.all(files.map((file) => loadWorkflowFile(file, path.relative(checkoutDir, file))));
  return selected(inputs, only);
}

/** The workflow files of `commit` in the repository at `gitDir`: the same files `loadWorkflows` reads from its checkout. */
export async function loadWorkflowsAt(gitDir: string, commit: string, only?: string): Promise<PlanInput[]> {
  const folder = DEFAULT_WORKFLOWS_DIR.split(path.sep).join('/');
  const entries = (await listFolder(gitDir, commit, folder))
    // A link is followed in a checkout; here it is a file whose content is the link's target, not a workflow.
    .filter((entry) => entry.type === 'blob' && entry.mode !== '120000' && /\.ya?ml$/.test(entry.path))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const blobs = await readBlobs(
    gitDir,
    entries.map((entry) => entry.id),
  );
  const inputs = await Promise.all(entries.map((entry) => parseWorkflowText(entry.path.split('/').join(path.sep), blobs.get(entry.id)!.toString('utf8'))));
  return selected(inputs, only);
}

/** Whether any of these workflows runs on `workflow_run`: only then is a run's progress worth telling. */
export function listensToWorkflowRun(inputs: readonly PlanInput[]): boolean {
  return inputs.some((input) => input.workflow?.triggers.some((trigger) => trigger.event === 'workflow_run'));
}

function selected(inputs: PlanInput[], only: string | undefined): PlanInput[] {
  return only === undefined ? inputs : inputs.filter((input) => input.file === only || path.basename(input.file) === only);
}
