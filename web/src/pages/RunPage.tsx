import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, apiPath, enc } from '../api/client.ts';
import { useLiveEvents } from '../api/live.ts';
import type { Run, RunDetail } from '../api/types.ts';
import { useApi, useNow } from '../api/use-api.ts';
import { can, useSession } from '../auth.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { ErrorNote, Loading } from '../components/Notice.tsx';
import { PipelineGraph } from '../components/PipelineGraph.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { elapsed, formatBytes, formatDuration, formatTime, shortSha } from '../format.ts';
import { upsertJob, upsertStep } from './run-updates.ts';

export function RunPage() {
  const { id = '' } = useParams();
  const runId = Number(id);
  const [params] = useSearchParams();
  const attempt = params.get('attempt');
  const navigate = useNavigate();
  const { me } = useSession();
  const detail = useApi<RunDetail>(apiPath(`/api/runs/${runId}`, { attempt }));
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = detail.data;
  const now = useNow(run?.status !== 'completed');
  const viewingLatest = !attempt || Number(attempt) === Math.max(...(detail.data?.attempts.map((entry) => entry.attempt) ?? [0]), run?.attempt ?? 0);

  // Annotations, summaries and artifacts are not pushed: fetch them again when a job or the run finishes.
  const refetchSoon = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(refetchSoon.current), []);
  const refetch = () => {
    clearTimeout(refetchSoon.current);
    refetchSoon.current = setTimeout(detail.reload, 150);
  };

  useLiveEvents((event) => {
    if (event.type === 'resync') return refetch();
    if (!viewingLatest) return;
    if (event.type === 'run' && event.run.id === runId) {
      const previous = detail.data;
      if (previous && (event.run.attempt !== previous.attempt || (event.run.status === 'completed' && previous.status !== 'completed'))) refetch();
      detail.setData((data) => data && { ...data, ...event.run });
    } else if (event.type === 'job' && event.runId === runId) {
      const known = detail.data?.jobs.find((job) => job.id === event.job.id);
      if (event.job.status === 'completed' && known?.status !== 'completed') refetch();
      detail.setData((data) => data && { ...data, jobs: upsertJob(data.jobs, event.job) });
    } else if (event.type === 'step' && event.runId === runId) {
      detail.setData((data) => data && { ...data, jobs: upsertStep(data.jobs, event.jobId, event.step) });
    }
  });

  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    setActionError(null);
    try {
      const result = await api.post<{ run?: Run }>(path, body);
      if (result?.run) {
        navigate(`/runs/${result.run.id}`);
        detail.reload();
      }
    } catch (failure) {
      setActionError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!detail.data) {
    return (
      <main id="main">
        <ErrorNote error={detail.error} />
        {detail.loading && <Loading what="the run" />}
      </main>
    );
  }
  const { jobs, attempts, annotations, summaries, artifacts } = detail.data;
  const current = detail.data;
  const anyFailed = jobs.some((job) => job.conclusion === 'failure' || job.conclusion === 'cancelled');
  const finished = current.status === 'completed';
  const jobName = (key: string) => jobs.find((job) => job.key === key || job.jobId === key || String(job.id) === key)?.name ?? key;

  return (
    <main id="main" data-run-id={current.id} data-state={current.conclusion ?? current.status}>
      <p className="crumbs">
        <Link to={`/repos/${enc(current.repo)}`}>{current.repo}</Link> / <Link to={apiPath('/runs', { repo: current.repo, workflow: current.workflow })}>{current.workflowName}</Link> /
      </p>
      <div className="title-row">
        <h1>
          {current.workflowName} #{current.id}
          {current.attempt > 1 ? <span className="muted"> attempt {current.attempt}</span> : null}
        </h1>
        <span aria-live="polite">
          <StateBadge status={current.status} conclusion={current.conclusion} />
        </span>
      </div>
      <dl className="trigger" aria-label="Trigger">
        <div>
          <dt>Event</dt>
          <dd>{current.event}</dd>
        </div>
        <div>
          <dt>Ref</dt>
          <dd>
            <code>{current.ref}</code>
          </dd>
        </div>
        <div>
          <dt>Commit</dt>
          <dd>
            <code title={current.sha}>{shortSha(current.sha)}</code>
          </dd>
        </div>
        <div>
          <dt>Actor</dt>
          <dd>{current.actor}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(current.createdAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(elapsed(current.startedAt, current.finishedAt, null, now))}</dd>
        </div>
      </dl>
      {can(me, 'maintainer') && viewingLatest && (
        <div className="actions" role="group" aria-label="Run actions">
          {!finished && (
            <button type="button" disabled={busy} onClick={() => act(`/api/runs/${runId}/cancel`)}>
              Cancel run
            </button>
          )}
          {finished && (
            <button type="button" disabled={busy} onClick={() => act(`/api/runs/${runId}/rerun`, { failedOnly: false })}>
              Re-run all jobs
            </button>
          )}
          {finished && anyFailed && (
            <button type="button" disabled={busy} onClick={() => act(`/api/runs/${runId}/rerun`, { failedOnly: true })}>
              Re-run failed jobs
            </button>
          )}
        </div>
      )}
      <ErrorNote error={actionError} />
      {attempts.length > 1 && (
        <nav className="attempts" aria-label="Attempts">
          <h2 className="inline-heading">Attempts</h2>
          <ul>
            {attempts.map((entry) => (
              <li key={entry.attempt}>
                <Link
                  to={apiPath(`/runs/${runId}`, { attempt: entry.attempt })}
                  aria-current={entry.attempt === current.attempt ? 'page' : undefined}
                >
                  #{entry.attempt} <StateBadge status={entry.status ?? (entry.conclusion ? 'completed' : 'running')} conclusion={entry.conclusion} />
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <section aria-labelledby="graph-heading">
        <h2 id="graph-heading">Jobs</h2>
        <PipelineGraph jobs={jobs} now={now} jobHref={(job) => apiPath(`/runs/${runId}/jobs/${job.id}`, { attempt: viewingLatest ? null : current.attempt })} />
      </section>
      {annotations.length > 0 && (
        <section aria-labelledby="annotations-heading">
          <h2 id="annotations-heading">Annotations</h2>
          <ul className="annotations">
            {annotations.map((annotation, index) => (
              <li key={index} className={`annotation level-${annotation.level}`}>
                <strong>{annotation.level}</strong>{' '}
                {annotation.jobId ? <Link to={apiPath(`/runs/${runId}/jobs/${annotation.jobId}`, { attempt: viewingLatest ? null : current.attempt })}>{jobName(annotation.job)}</Link> : <span className="muted">{jobName(annotation.job)}</span>}
                {annotation.title ? <strong> {annotation.title}: </strong> : ' '}
                {annotation.message}
                {annotation.file && (
                  <span className="muted small">
                    {' '}
                    {annotation.file}
                    {annotation.line ? `:${annotation.line}` : ''}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {summaries.length > 0 && (
        <section aria-labelledby="summaries-heading">
          <h2 id="summaries-heading">Summaries</h2>
          {summaries.map((summary) => (
            <article key={`${summary.jobId ?? summary.job}-${summary.step}`} className="summary" aria-label={`Summary of ${jobName(summary.job)}`}>
              <h3>{jobName(summary.job)}</h3>
              <Markdown source={summary.markdown} />
            </article>
          ))}
        </section>
      )}
      {artifacts.length > 0 && (
        <section aria-labelledby="artifacts-heading">
          <h2 id="artifacts-heading">Artifacts</h2>
          <ul className="artifacts">
            {artifacts.map((artifact) => (
              <li key={artifact.name}>
                <a href={artifact.url} download>
                  {artifact.name}
                </a>{' '}
                <span className="muted small">{formatBytes(artifact.size)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
