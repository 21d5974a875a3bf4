import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, enc } from '../api/client.ts';
import { useLiveEvents } from '../api/live.ts';
import type { Repo } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { can, useSession } from '../auth.tsx';
import { ErrorNote, Loading } from '../components/Notice.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { formatTime } from '../format.ts';

function AddRepo({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [source, setSource] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<{ name: string; webhookSecret: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const isUrl = /^[a-z+]+:\/\//.test(source);
      const result = await api.post<{ webhookSecret?: string }>('/api/repos', isUrl ? { name, url: source } : { name, path: source });
      setAdded(result.webhookSecret ? { name, webhookSecret: result.webhookSecret } : null);
      setName('');
      setSource('');
      onAdded();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-labelledby="add-repo-heading">
      <h2 id="add-repo-heading">Add a repository</h2>
      <label>
        Name <input value={name} onChange={(event) => setName(event.target.value)} required />
      </label>
      <label>
        Path or URL <input value={source} onChange={(event) => setSource(event.target.value)} required />
      </label>
      <button type="submit">Add</button>
      <ErrorNote error={error} />
      {added && (
        <div className="callout" role="status">
          <p>
            {added.name} was added. Its webhook secret is shown only now: use it for <code>{window.location.origin}/hooks/github</code> (or
            gitea, gitlab) and for <code>gantry hooks install</code>.
          </p>
          <code className="token">{added.webhookSecret}</code>{' '}
          <button type="button" onClick={() => setAdded(null)}>
            Done
          </button>
        </div>
      )}
    </form>
  );
}

export function Repos() {
  const { me } = useSession();
  const repos = useApi<{ repos: Repo[] }>('/api/repos');
  useLiveEvents((event) => {
    if (event.type === 'resync') repos.reload();
    if (event.type !== 'run') return;
    repos.setData((previous) =>
      previous && {
        repos: previous.repos.map((repo) =>
          repo.name === event.run.repo && (!repo.latestRun || repo.latestRun.id <= event.run.id) ? { ...repo, latestRun: event.run } : repo,
        ),
      },
    );
  });
  return (
    <main id="main">
      <h1>Repositories</h1>
      <ErrorNote error={repos.error} />
      {!repos.data && repos.loading && <Loading what="repositories" />}
      {repos.data && repos.data.repos.length === 0 && <p className="muted">No repositories yet.</p>}
      {repos.data && repos.data.repos.length > 0 && (
        <ul className="cards">
          {repos.data.repos.map((repo) => (
            <li key={repo.name} className="card" data-repo={repo.name}>
              <h2>
                <Link to={`/repos/${enc(repo.name)}`}>{repo.name}</Link>
              </h2>
              <p className="muted small">
                {repo.source.url ?? repo.source.path} · default branch <code>{repo.defaultBranch}</code>
              </p>
              {repo.latestRun ? (
                <p>
                  Latest run: <StateBadge status={repo.latestRun.status} conclusion={repo.latestRun.conclusion} />{' '}
                  <Link to={`/runs/${repo.latestRun.id}`}>
                    {repo.latestRun.workflowName} #{repo.latestRun.id}
                  </Link>{' '}
                  <span className="muted small">{formatTime(repo.latestRun.createdAt)}</span>
                </p>
              ) : (
                <p className="muted">No runs yet.</p>
              )}
            </li>
          ))}
        </ul>
      )}
      {can(me, 'maintainer') && <AddRepo onAdded={repos.reload} />}
    </main>
  );
}
