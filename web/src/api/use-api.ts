import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './client.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
  setData: (update: (previous: T | null) => T | null) => void;
}

interface Result<T> {
  key: string;
  data: T | null;
  error: string | null;
}

/**
 * GETs `path` (null: nothing yet) and again whenever it changes or `reload` is called. A live
 * update (`setData`) that comes while a GET is on its way may be older or newer than its answer:
 * it is not applied to a stale value, and the GET is made once more after the answer.
 */
export function useApi<T>(path: string | null): Loaded<T> {
  const [generation, setGeneration] = useState(0);
  const [result, setResult] = useState<Result<T>>({ key: '', data: null, error: null });
  const key = `${generation}|${path ?? ''}`;
  const loading = path !== null && result.key !== key;
  const loadingNow = useRef(loading);
  const missedUpdate = useRef(false);
  useEffect(() => {
    loadingNow.current = loading;
  }, [loading]);

  useEffect(() => {
    if (path === null) return;
    let current = true;
    api
      .get<T>(path)
      .then((value) => {
        if (!current) return;
        setResult({ key, data: value, error: null });
        if (missedUpdate.current) {
          missedUpdate.current = false;
          setGeneration((value) => value + 1);
        }
      })
      .catch((failure: unknown) => {
        if (current) setResult((previous) => ({ key, data: previous.data, error: failure instanceof Error ? failure.message : String(failure) }));
      });
    return () => {
      current = false;
    };
  }, [path, key]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const setData = useCallback((update: (previous: T | null) => T | null) => {
    if (loadingNow.current) missedUpdate.current = true;
    setResult((previous) => ({ ...previous, data: update(previous.data) }));
  }, []);
  return { data: result.data, error: result.error, loading, reload, setData };
}

/** The current time, ticking every second while `active` (for the durations of running things). */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
