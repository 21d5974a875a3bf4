// `jobs.<id>.services`: evaluated from the workflow, started through the run's
// ServiceProvider before the first step, stopped when the job ends.

import { evaluateTemplate, type ExpressionContexts } from '../expr/index.ts';
import type { ServiceSpec } from '../services/types.ts';
import type { TemplateValue } from '../workflow/types.ts';
import { asString, asStringRecord } from './values.ts';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The job's services as plain values; a service whose image evaluates to '' is left out, as GitHub does. */
export function serviceSpecs(services: TemplateValue | undefined, contexts: ExpressionContexts): ServiceSpec[] {
  if (!services) return [];
  return Object.entries(record(evaluateTemplate(services, contexts))).flatMap(([id, value]) => {
    const written = typeof value === 'string' ? { image: value } : record(value);
    const image = asString(written.image);
    if (image === '') return [];
    const credentials = record(written.credentials);
    return [
      {
        id,
        image,
        env: asStringRecord(written.env),
        ports: Array.isArray(written.ports) ? written.ports.map(asString) : [],
        options: written.options === undefined ? undefined : asString(written.options),
        credentials:
          credentials.username !== undefined
            ? { username: asString(credentials.username), password: asString(credentials.password) }
            : undefined,
      },
    ];
  });
}
