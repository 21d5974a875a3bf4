// Everything the engine tells the outside world, as typed events. The terminal
// renderers, the file logs, the JSON report (and later the database and the live
// UI) all subscribe to the same stream.

export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

/** Identifies one job leg in a run: `<workflow file>#<job id>#<leg index>`. */
export type JobKey = string;

export type EngineEvent =
  | { type: 'run-started'; runId: string; at: number }
  | { type: 'workflow-started'; workflowFile: string; workflowName: string; at: number }
  | { type: 'job-queued'; job: JobKey; workflowFile: string; workflowName: string; jobId: string; name: string; needs: JobKey[]; at: number }
  | { type: 'job-started'; job: JobKey; at: number }
  | { type: 'step-started'; job: JobKey; step: number; name: string; at: number }
  | { type: 'log'; job: JobKey; step: number | null; stream: 'stdout' | 'stderr' | 'system'; line: string; at: number }
  | { type: 'group'; job: JobKey; step: number; action: 'start' | 'end'; title?: string; at: number }
  | { type: 'annotation'; job: JobKey; step: number; annotation: Annotation; at: number }
  | { type: 'step-summary'; job: JobKey; step: number; markdown: string; at: number }
  | { type: 'step-finished'; job: JobKey; step: number; name: string; outcome: Conclusion; conclusion: Conclusion; durationMs: number; at: number }
  /** `outputs`: the job's outputs, already masked (an output holding a secret is dropped). */
  | { type: 'job-finished'; job: JobKey; conclusion: Conclusion; durationMs: number; outputs?: Record<string, string>; at: number }
  | { type: 'workflow-finished'; workflowFile: string; conclusion: Conclusion; at: number }
  | { type: 'run-finished'; runId: string; conclusion: Conclusion; durationMs: number; logDir: string; at: number };

export type EngineListener = (event: EngineEvent) => void;
