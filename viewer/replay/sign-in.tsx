import { useEffect, useRef, useState } from 'preact/hooks';
import { type Auditor, signIn } from './api.js';

/** The auditor's way in: the access key an operator created for them. */
export function SignIn({ onSignedIn }: { onSignedIn: (a: Auditor) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!key.trim()) {
      setError('Enter your access key.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(key.trim()));
    } catch (err) {
      setError(
        (err as { code?: string }).code === 'bad-key'
          ? 'This access key is not valid. Check it and try again.'
          : (err as Error).message,
      );
      setBusy(false);
      input.current?.select();
    }
  };

  return (
    <main class="landing">
      <h1>Tandem archive</h1>
      <p>Sign in with your auditor access key to find and replay recorded sessions.</p>
      <form onSubmit={submit} noValidate>
        <label>
          Access key
          <input
            ref={input}
            type="password"
            data-testid="archive-signin-key"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            autocomplete="current-password"
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'signin-error' : undefined}
            spellcheck={false}
          />
        </label>
        <button class="primary" type="submit" disabled={busy} data-testid="archive-signin-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p class="error" id="signin-error" role="alert" data-testid="archive-signin-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
