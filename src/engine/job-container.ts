// `jobs.<id>.container` and container steps (`docker://`, Docker actions): evaluated from the
// workflow here, run through the run's JobContainers (executors/job-container.ts).

import path from 'node:path';
import { ExpressionError, evaluateTemplate, type ExpressionContexts } from '../expr/index.ts';
import { JobContainerError, type JobContainerSpec, type RunningJobContainer } from '../executors/job-container.ts';
import type { RunShared } from './run-shared.ts';
import type { TemplateValue } from '../workflow/types.ts';
import { asString, asStringRecord } from './values.ts';

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The job's container as plain values; undefined when there is none or its image evaluates to '' (the job then runs on the host, as on GitHub). */
export function jobContainerSpec(
  written: TemplateValue | undefined,
  contexts: ExpressionContexts,
  place: Pick<JobContainerSpec, 'mounts' | 'network' | 'jobLabel'>,
): JobContainerSpec | undefined {
  if (!written) return undefined;
  const value = evaluateTemplate(written, contexts);
  const given = typeof value === 'string' ? { image: value } : record(value);
  const image = asString(given.image);
  if (image === '') return undefined;
  const credentials = record(given.credentials);
  const list = (field: unknown) => (Array.isArray(field) ? field.map(asString) : []);
  return {
    image,
    env: asStringRecord(given.env),
    ports: list(given.ports),
    volumes: list(given.volumes),
    ...(given.options === undefined ? {} : { options: asString(given.options) }),
    ...(credentials.username === undefined ? {} : { credentials: { username: asString(credentials.username), password: asString(credentials.password) } }),
    ...place,
  };
}

/** What a container of the job (its own, or a step's) mounts: the job's folders and the event file, at their own paths. */
export function jobMounts(writable: readonly string[], eventPath: string): { path: string; readOnly: boolean }[] {
  const mounts = writable.map((folder) => ({ path: folder, readOnly: false }));
  const eventFolder = path.dirname(eventPath);
  if (!writable.some((folder) => eventFolder === folder || eventFolder.startsWith(`${folder}${path.sep}`))) mounts.push({ path: eventFolder, readOnly: true });
  return mounts;
}

export interface JobContainerStart {
  label: string;
  mounts: JobContainerSpec['mounts'];
  network: string | undefined;
  shared: RunShared;
  log(line: string): void;
  signal: AbortSignal;
}

/** Starts the job's `container:`; 'failed' (with the reason logged) when it cannot start. */
export async function startJobContainer(
  written: TemplateValue | undefined,
  contexts: ExpressionContexts,
  start: JobContainerStart,
): Promise<RunningJobContainer | undefined | 'failed' | 'cancelled'> {
  let spec: JobContainerSpec | undefined;
  try {
    // JavaScript actions run inside with this machine's Node.js, as the runner mounts its own (/__e/node20).
    const mounts = [...start.mounts, { path: process.execPath, readOnly: true }];
    spec = jobContainerSpec(written, contexts, { mounts, jobLabel: start.label, ...(start.network === undefined ? {} : { network: start.network }) });
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    start.log(`Error: container: ${error.message}`);
    return 'failed';
  }
  if (spec === undefined) return undefined;
  const containers = start.shared.options.containers;
  if (containers === undefined) {
    start.log(`Error: this job runs in a container (${spec.image}), and this run has no container engine to start it with`);
    return 'failed';
  }
  try {
    return await containers.start(spec, start.log, start.signal);
  } catch (error) {
    if (start.signal.aborted) {
      start.log('The job was cancelled while its container was starting.');
      return 'cancelled';
    }
    if (!(error instanceof JobContainerError)) throw error;
    start.log(`Error: ${error.message}`);
    return 'failed';
  }
}
