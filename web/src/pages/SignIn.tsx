import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import { ErrorNote } from '../components/Notice.tsx';

/** Trades a token for an HttpOnly session cookie; the token itself is never stored by the page. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/session', { token });
      setToken('');
      onSignedIn();
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? 'That token is not valid.' : String((failure as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <h1>Sign in to Gantry</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">Access token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" className="muted small">
          The admin token <code>gantry serve</code> printed on its first start, or one made with <code>gantry token create</code>.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy || !token}>
          Sign in
        </button>
      </form>
    </main>
  );
}
