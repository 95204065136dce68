import { useState } from 'preact/hooks';
import { Api, type Session } from '../api';
import { Problem } from '../components';

/** Sign in with an API token; the node says which role it holds. */
export function SignIn({
  onSignedIn,
}: {
  onSignedIn: (api: Api, session: Session) => Promise<void>;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const api = new Api(token.trim());
    try {
      await onSignedIn(api, await api.session());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Sign in">
      <h2>Sign in</h2>
      <label for="api-token">API token</label>
      <input
        id="api-token"
        name="api-token"
        type="password"
        autocomplete="off"
        required
        value={token}
        onInput={(event) => setToken(event.currentTarget.value)}
      />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      <Problem error={error} />
    </form>
  );
}
