// What this version cannot run yet, said in one line with what would make it run.

import type { Job, TemplateValue } from '../workflow/types.ts';

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
