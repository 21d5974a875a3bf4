// A checkout's workflow files, loaded as `gantry run` loads them.

import path from 'node:path';
import { discoverWorkflowFiles, DEFAULT_WORKFLOWS_DIR, loadWorkflowFile } from '../workflow/load.ts';
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
  return only === undefined ? inputs : inputs.filter((input) => input.file === only || path.basename(input.file) === only);
}
