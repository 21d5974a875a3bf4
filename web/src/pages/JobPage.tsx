import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, apiPath } from '../api/client.ts';
import { useLiveEvents } from '../api/live.ts';
import type { RunDetail, Step } from '../api/types.ts';
import { useApi, useNow } from '../api/use-api.ts';
import { can, useSession } from '../auth.tsx';
import { LogView } from '../components/LogView.tsx';
import { ErrorNote, Loading } from '../components/Notice.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { durationOf } from '../format.ts';
import { useJobLog } from '../log/use-job-log.ts';
import { upsertJob, upsertStep } from './run-updates.ts';

function JobLog({ runId, jobId, steps, now }: { runId: number; jobId: number; steps: Step[]; now: number }) {
  const log = useJobLog(runId, jobId);
  return (
    <>
      <ErrorNote error={log.error} />
      <LogView model={log.model} version={log.version} steps={steps} live={!log.ended} now={now} />
    </>
  );
}

export function JobPage() {
  const { id = '', jobId = '' } = useParams();
  const runId = Number(id);
  const jobNumber = Number(jobId);
  const { me } = useSession();
  const [params] = useSearchParams();
  // A job of an earlier attempt is listed with that attempt.
  const attempt = params.get('attempt');
  const detail = useApi<RunDetail>(apiPath(`/api/runs/${runId}`, { attempt }));
  const [actionError, setActionError] = useState<string | null>(null);
  const navigate = useNavigate();

  const job = detail.data?.jobs.find((candidate) => candidate.id === jobNumber);
  const running = !!job && job.status !== 'completed';
  const now = useNow(running);

  useLiveEvents((event) => {
    if (event.type === 'resync') detail.reload();
    else if (event.type === 'job' && event.runId === runId && event.job.id === jobNumber) {
      detail.setData((data) => data && { ...data, jobs: upsertJob(data.jobs, event.job) });
    } else if (event.type === 'step' && event.runId === runId && event.jobId === jobNumber) {
      detail.setData((data) => data && { ...data, jobs: upsertStep(data.jobs, event.jobId, event.step) });
    } else if (event.type === 'run' && event.run.id === runId) {
      detail.setData((data) => data && { ...data, ...event.run });
    }
  });

  if (!detail.data) {
    return (
      <main id="main">
        <ErrorNote error={detail.error} />
        {detail.loading && <Loading what="the job" />}
      </main>
    );
  }
  const run = detail.data;
  if (!job) {
    return (
      <main id="main">
        <ErrorNote error={`Run #${runId} has no job ${jobNumber} in ${attempt ? `attempt ${attempt}` : 'its latest attempt'}.`} />
        <Link to={`/runs/${runId}`}>Back to the run</Link>
      </main>
    );
  }

  const cancel = async () => {
    setActionError(null);
    try {
      await api.post(`/api/runs/${runId}/jobs/${jobNumber}/cancel`);
    } catch (failure) {
      setActionError((failure as Error).message);
    }
  };
  const rerun = async () => {
    setActionError(null);
    try {
      await api.post(`/api/runs/${runId}/jobs/${jobNumber}/rerun`);
      void navigate(`/runs/${runId}`);
    } catch (failure) {
      setActionError((failure as Error).message);
    }
  };
  const latestAttempt = attempt === null || Number(attempt) === Math.max(run.attempt, ...run.attempts.map((entry) => entry.attempt));

  return (
    <main id="main" className="job-page" data-job-id={job.id} data-state={job.conclusion ?? job.status}>
      <p className="crumbs">
        <Link to={apiPath(`/runs/${runId}`, { attempt })}>
          {run.workflowName} #{run.id}
          {attempt ? `, attempt ${attempt}` : ''}
        </Link>{' '}
        /
      </p>
      <div className="title-row">
        <h1>{job.name}</h1>
        <span aria-live="polite">
          <StateBadge status={job.status} conclusion={job.conclusion} />
        </span>
        <span className="muted">{durationOf(job, now)}</span>
        {running && can(me, 'maintainer') && (
          <button type="button" onClick={cancel}>
            Cancel job
          </button>
        )}
        {run.status === 'completed' && latestAttempt && can(me, 'maintainer') && (
          <button type="button" onClick={rerun}>
            Re-run this job
          </button>
        )}
      </div>
      {job.reason && <p className="muted">{job.reason}</p>}
      <ErrorNote error={actionError} />
      {job.carriedFrom ? (
        <p className="muted" data-testid="carried-over">
          Carried over from <Link to={apiPath(`/runs/${runId}`, { attempt: job.carriedFrom })}>attempt {job.carriedFrom}</Link>: this
          re-run kept the job's result and outputs and did not run it again. Its steps and log are that attempt's.
        </p>
      ) : (
        <JobLog key={`${runId}/${jobNumber}`} runId={runId} jobId={jobNumber} steps={job.steps} now={now} />
      )}
    </main>
  );
}
