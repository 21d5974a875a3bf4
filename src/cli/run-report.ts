// `gantry run --json FILE`: the run's results for machines, masked like the logs.

import type { RunResult } from '../engine/types.ts';

export function runReport(result: RunResult, mask: (text: string) => string) {
  const report = {
    runId: result.runId,
    conclusion: result.conclusion,
    durationMs: result.durationMs,
    logDir: result.logDir,
    workflows: result.workflows.map((workflow) => ({
      file: workflow.file,
      name: workflow.name,
      conclusion: workflow.conclusion,
      jobs: workflow.jobs.map((job) => ({
        id: job.id,
        name: job.name,
        matrix: job.matrix,
        conclusion: job.conclusion,
        continuedOnError: job.continuedOnError,
        durationMs: job.durationMs,
        outputs: job.outputs,
        annotations: job.annotations,
        summaries: job.summaries,
        steps: job.steps.map((step) => ({
          id: step.id,
          name: step.name,
          outcome: step.outcome,
          conclusion: step.conclusion,
          outputs: step.outputs,
          durationMs: step.durationMs,
        })),
      })),
    })),
  };
  return maskStrings(report, mask);
}

/** Masks every string in a JSON-like value, keys included, without touching its structure. */
function maskStrings<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((item) => maskStrings(item, mask)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), maskStrings(v, mask)])) as T;
  }
  return value;
}
