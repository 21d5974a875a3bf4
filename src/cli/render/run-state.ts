// The run as the renderers see it, folded from the engine's events: workflows,
// job legs with their steps, annotations and step summaries.

import type { Annotation, Conclusion, EngineEvent, JobKey } from '../../engine/events.ts';

export type StepStatus = 'running' | Conclusion;
export type JobStatus = 'queued' | 'running' | Conclusion;

export interface StepView {
  index: number;
  name: string;
  status: StepStatus;
  /** Before continue-on-error: a failed step that was allowed to fail has outcome failure, status success. */
  outcome?: Conclusion;
  startedAt: number;
  durationMs?: number;
}

export interface JobView {
  key: JobKey;
  workflowFile: string;
  workflowName: string;
  jobId: string;
  /** Display name with matrix values: `backend-test (3.10)`. */
  name: string;
  needs: JobKey[];
  status: JobStatus;
  startedAt?: number;
  durationMs?: number;
  steps: Map<number, StepView>;
  /** Position in the order jobs became known; picks the job's colour. */
  ordinal: number;
}

export interface AnnotationRecord {
  job: JobKey;
  step: number;
  annotation: Annotation;
}

export interface StepSummaryRecord {
  job: JobKey;
  step: number;
  markdown: string;
}

export interface RunEnd {
  conclusion: Conclusion;
  durationMs: number;
  logDir: string;
}

export class RunState {
  runId: string | undefined;
  startedAt: number | undefined;
  end: RunEnd | undefined;
  readonly workflowNames = new Map<string, string>();
  readonly jobs = new Map<JobKey, JobView>();
  readonly annotations: AnnotationRecord[] = [];
  readonly stepSummaries: StepSummaryRecord[] = [];

  apply(event: EngineEvent): void {
    // Every job gets its view (and its colour) at its first event, so rendering never adds jobs.
    if ('job' in event) this.job(event.job);
    switch (event.type) {
      case 'run-started':
        this.runId = event.runId;
        this.startedAt = event.at;
        return;
      case 'workflow-started':
        this.workflowNames.set(event.workflowFile, event.workflowName);
        return;
      case 'job-queued': {
        this.workflowNames.set(event.workflowFile, event.workflowName);
        const job = this.job(event.job);
        job.workflowFile = event.workflowFile;
        job.workflowName = event.workflowName;
        job.jobId = event.jobId;
        job.name = event.name;
        job.needs = event.needs;
        return;
      }
      case 'job-started':
        this.markRunning(this.job(event.job), event.at);
        return;
      case 'step-started': {
        const job = this.job(event.job);
        if (job.status === 'queued') this.markRunning(job, event.at);
        job.steps.set(event.step, { index: event.step, name: event.name, status: 'running', startedAt: event.at });
        return;
      }
      case 'step-finished': {
        const step = this.step(event.job, event.step, event.at - event.durationMs, event.name);
        step.status = event.conclusion;
        step.outcome = event.outcome;
        step.durationMs = event.durationMs;
        return;
      }
      case 'job-finished': {
        const job = this.job(event.job);
        job.status = event.conclusion;
        job.durationMs = event.durationMs;
        return;
      }
      case 'annotation':
        this.annotations.push({ job: event.job, step: event.step, annotation: event.annotation });
        return;
      case 'step-summary':
        this.stepSummaries.push({ job: event.job, step: event.step, markdown: event.markdown });
        return;
      case 'run-finished':
        this.runId = event.runId;
        this.end = { conclusion: event.conclusion, durationMs: event.durationMs, logDir: event.logDir };
        return;
      case 'log':
      case 'group':
      case 'workflow-finished':
        return;
    }
  }

  /** The job's view; one is made up from its key if the engine never queued it. */
  job(key: JobKey): JobView {
    const known = this.jobs.get(key);
    if (known) return known;
    const [workflowFile = key, jobId = key] = key.split('#');
    const job: JobView = {
      key,
      workflowFile,
      workflowName: this.workflowNames.get(workflowFile) ?? workflowFile,
      jobId,
      name: jobId,
      needs: [],
      status: 'queued',
      steps: new Map(),
      ordinal: this.jobs.size,
    };
    this.jobs.set(key, job);
    return job;
  }

  stepName(key: JobKey, step: number): string {
    return this.jobs.get(key)?.steps.get(step)?.name ?? `step ${step}`;
  }

  /** The job's name, preceded by its workflow's when the run spans several workflows. */
  jobLabel(job: JobView): string {
    return this.workflowNames.size > 1 ? `${job.workflowName}/${job.name}` : job.name;
  }

  /** Jobs in the order they were queued, except that a job always follows the jobs it needs. */
  dependencyOrder(): JobView[] {
    const ordered: JobView[] = [];
    const placed = new Set<JobKey>();
    const place = (job: JobView) => {
      if (placed.has(job.key)) return;
      placed.add(job.key);
      for (const need of job.needs) {
        const needed = this.jobs.get(need);
        if (needed) place(needed);
      }
      ordered.push(job);
    };
    for (const job of this.jobs.values()) place(job);
    return ordered;
  }

  private markRunning(job: JobView, at: number): void {
    job.status = 'running';
    job.startedAt = at;
  }

  private step(key: JobKey, index: number, startedAt: number, name = `step ${index}`): StepView {
    const job = this.job(key);
    const known = job.steps.get(index);
    if (known) return known;
    const step: StepView = { index, name, status: 'running', startedAt };
    job.steps.set(index, step);
    return step;
  }
}
