import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { apiPath } from '../api/client.ts';
import { useLiveEvents } from '../api/live.ts';
import type { Repo, Run } from '../api/types.ts';
import { useApi, useNow } from '../api/use-api.ts';
import { ErrorNote, Loading } from '../components/Notice.tsx';
import { RunsTable } from '../components/RunsTable.tsx';
import { matchesFilters, upsertRun, type RunFilters } from './run-updates.ts';

const FILTERS = ['repo', 'workflow', 'branch', 'event', 'status', 'actor'] as const;
const DEFAULT_PAGE_SIZE = 25;
const STATES = ['queued', 'running', 'completed', 'success', 'failure', 'cancelled', 'skipped'];
const EVENTS = ['push', 'pull_request', 'workflow_dispatch', 'schedule', 'workflow_call', 'repository_dispatch'];

export function Runs() {
  const [params, setParams] = useSearchParams();
  const filters: RunFilters = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? ''])) as RunFilters;
  const cursor = params.get('cursor') ?? '';
  const pageSize = Math.min(200, Math.max(1, Number(params.get('limit')) || DEFAULT_PAGE_SIZE));
  // Cursors of the pages before this one, so "Newer" can go back.
  const [history, setHistory] = useState<string[]>([]);
  const repos = useApi<{ repos: Repo[] }>('/api/repos');
  const runs = useApi<{ runs: Run[]; nextCursor: string | null }>(apiPath('/api/runs', { ...filters, limit: pageSize, cursor }));
  const running = runs.data?.runs.some((run) => run.status !== 'completed') ?? false;
  const now = useNow(running);

  useLiveEvents((event) => {
    if (event.type === 'resync') runs.reload();
    if (event.type !== 'run') return;
    const belongs = matchesFilters(event.run, filters);
    runs.setData((previous) => {
      if (!previous) return previous;
      const listed = previous.runs.some((run) => run.id === event.run.id);
      if (listed && !belongs) return { ...previous, runs: previous.runs.filter((run) => run.id !== event.run.id) };
      // New runs appear live on the first page only; later pages keep their place.
      return { ...previous, runs: upsertRun(previous.runs, event.run, belongs && !cursor).slice(0, cursor ? undefined : pageSize) };
    });
  });

  const setFilter = (form: HTMLFormElement) => {
    const data = new FormData(form);
    const next = new URLSearchParams();
    if (params.get('limit')) next.set('limit', String(pageSize));
    for (const key of FILTERS) {
      const value = String(data.get(key) ?? '').trim();
      if (value) next.set(key, value);
    }
    setHistory([]);
    setParams(next);
  };

  const goTo = (nextCursor: string | null, back: boolean) => {
    const next = new URLSearchParams(params);
    if (nextCursor) next.set('cursor', nextCursor);
    else next.delete('cursor');
    setHistory((list) => (back ? list.slice(0, -1) : [...list, cursor]));
    setParams(next);
  };

  return (
    <main id="main">
      <h1>Runs</h1>
      <form
        className="filters"
        aria-label="Filter runs"
        key={params.toString()}
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(event.currentTarget);
        }}
      >
        <label>
          Repository
          <select name="repo" defaultValue={filters.repo}>
            <option value="">All</option>
            {repos.data?.repos.map((repo) => (
              <option key={repo.name} value={repo.name}>
                {repo.name}
              </option>
            ))}
            {filters.repo && !repos.data?.repos.some((repo) => repo.name === filters.repo) && <option value={filters.repo}>{filters.repo}</option>}
          </select>
        </label>
        <label>
          Workflow <input name="workflow" defaultValue={filters.workflow} placeholder="file or name" />
        </label>
        <label>
          Branch <input name="branch" defaultValue={filters.branch} />
        </label>
        <label>
          Event
          <select name="event" defaultValue={filters.event}>
            <option value="">All</option>
            {EVENTS.map((event) => (
              <option key={event}>{event}</option>
            ))}
          </select>
        </label>
        <label>
          State
          <select name="status" defaultValue={filters.status}>
            <option value="">All</option>
            {STATES.map((state) => (
              <option key={state}>{state}</option>
            ))}
          </select>
        </label>
        <label>
          Actor <input name="actor" defaultValue={filters.actor} />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      <ErrorNote error={runs.error} />
      {!runs.data && runs.loading && <Loading what="runs" />}
      {runs.data && <RunsTable runs={runs.data.runs} now={now} caption="Runs" />}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={!cursor} onClick={() => goTo(history.at(-1) ?? null, true)}>
          Newer
        </button>
        <button type="button" disabled={!runs.data?.nextCursor} onClick={() => goTo(runs.data?.nextCursor ?? null, false)}>
          Older
        </button>
      </nav>
    </main>
  );
}
