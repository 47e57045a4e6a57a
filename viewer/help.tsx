import { useEffect, useRef } from 'preact/hooks';

/** What each control does, for someone who has never used Tandem; closes with Escape. */
export function Help({ isOwner, close }: { isOwner: boolean; close: () => void }) {
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
          <em>Highlight</em>, then a click on the page, outlines that spot for everyone. <em>Clear</em>{' '}
          removes it. Moving your mouse over the page shows others where you point.
        </li>
        <li>
          Chat lines appear for everyone once they are delivered. Lines typed while offline are sent on
          reconnect.
        </li>
        <li>
          <em>{isOwner ? 'Stop sharing' : 'Leave'}</em> ends your part in the session; nothing more is shared
          from or to this window.
        </li>
      </ul>
      <form method="dialog">
        <button type="submit" class="primary">
          Got it
        </button>
      </form>
    </dialog>
  );
}
