// Streams a job's log from the server (Server-Sent Events on .../logs?follow=1): every line so far, then new
// lines as they are printed, then `end`. Lines are appended to a LogModel once per animation frame, so a
// 100,000-line log costs a few renders, not 100,000.

import { useEffect, useRef, useState } from 'react';
import type { LogEvent } from '../api/types.ts';
import { LogModel } from './log-model.ts';

export interface JobLog {
  model: LogModel;
  /** Bumped whenever lines were added. */
  version: number;
  ended: boolean;
  error: string | null;
}

/** Mount once per job (give the component a `key`): the stream starts with the component. */
export function useJobLog(runId: number, jobId: number): JobLog {
  const [state, setState] = useState<JobLog>(() => ({ model: new LogModel(), version: 0, ended: false, error: null }));
  const pending = useRef<LogEvent[]>([]);

  useEffect(() => {
    let model = new LogModel();
    let frame = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let source: EventSource | null = null;
    let closed = false;
    let ended = false;

    const flush = () => {
      frame = 0;
      const batch = pending.current;
      if (batch.length === 0) return;
      pending.current = [];
      model.append(batch);
      setState((previous) => ({ model, version: previous.version + 1, ended: false, error: null }));
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(flush);
    };

    const connect = () => {
      source = new EventSource(`/api/runs/${runId}/jobs/${jobId}/logs?follow=1`, { withCredentials: true });
      source.addEventListener('log', (message) => {
        pending.current.push(JSON.parse((message as MessageEvent<string>).data) as LogEvent);
        schedule();
      });
      source.addEventListener('end', () => {
        ended = true;
        source?.close();
        if (frame) cancelAnimationFrame(frame);
        flush();
        setState((previous) => ({ ...previous, model, ended: true }));
      });
      source.addEventListener('error', () => {
        // The stream broke before `end`: start over in a moment, from line 1 (the server replays the log).
        source?.close();
        if (closed || ended) return;
        setState((previous) => (previous.ended ? previous : { ...previous, error: 'Log stream interrupted; reconnecting…' }));
        retry = setTimeout(() => {
          pending.current = [];
          model = new LogModel();
          setState({ model, version: 0, ended: false, error: null });
          connect();
        }, 2000);
      });
    };
    connect();

    return () => {
      closed = true;
      source?.close();
      if (frame) cancelAnimationFrame(frame);
      if (retry) clearTimeout(retry);
      pending.current = [];
    };
  }, [runId, jobId]);

  return state;
}
