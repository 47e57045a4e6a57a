import { colourFor } from './people.js';
import { RemoveButton } from './remove-button.js';
import { isIdle, type SessionState } from './state.js';

/**
 * Who is in the session, with what each person may be done with: hand them control or the page
 * itself, write to them privately, hide their chat lines on this screen, or (for the host) remove them.
 */
export function WhoPanel({
  state,
  canGive,
  give,
  messagePrivately,
  muted,
  toggleMute,
  remove,
  handOver,
  close,
  now,
}: {
  state: SessionState;
  canGive: boolean;
  give: (id: string) => void;
  messagePrivately: (id: string) => void;
  muted: ReadonlySet<string>;
  toggleMute: (id: string) => void;
  remove: ((id: string) => void) | null;
  /** Moves the shown tab's page to that person's browser; null when this person may not. */
  handOver: { tabOwner: string | null; to: (id: string) => void } | null;
  close: () => void;
  now: number;
}) {
  const others = state.participants.filter((p) => p.id !== state.me?.id);
  return (
    <aside
      class="panel who"
      data-testid="who-panel"
      aria-label="People in this session"
      onKeyDown={(e) => e.key === 'Escape' && close()}
    >
      <header>
        <h2>Who is here</h2>
        <button type="button" onClick={close} aria-label="Close the list of people">
          ×
        </button>
      </header>
      {others.length === 0 && <p class="empty">Nobody else yet. Share the invite link.</p>}
      <ul>
        {others.map((p) => {
          const leading = p.id === state.baton.holder;
          const status = [
            p.role === 'owner' ? 'host' : 'participant',
            leading ? 'in control' : null,
            p.connected ? null : 'away',
            isIdle(state, p.id, now) ? 'idle' : null,
            state.typing.includes(p.id) ? 'typing' : null,
            muted.has(p.id) ? 'hidden' : null,
          ]
            .filter(Boolean)
            .join(' · ');
          return (
            <li key={p.id} data-testid="who-person">
              <span class="avatar" style={{ background: colourFor(p.id) }} aria-hidden="true">
                {p.name.slice(0, 1).toUpperCase()}
              </span>
              <span class="who-name">
                {p.name}
                <small>{status}</small>
              </span>
              <span class="who-actions">
                {canGive && !leading && p.connected && (
                  <button type="button" onClick={() => give(p.id)} aria-label={`Give control to ${p.name}`}>
                    Give control
                  </button>
                )}
                {handOver && p.connected && p.id !== handOver.tabOwner && (
                  <button
                    type="button"
                    data-testid="who-hand-over"
                    onClick={() => handOver.to(p.id)}
                    title="The page reloads in their browser and they take control; the session's sign-ins come along"
                  >
                    Run page on their side
                  </button>
                )}
                <button
                  type="button"
                  data-testid="who-message"
                  onClick={() => messagePrivately(p.id)}
                  aria-label={`Message ${p.name} privately`}
                >
                  Message
                </button>
                <button
                  type="button"
                  data-testid="who-mute"
                  aria-pressed={muted.has(p.id)}
                  onClick={() => toggleMute(p.id)}
                  title="Hide their chat lines on this screen only"
                >
                  {muted.has(p.id) ? 'Show chat' : 'Hide chat'}
                </button>
                {remove && p.role === 'follower' && (
                  <RemoveButton name={p.name} remove={() => remove(p.id)} />
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
