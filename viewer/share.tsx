import { useEffect, useState } from 'preact/hooks';
import { getInvite } from './api.js';

/** The host's link to hand to others, with one-click copy; fetched again each time it `changes`. */
export function ShareLink({ session, token, changes }: { session: string; token: string; changes: number }) {
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    getInvite(session, token).then(
      (r) => setLink(r.joinUrl),
      () => setLink(null),
    );
  }, [session, token, changes]);

  if (!link) return null;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      (document.getElementById('share-link') as HTMLInputElement | null)?.select();
    }
  };
  return (
    <span class="share">
      <label for="share-link">Invite</label>
      <input
        id="share-link"
        data-testid="share-link"
        readOnly
        value={link}
        onFocus={(e) => e.currentTarget.select()}
      />
      <button type="button" onClick={copy} aria-live="polite">
        {copied ? 'Copied' : 'Copy link'}
      </button>
    </span>
  );
}
