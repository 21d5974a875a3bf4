// What this version cannot run yet, said in one line with what would make it run.
// `uses:` steps until the action store exists: `actions/checkout` is built in
// (every job's workspace already holds the event's commit); any other action
// fails with one line that says why and what would make it run.

import type { Job, TemplateValue } from '../workflow/types.ts';

export interface BuiltinAction {
  run(context: { workspace: string; sha: string }): string;
}

const checkout: BuiltinAction = {
  run: ({ workspace, sha }) => `actions/checkout (built in): ${workspace} already holds commit ${sha.slice(0, 12)}`,
};

export function builtinAction(uses: string): BuiltinAction | undefined {
  return /^actions\/checkout@/i.test(uses) ? checkout : undefined;
}

export function unsupportedActionReason(uses: string): string {
  if (uses.startsWith('docker://')) {
    return `cannot run "${uses}" here: it needs a container engine (Docker or Podman), and this version of Gantry has no container executor yet`;
  }
  if (uses.startsWith('./')) {
    return `cannot run the local action "${uses}" yet: running actions arrives with Gantry's action support; until then, use run: steps`;
  }
  return (
    `cannot run "${uses}" here: actions from repositories need Gantry's action store, which this version does not have ` +
    '(and this machine cannot fetch from the network); only actions/checkout is built in. ' +
    'Run this step on GitHub, or replace it with run: steps'
  );
}

function imagesOf(value: TemplateValue | undefined): string[] {
  if (value?.kind !== 'mapping') return [];
  return value.entries.map((entry) => {
    const image = entry.value.kind === 'mapping' ? entry.value.entries.find((e) => e.key === 'image')?.value : entry.value;
    return image?.kind === 'literal' ? `${entry.key} (${String(image.value)})` : entry.key;
  });
}

/** `services:` and `container:` need the container executor, which this version does not have. */
export function unsupportedJobFeature(job: Job): string | undefined {
  const services = imagesOf(job.services);
  if (services.length > 0) {
    return (
      `this job needs service containers: ${services.join(', ')}. Gantry does not run services yet ` +
      '(they need a container engine such as Docker or Podman, or native services from the host); ' +
      'run the job on GitHub, or remove services: to run its steps against services you start yourself'
    );
  }
  if (job.container) {
    return 'this job runs in a container (container:), which needs a container engine such as Docker or Podman; Gantry has no container executor yet';
  }
  return undefined;
}
