// Streams a job's log from the server (Server-Sent Events on .../logs?follow=1): every line so far, then new
// lines as they are printed, then `end`. The stream is read with fetch and eventsource-parser rather than
// EventSource, whose per-event dispatch alone takes seconds on 100,000 lines; lines are appended to the
// LogModel once per animation frame, so a long log costs a few renders, not one per line.

import { EventSourceParserStream } from 'eventsource-parser/stream';
import { useEffect, useState } from 'react';
import type { LogEvent } from '../api/types.ts';
import { LogModel } from './log-model.ts';

export interface JobLog {
  model: LogModel;
  /** Bumped whenever lines were added. */
  version: number;
  ended: boolean;
  error: string | null;
}

const RETRY_MS = 2000;

/** Mount once per job (give the component a `key`): the stream starts with the component. */
export function useJobLog(runId: number, jobId: number): JobLog {
  const [state, setState] = useState<JobLog>(() => ({ model: new LogModel(), version: 0, ended: false, error: null }));

  useEffect(() => {
    const abort = new AbortController();
    let frame = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let pending: LogEvent[] = [];
    let model = new LogModel();

    const flush = () => {
      frame = 0;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      model.append(batch);
      setState((previous) => ({ model, version: previous.version + 1, ended: false, error: null }));
    };

    const follow = async () => {
      const response = await fetch(`/api/runs/${runId}/jobs/${jobId}/logs?follow=1`, {
        headers: { Accept: 'text/event-stream' },
        credentials: 'same-origin',
        signal: abort.signal,
      });
      if (!response.ok || !response.body) {
        if (response.status === 401) window.dispatchEvent(new CustomEvent('gantry:unauthorized'));
        throw new Error(`The log is not available (HTTP ${response.status}).`);
      }
      const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
      for (;;) {
        const { done, value } = await events.read();
        if (done) throw new Error('The log stream ended early; reconnecting…');
        if (value.event === 'log') {
          pending.push(JSON.parse(value.data) as LogEvent);
          if (frame === 0) frame = requestAnimationFrame(flush);
        } else if (value.event === 'end') {
          if (frame) cancelAnimationFrame(frame);
          flush();
          setState((previous) => ({ ...previous, model, ended: true }));
          abort.abort();
          return;
        }
      }
    };

    const start = () => {
      follow().catch((failure: unknown) => {
        if (abort.signal.aborted) return;
        // Start over in a moment, from line 1: the server replays the whole log.
        setState((previous) => ({ ...previous, error: failure instanceof Error ? failure.message : String(failure) }));
        retry = setTimeout(() => {
          pending = [];
          model = new LogModel();
          start();
        }, RETRY_MS);
      });
    };
    start();

    return () => {
      abort.abort();
      if (frame) cancelAnimationFrame(frame);
      if (retry) clearTimeout(retry);
    };
  }, [runId, jobId]);

  return state;
}
