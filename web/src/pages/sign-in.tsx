// Sign-in with an API token (`migstat token create`). The token is checked against the hub (the viewer query)
// before it is kept, and kept in sessionStorage only.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { request } from '../lib/client';
import { APP_SCOPE } from '../lib/params';
import { signIn, signOut, useSession } from '../lib/session';
import { ViewerQuery } from '../lib/viewer';

/** Where to go once signed in: the app page the caller came from (`?next=`), never another site; else home. */
export function nextPage(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && APP_SCOPE.test(next) && !next.startsWith('/sign-in')
    ? next
    : '/';
}

export default function SignIn() {
  const [, viewer] = useSession();
  const { route, query } = useLocation();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const token = value.trim();
    if (!token) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { viewer: who } = await request(ViewerQuery, {}, { token });
      if (!who) throw new Error('The hub did not recognise this token.');
      signIn(token, who);
      setValue('');
      route(nextPage(query.next), false);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="narrow">
      <h1>Sign in</h1>
      {viewer && (
        <p role="status">
          Signed in as <strong>{viewer.name}</strong> ({viewer.role}
          {viewer.country ? `, ${viewer.country.name}` : ''}).{' '}
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </p>
      )}
      <p>
        Without a token you see the catalogue and published data. Focal points and task-force members sign in with the
        token their administrator created (<code>npx migstat token create --role ROLE</code>). The token is kept in this
        browser tab only and forgotten when it closes.
      </p>
      <form onSubmit={submit} class="stack">
        <div class="field">
          <label for="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
            aria-describedby={error ? 'token-error' : undefined}
            aria-invalid={error ? true : undefined}
          />
        </div>
        {error && (
          <p id="token-error" class="error" role="alert">
            {error}
          </p>
        )}
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
