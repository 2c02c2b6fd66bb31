import { useState } from 'preact/hooks';
import { Api, ApiError } from '../api/client.js';
import { defaultApiUrl, type Session } from '../api/session.js';
import { html } from '../ui/html.js';

/** Sign in with an admin API key; the key is checked against the API before it is kept (in this tab only). */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [apiUrl, setApiUrl] = useState(defaultApiUrl());
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const session = { apiUrl: apiUrl.trim(), key: key.trim() };
    try {
      await new Api(session, () => undefined).get('/v1/admin/overview', { window: '1h' });
      onSignedIn(session);
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 403
          ? 'That is a site API key. The console needs an admin key.'
          : error instanceof ApiError
            ? error.explanation
            : String(error),
      );
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="sign-in">
    <h1>leadhooks console</h1>
    <form onSubmit=${submit} aria-describedby=${problem ? 'sign-in-problem' : undefined}>
      <label for="api-url">API address</label>
      <input
        id="api-url"
        name="api-url"
        type="url"
        required
        value=${apiUrl}
        onInput=${(e: Event) => setApiUrl((e.target as HTMLInputElement).value)}
      />
      <label for="api-key">Admin API key</label>
      <input
        id="api-key"
        name="api-key"
        type="password"
        autocomplete="off"
        required
        value=${key}
        onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)}
      />
      <p class="hint">The key stays in this browser tab only and is forgotten when you close it.</p>
      ${problem ? html`<p id="sign-in-problem" class="error" role="alert">${problem}</p>` : null}
      <button type="submit" disabled=${busy}>${busy ? 'Checking…' : 'Sign in'}</button>
    </form>
  </main>`;
}
