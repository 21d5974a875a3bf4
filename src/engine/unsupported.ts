// What this version cannot run yet, said in one line with what would make it run.

import type { Job } from '../workflow/types.ts';

/** `container:` needs the container executor, which this version does not have. */
export function unsupportedJobFeature(job: Job): string | undefined {
  if (job.container) {
    return 'this job runs in a container (container:), which needs a container engine such as Docker or Podman; Gantry has no container executor yet';
  }
  return undefined;
}
