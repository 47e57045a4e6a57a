import { useEffect, useRef } from 'preact/hooks';

/**
 * What each control does, for someone who has never used Tandem, and the spoken-alerts setting;
 * closes with Escape.
 */
export function Help({
  isOwner,
  isHost,
  close,
  speech,
}: {
  isOwner: boolean;
  /** A host: removes people, locks the session and takes questions. */
  isHost: boolean;
  close: () => void;
  /** Reading alerts aloud, where the browser can speak; null where it cannot. */
  speech: { on: boolean; set: (on: boolean) => void } | null;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="help" data-testid="help-dialog" aria-labelledby="help-title" onClose={close}>
      <h2 id="help-title">How this works</h2>
      <ul>
        {isOwner ? (
          <li>
            The page below runs in your browser. Everyone else sees a live copy of it, never your passwords.
          </li>
        ) : (
          <li>You see a live copy of the host's page. Passwords and private fields always show as dots.</li>
        )}
        <li>
          Whoever is <strong>leading</strong> can type an address, go back or forward, scroll, click and fill
          in forms. Use <em>Ask for control</em> to lead; the host can give it and take it back at any time.
        </li>
        <li>
          <em>Highlight</em>, then a click on the page, outlines that spot for everyone. <em>Circle</em> and{' '}
          <em>Arrow</em>, then a drag over the page, draw for everyone. <em>Clear</em> removes them. Moving
          your mouse over the page shows others where you point.
        </li>
        <li>
          <em>Float</em> opens the page in a window of its own while the chat stays here; close that window or
          use <em>Bring back</em> to return it.
        </li>
        <li>
          Chat lines appear for everyone once they are delivered. Lines typed while offline are sent on
          reconnect. <em>Rooms</em> holds private sidebars with some of the others.
        </li>
        {isHost ? (
          <li>
            Questions sent to you appear in the chat for you alone: <em>Show to everyone</em> puts one in the
            chat under its asker's name, <em>Set aside</em> drops it. <em>Lock</em> stops anyone new from
            joining with the invite link; <em>Remove</em> sends someone away and changes the invite link.
          </li>
        ) : (
          <li>
            Choose <em>Question for the host</em> under <em>Send to</em> to ask the host privately; they may
            show your question to everyone.
          </li>
        )}
        <li>
          <em>{isOwner ? 'Stop sharing' : 'Leave'}</em> ends your part in the session; nothing more is shared
          from or to this window.
        </li>
      </ul>
      {speech && (
        <label class="check">
          <input
            type="checkbox"
            data-testid="speak"
            checked={speech.on}
            onChange={(e) => speech.set(e.currentTarget.checked)}
          />
          Read alerts aloud (a new message, a request for control) while this window is in the background
        </label>
      )}
      <form method="dialog">
        <button type="submit" class="primary">
          Got it
        </button>
      </form>
    </dialog>
  );
}
