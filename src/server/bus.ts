// In-process change notifications: the recorder and the routes publish, `/api/events` streams.

import { EventEmitter } from 'node:events';
import type { ApiJob, ApiRun, ApiStep } from './shapes.ts';

export type Change =
  | { type: 'run'; data: ApiRun }
  | { type: 'job'; data: { runId: number; job: ApiJob } }
  | { type: 'step'; data: { runId: number; jobId: number; step: ApiStep } };

export class ChangeBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(change: Change): void {
    this.emitter.emit('change', change);
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
