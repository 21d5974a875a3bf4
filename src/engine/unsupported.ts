// What this version cannot run yet, said in one line with what would make it run.

import type { Job } from '../workflow/types.ts';

/** What a job needs that this version cannot run: reusable-workflow calls. */
export function unsupportedJobFeature(job: Job): string | undefined {
  if (job.call) {
    return `this job calls the reusable workflow "${job.call.uses}": gantry plan and lint read reusable workflows, but running them is not in this version yet`;
  }
  return undefined;
}
