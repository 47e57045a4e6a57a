import { useState } from 'preact/hooks';
import { createSession } from './api.js';
import { BrandMark } from './brand.js';
import type { ViewerConfig } from './config.js';
import { FormFooter } from './form-footer.js';

/** The front page: start a quick session, optionally at a given address. */
export function Landing({ config }: { config: ViewerConfig }) {
  const [startUrl, setStartUrl] = useState('');
  const [name, setName] = useState('');
  const [collaborate, setCollaborate] = useState(false);
  const [liveTyping, setLiveTyping] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await createSession(startUrl.trim(), collaborate ? 'collaboration' : 'support', liveTyping);
      location.assign(`${s.hostUrl}&name=${encodeURIComponent(name.trim() || 'Host')}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <main class="landing">
      <h1>{config.brand ? <BrandMark brand={config.brand} /> : 'Tandem'}</h1>
      <p>
        Browse the web together: share a link, and everyone sees the same page, chats, and can take the wheel.
      </p>
      <form onSubmit={start}>
        <label>
          Your name
          <input
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="Host"
            autocomplete="name"
          />
        </label>
        <label>
          Start at (optional)
          <input
            data-testid="start-url"
            value={startUrl}
            onInput={(e) => setStartUrl(e.currentTarget.value)}
            placeholder="https://example.com"
            inputMode="url"
          />
        </label>
        {config.demoUrl && (
          <p>
            No internet here? Try the built-in demo shop:{' '}
            <button type="button" onClick={() => setStartUrl(config.demoUrl ?? '')}>
              use {config.demoUrl}
            </button>
          </p>
        )}
        <label class="check">
          <input
            type="checkbox"
            data-testid="collaborate"
            checked={collaborate}
            onChange={(e) => setCollaborate(e.currentTarget.checked)}
          />
          Anyone may take control without asking
        </label>
        <label class="check">
          <input
            type="checkbox"
            data-testid="live-typing"
            checked={liveTyping}
            onChange={(e) => setLiveTyping(e.currentTarget.checked)}
          />
          Others see chat messages as they are typed
        </label>
        <FormFooter
          label="Start a session"
          busyLabel="Starting…"
          busy={busy}
          testid="start-session"
          error={error}
        />
      </form>
      <p class="aside">
        Reviewing past sessions? <a href="/archive">Open the archive</a>.
      </p>
    </main>
  );
}
