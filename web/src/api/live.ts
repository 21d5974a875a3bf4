// One Server-Sent Events connection (/api/events) shared by every page that wants run, job and step changes.
// The browser's EventSource reconnects by itself. Whenever the stream opens, the first time included,
// subscribers hear `resync` so they can fetch what they missed once (no polling): a page's first GET may
// be answered before the stream is open, and a change between the two would otherwise never show.

import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { Job, Run, Step } from './types.ts';

export type FeedEvent =
  | { type: 'run'; run: Run }
  | { type: 'job'; runId: number; job: Job }
  | { type: 'step'; runId: number; jobId: number; step: Step }
  | { type: 'resync' };

type Listener = (event: FeedEvent) => void;
export type FeedState = 'connecting' | 'live' | 'reconnecting';

class LiveFeed {
  private source: EventSource | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<() => void>();
  private state: FeedState = 'connecting';

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.open();
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): void {
    this.source?.close();
    this.source = null;
    this.setState('connecting');
  }

  getState = (): FeedState => this.state;

  onState = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  private setState(state: FeedState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }

  private emit(event: FeedEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private open(): void {
    if (this.source) return;
    const source = new EventSource('/api/events', { withCredentials: true });
    this.source = source;
    source.addEventListener('open', () => {
      this.emit({ type: 'resync' });
      this.setState('live');
    });
    source.addEventListener('error', () => {
      this.setState('reconnecting');
      // The browser gives up for good on a refused stream (e.g. an expired session): find out why.
      if (source.readyState === EventSource.CLOSED) {
        this.source = null;
        void fetch('/api/me', { credentials: 'same-origin' }).then((response) => {
          if (response.status === 401) window.dispatchEvent(new CustomEvent('gantry:unauthorized'));
          else if (this.listeners.size > 0) setTimeout(() => this.open(), 2000);
        });
      }
    });
    source.addEventListener('run', (message) => {
      this.emit({ type: 'run', run: JSON.parse((message as MessageEvent<string>).data) as Run });
    });
    source.addEventListener('job', (message) => {
      const data = JSON.parse((message as MessageEvent<string>).data) as { runId: number; job: Job };
      this.emit({ type: 'job', runId: data.runId, job: data.job });
    });
    source.addEventListener('step', (message) => {
      const data = JSON.parse((message as MessageEvent<string>).data) as { runId: number; jobId: number; step: Step };
      this.emit({ type: 'step', runId: data.runId, jobId: data.jobId, step: data.step });
    });
  }
}

export const liveFeed = new LiveFeed();

/** Calls `handler` for every live event while the component is mounted; the latest handler always runs. */
export function useLiveEvents(handler: Listener): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => liveFeed.subscribe((event) => latest.current(event)), []);
}

export function useFeedState(): FeedState {
  return useSyncExternalStore(liveFeed.onState, liveFeed.getState);
}
