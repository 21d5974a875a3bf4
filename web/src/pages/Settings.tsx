import { useState, type FormEvent } from 'react';
import { NavLink, useSearchParams } from 'react-router';
import { api, apiPath, enc } from '../api/client.ts';
import type { ApiToken, AuditEntry, NamedEntry, Repo, Role } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { can, useSession } from '../auth.tsx';
import { ErrorNote, Loading } from '../components/Notice.tsx';
import { formatTime } from '../format.ts';

function SettingsNav() {
  const { me } = useSession();
  return (
    <nav className="tabs" aria-label="Settings">
      <NavLink to="/settings" end>
        Secrets and variables
      </NavLink>
      {can(me, 'admin') && <NavLink to="/settings/tokens">Tokens</NavLink>}
      {can(me, 'admin') && <NavLink to="/settings/audit">Audit log</NavLink>}
    </nav>
  );
}

function scopeBase(repo: string, environment: string): string {
  if (!repo) return '/api';
  if (environment) return `/api/repos/${enc(repo)}/environments/${enc(environment)}`;
  return `/api/repos/${enc(repo)}`;
}

/** Secrets (names and dates only; a value goes in and never comes back) or variables. */
function NamedValues({ kind, base, canEdit }: { kind: 'secrets' | 'variables'; base: string; canEdit: boolean }) {
  const list = useApi<Record<string, NamedEntry[]>>(`${base}/${kind}`);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const singular = kind === 'secrets' ? 'secret' : 'variable';
  const entries = list.data?.[kind] ?? [];

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api.put(`${base}/${kind}/${enc(name)}`, { value });
      setName('');
      setValue('');
      list.reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const remove = async (entry: string) => {
    setError(null);
    try {
      await api.delete(`${base}/${kind}/${enc(entry)}`);
      list.reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section aria-labelledby={`${kind}-heading`}>
      <h2 id={`${kind}-heading`}>{kind === 'secrets' ? 'Secrets' : 'Variables'}</h2>
      <ErrorNote error={list.error} />
      {!list.data && list.loading && <Loading what={kind} />}
      {list.data && entries.length === 0 && <p className="muted">No {kind}.</p>}
      {entries.length > 0 && (
        <table className={kind}>
          <caption className="visually-hidden">{kind}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {kind === 'variables' && <th scope="col">Value</th>}
              <th scope="col">Updated</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.name} data-name={entry.name}>
                <td>
                  <code>{entry.name}</code>
                </td>
                {kind === 'variables' && (
                  <td>
                    <code>{entry.value}</code>
                  </td>
                )}
                <td>{formatTime(entry.updatedAt ?? entry.createdAt)}</td>
                {canEdit && (
                  <td>
                    <button type="button" onClick={() => remove(entry.name)}>
                      Delete<span className="visually-hidden"> {singular} {entry.name}</span>
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && (
        <form className="inline-form" onSubmit={save} aria-label={`Set a ${singular}`}>
          <label>
            Name <input name="name" value={name} onChange={(event) => setName(event.target.value)} required pattern="[A-Za-z_][A-Za-z0-9_]*" />
          </label>
          <label>
            Value{' '}
            {kind === 'secrets' ? (
              <input name="value" type="password" autoComplete="new-password" value={value} onChange={(event) => setValue(event.target.value)} required />
            ) : (
              <input name="value" value={value} onChange={(event) => setValue(event.target.value)} required />
            )}
          </label>
          <button type="submit">Set {singular}</button>
        </form>
      )}
      <ErrorNote error={error} />
    </section>
  );
}

export function Settings() {
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const repo = params.get('repo') ?? '';
  const environment = params.get('environment') ?? '';
  const repos = useApi<{ repos: Repo[] }>('/api/repos');
  const base = scopeBase(repo, environment);
  const canEdit = can(me, 'maintainer');

  return (
    <main id="main">
      <h1>Settings</h1>
      <SettingsNav />
      <form
        className="filters"
        aria-label="Scope"
        key={params.toString()}
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const next = new URLSearchParams();
          const chosenRepo = String(data.get('repo') ?? '');
          const chosenEnvironment = String(data.get('environment') ?? '').trim();
          if (chosenRepo) next.set('repo', chosenRepo);
          if (chosenRepo && chosenEnvironment) next.set('environment', chosenEnvironment);
          setParams(next);
        }}
      >
        <label>
          Scope
          <select name="repo" defaultValue={repo}>
            <option value="">Server (all repositories)</option>
            {repos.data?.repos.map((entry) => (
              <option key={entry.name} value={entry.name}>
                {entry.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Environment <input name="environment" defaultValue={environment} placeholder="(none)" />
        </label>
        <button type="submit">Show</button>
      </form>
      <p className="muted">
        Showing {repo ? (environment ? `environment ${environment} of ${repo}` : repo) : 'server-wide'} secrets and variables. Secret values are write-only.
      </p>
      <NamedValues key={`s${base}`} kind="secrets" base={base} canEdit={canEdit} />
      <NamedValues key={`v${base}`} kind="variables" base={base} canEdit={canEdit} />
    </main>
  );
}

export function Tokens() {
  const tokens = useApi<{ tokens: ApiToken[] }>('/api/tokens');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const result = await api.post<{ token: string }>('/api/tokens', { name, role });
      setCreated(result.token);
      setName('');
      tokens.reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const revoke = async (id: string | number) => {
    setError(null);
    try {
      await api.delete(`/api/tokens/${enc(String(id))}`);
      tokens.reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <main id="main">
      <h1>Settings</h1>
      <SettingsNav />
      <h2>Tokens</h2>
      <ErrorNote error={tokens.error ?? error} />
      {created && (
        <div className="callout" role="status">
          <p>Copy the new token now; it will not be shown again.</p>
          <code className="token">{created}</code>{' '}
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {tokens.data && (
        <table>
          <caption className="visually-hidden">Tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.tokens.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>{token.role}</td>
                <td>{formatTime(token.createdAt)}</td>
                <td>{token.lastUsedAt ? formatTime(token.lastUsedAt) : 'never'}</td>
                <td>
                  <button type="button" onClick={() => revoke(token.id)}>
                    Revoke<span className="visually-hidden"> token {token.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="inline-form" onSubmit={create} aria-label="Create a token">
        <label>
          Name <input value={name} onChange={(event) => setName(event.target.value)} required />
        </label>
        <label>
          Role
          <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
            <option value="viewer">viewer</option>
            <option value="maintainer">maintainer</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit">Create token</button>
      </form>
    </main>
  );
}

export function Audit() {
  const [cursor, setCursor] = useState<string | null>(null);
  const [earlier, setEarlier] = useState<(string | null)[]>([]);
  const page = useApi<{ entries: AuditEntry[]; nextCursor?: string | null }>(apiPath('/api/audit', { limit: 50, cursor }));
  return (
    <main id="main">
      <h1>Settings</h1>
      <SettingsNav />
      <h2>Audit log</h2>
      <ErrorNote error={page.error} />
      {page.data && (
        <table className="audit">
          <caption className="visually-hidden">Audit log</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {page.data.entries.map((entry, index) => (
              <tr key={`${entry.at}-${index}`}>
                <td>{formatTime(entry.at)}</td>
                <td>{entry.actor}</td>
                <td>
                  <code>{entry.action}</code>
                </td>
                <td>{entry.target}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={earlier.length === 0}
          onClick={() => {
            setCursor(earlier.at(-1) ?? null);
            setEarlier((list) => list.slice(0, -1));
          }}
        >
          Newer
        </button>
        <button
          type="button"
          disabled={!page.data?.nextCursor}
          onClick={() => {
            setEarlier((list) => [...list, cursor]);
            setCursor(page.data?.nextCursor ?? null);
          }}
        >
          Older
        </button>
      </nav>
    </main>
  );
}
