import { useCallback, useEffect, useMemo, useState } from 'react';
import { BrowserRouter, Link, NavLink, Route, Routes } from 'react-router';
import { api, ApiError } from './api/client.ts';
import { liveFeed, useFeedState } from './api/live.ts';
import type { Me } from './api/types.ts';
import { SessionContext, type Session } from './auth.tsx';
import { Dispatch } from './pages/Dispatch.tsx';
import { JobPage } from './pages/JobPage.tsx';
import { RepoPage } from './pages/RepoPage.tsx';
import { Repos } from './pages/Repos.tsx';
import { RunPage } from './pages/RunPage.tsx';
import { Runs } from './pages/Runs.tsx';
import { Audit, Settings, Tokens } from './pages/Settings.tsx';
import { SignIn } from './pages/SignIn.tsx';

function LiveState() {
  const state = useFeedState();
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`feed-state feed-${state}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}

function Shell({ session }: { session: Session }) {
  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <nav aria-label="Main">
          <Link to="/" className="brand">
            Gantry
          </Link>
          <NavLink to="/" end>
            Repositories
          </NavLink>
          <NavLink to="/runs">Runs</NavLink>
          <NavLink to="/settings">Settings</NavLink>
        </nav>
        <div className="who">
          <LiveState />
          <span>
            {session.me.name} <span className="muted small">({session.me.role})</span>
          </span>
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <Routes>
        <Route path="/" element={<Repos />} />
        <Route path="/repos/:repo" element={<RepoPage />} />
        <Route path="/repos/:repo/dispatch" element={<Dispatch />} />
        <Route path="/runs" element={<Runs />} />
        <Route path="/runs/:id" element={<RunPage />} />
        <Route path="/runs/:id/jobs/:jobId" element={<JobPage />} />
        <Route path="/settings" element={<Settings />} />
        <Route path="/settings/tokens" element={<Tokens />} />
        <Route path="/settings/audit" element={<Audit />} />
        <Route
          path="*"
          element={
            <main id="main">
              <h1>Not found</h1>
              <NavLink to="/">Repositories</NavLink>
            </main>
          }
        />
      </Routes>
    </SessionContext.Provider>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  const loadMe = useCallback(() => {
    api
      .get<Me>('/api/me')
      .then((value) => {
        setMe(value);
        setError(null);
      })
      .catch((failure: unknown) => {
        setMe(null);
        if (!(failure instanceof ApiError && failure.status === 401)) setError((failure as Error).message);
      });
  }, []);

  useEffect(() => {
    loadMe();
    const onUnauthorized = () => {
      liveFeed.close();
      setMe(null);
    };
    window.addEventListener('gantry:unauthorized', onUnauthorized);
    return () => window.removeEventListener('gantry:unauthorized', onUnauthorized);
  }, [loadMe]);

  const session = useMemo<Session | null>(
    () =>
      me
        ? {
            me,
            signOut: async () => {
              await api.delete('/api/session').catch(() => undefined);
              liveFeed.close();
              setMe(null);
            },
          }
        : null,
    [me],
  );

  if (me === undefined) return <p role="status">Loading…</p>;
  if (!session) {
    return (
      <>
        {error && (
          <p className="error-note" role="alert">
            {error}
          </p>
        )}
        <SignIn onSignedIn={loadMe} />
      </>
    );
  }
  return (
    <BrowserRouter>
      <Shell session={session} />
    </BrowserRouter>
  );
}
