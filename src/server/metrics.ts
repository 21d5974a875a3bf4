// Prometheus metrics (`/metrics`): runs and jobs by conclusion, job duration and queue wait,
// queue depth, running jobs, webhook deliveries by result.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../storage/db/store.ts';

const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly runs = new Counter({ name: 'gantry_runs_total', help: 'Finished workflow runs by conclusion', labelNames: ['conclusion'], registers: [this.registry] });
  readonly jobs = new Counter({ name: 'gantry_jobs_total', help: 'Finished jobs by conclusion', labelNames: ['conclusion'], registers: [this.registry] });
  readonly jobDuration = new Histogram({ name: 'gantry_job_duration_seconds', help: 'How long jobs ran', buckets: DURATION_BUCKETS, registers: [this.registry] });
  readonly queueWait = new Histogram({
    name: 'gantry_job_queue_wait_seconds',
    help: 'How long jobs waited between being queued and starting',
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly deliveries = new Counter({ name: 'gantry_webhook_deliveries_total', help: 'Webhook deliveries by provider and result', labelNames: ['provider', 'result'], registers: [this.registry] });

  constructor(store: Store) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gantry_process_' });
    const counts = { at: 0, value: Promise.resolve({ queued: 0, running: 0, runningJobs: 0 }) };
    // One query feeds the gauges of a scrape.
    const current = () => {
      if (Date.now() - counts.at > 200) {
        counts.at = Date.now();
        counts.value = store.runs.counts().catch(() => ({ queued: 0, running: 0, runningJobs: 0 }));
      }
      return counts.value;
    };
    new Gauge({
      name: 'gantry_queue_depth',
      help: 'Runs waiting to start',
      registers: [this.registry],
      async collect() {
        this.set((await current()).queued);
      },
    });
    new Gauge({
      name: 'gantry_running_runs',
      help: 'Runs in progress',
      registers: [this.registry],
      async collect() {
        this.set((await current()).running);
      },
    });
    new Gauge({
      name: 'gantry_running_jobs',
      help: 'Jobs in progress',
      registers: [this.registry],
      async collect() {
        this.set((await current()).runningJobs);
      },
    });
  }
}
