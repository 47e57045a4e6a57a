import { useEffect, useState } from 'preact/hooks';
import { type Verdict, verify } from './api.js';

/** Whether this server vouches for the final hash; nothing to say while the session is open. */
function sealNote(sealed: boolean | undefined): string {
  if (sealed === undefined) return '';
  return sealed ? ', sealed by this server' : ', not sealed by this server';
}

/**
 * Whether the session's hash chain is unbroken, checked by the server over every record. The check
 * reads the whole session, so it waits until the replay has its first frame (`ready`).
 */
export function VerifyBadge({ session, ready }: { session: string; ready: boolean }) {
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    if (ready) verify(session).then(setVerdict, (e: Error) => setFailed(e.message));
  }, [session, ready]);

  const [state, text] = failed
    ? ['unknown', `Could not check the chain: ${failed}`]
    : !verdict
      ? ['pending', 'Checking the chain…']
      : verdict.intact
        ? ['intact', `Chain intact (${verdict.records} records)${sealNote(verdict.sealed)}`]
        : ['broken', `Tampered at record ${verdict.brokenAt}: ${verdict.reason}`];
  return (
    <span class={`verify ${state}`} data-testid="replay-verify" data-state={state} role="status">
      {text}
    </span>
  );
}
