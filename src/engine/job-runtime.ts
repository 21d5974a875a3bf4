// A job's ACTIONS_* variables from the run's runtime services (cache, artifacts):
// which refs its caches are saved to and restored from, as GitHub scopes them.
// As on GitHub's runner, only JavaScript actions (and Gantry's built-ins) get
// them, not `run:` steps; they are asked for the first time a job needs them.

import type { JobKey } from './events.ts';
import type { RunShared } from './run-shared.ts';

/** `{ runtime }` for RunnerFacts, or nothing when the run has no runtime services. */
export function jobRuntime(
  shared: RunShared,
  job: JobKey,
  github: Record<string, unknown>,
  log: (line: string) => void,
): { runtime?: () => Promise<Record<string, string>> } {
  const services = shared.options.runtime;
  if (!services) return {};
  const ref = typeof github.ref === 'string' ? github.ref : '';
  const event = github.event as { repository?: { default_branch?: unknown } } | undefined;
  const defaultBranch = typeof event?.repository?.default_branch === 'string' ? event.repository.default_branch : '';
  const baseRef = typeof github.base_ref === 'string' ? github.base_ref : '';
  const readableRefs = [baseRef && `refs/heads/${baseRef}`, defaultBranch && `refs/heads/${defaultBranch}`].filter(
    (candidate, index, all): candidate is string => Boolean(candidate) && candidate !== ref && all.indexOf(candidate) === index,
  );
  let variables: Promise<Record<string, string>> | undefined;
  return {
    runtime: () =>
      (variables ??= services.jobEnvironment({ jobKey: job, ref, readableRefs }).then(
        (runtime) => {
          if (runtime.ACTIONS_RUNTIME_TOKEN) shared.masker.add(runtime.ACTIONS_RUNTIME_TOKEN);
          return runtime;
        },
        (error: unknown) => {
          // The actions then say which variable they miss; the job goes on as far as it can.
          log(`Error: the cache and artifact services could not start: ${error instanceof Error ? error.message : String(error)}`);
          return {};
        },
      )),
  };
}
