import { Link, useParams } from 'react-router';
import { apiPath, enc } from '../api/client.ts';
import { useLiveEvents } from '../api/live.ts';
import type { Run, Workflow } from '../api/types.ts';
import { useApi, useNow } from '../api/use-api.ts';
import { can, useSession } from '../auth.tsx';
import { ErrorNote, Loading } from '../components/Notice.tsx';
import { RunsTable } from '../components/RunsTable.tsx';
import { upsertRun } from './run-updates.ts';

export function RepoPage() {
  const { repo = '' } = useParams();
  const { me } = useSession();
  const workflows = useApi<{ workflows: Workflow[] }>(`/api/repos/${enc(repo)}/workflows`);
  const runs = useApi<{ runs: Run[]; nextCursor: string | null }>(apiPath('/api/runs', { repo, limit: 10 }));
  const running = runs.data?.runs.some((run) => run.status !== 'completed') ?? false;
  const now = useNow(running);

  useLiveEvents((event) => {
    if (event.type === 'resync') runs.reload();
    if (event.type !== 'run' || event.run.repo !== repo) return;
    runs.setData((previous) => previous && { ...previous, runs: upsertRun(previous.runs, event.run, true).slice(0, 10) });
  });

  return (
    <main id="main">
      <p className="crumbs">
        <Link to="/">Repositories</Link> /
      </p>
      <h1>{repo}</h1>
      <section aria-labelledby="workflows-heading">
        <h2 id="workflows-heading">Workflows</h2>
        <ErrorNote error={workflows.error} />
        {!workflows.data && workflows.loading && <Loading what="workflows" />}
        {workflows.data && (
          <ul className="workflow-list">
            {workflows.data.workflows.map((workflow) => (
              <li key={workflow.file} data-workflow={workflow.file}>
                <Link to={apiPath('/runs', { repo, workflow: workflow.file })}>{workflow.name}</Link>{' '}
                <span className="muted small">
                  {workflow.file} · on {workflow.events.join(', ')}
                </span>{' '}
                {workflow.dispatchInputs && can(me, 'maintainer') && (
                  <Link className="button" to={apiPath(`/repos/${enc(repo)}/dispatch`, { workflow: workflow.file })}>
                    Run workflow<span className="visually-hidden"> {workflow.name}</span>
                  </Link>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="latest-runs-heading">
        <h2 id="latest-runs-heading">Latest runs</h2>
        <ErrorNote error={runs.error} />
        {runs.data && <RunsTable runs={runs.data.runs} now={now} caption={`Latest runs of ${repo}`} />}
        <p>
          <Link to={apiPath('/runs', { repo })}>All runs of {repo}</Link> · <Link to={apiPath('/settings', { repo })}>Secrets and variables</Link>
        </p>
      </section>
    </main>
  );
}
