import { RemoveButton } from './remove-button.js';
import { isIdle, type SessionState } from './state.js';

const COLOURS = ['#2f6fed', '#c4320a', '#067647', '#7a2e98', '#b54708', '#0e7090', '#c11574'];

export function colourFor(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLOURS[h % COLOURS.length] as string;
}

/**
 * The strip of avatars: who is here, who leads, and (for the leader or host) handing over control;
 * the host can also remove a follower, after confirming.
 */
export function People({
  state,
  canGive,
  give,
  remove,
  now,
}: {
  state: SessionState;
  canGive: boolean;
  give: (to: string) => void;
  remove: ((participant: string) => void) | null;
  /** The time idleness is judged at (re-rendered on a slow tick). */
  now: number;
}) {
  return (
    <ul class="people" data-testid="participants" aria-label="Participants">
      {state.participants.map((p) => {
        const leader = p.id === state.baton.holder;
        return (
          <li
            key={p.id}
            data-testid="participant"
            data-leader={leader ? 'true' : 'false'}
            data-connected={String(p.connected)}
            data-idle={String(isIdle(state, p.id, now))}
          >
            <span class="avatar" style={{ background: colourFor(p.id) }} aria-hidden="true">
              {p.name.slice(0, 1).toUpperCase()}
            </span>
            <span>
              {p.name}
              {p.id === state.me?.id ? ' (you)' : ''}
              {p.connected ? '' : ' (away)'}
              {isIdle(state, p.id, now) ? ' (idle)' : ''}
            </span>
            {leader && <span class="leader">leading</span>}
            {canGive && !leader && p.connected && (
              <button
                type="button"
                data-testid="baton-give"
                onClick={() => give(p.id)}
                aria-label={`Give control to ${p.name}`}
              >
                Give control
              </button>
            )}
            {remove && p.role === 'follower' && p.id !== state.me?.id && (
              <RemoveButton name={p.name} remove={() => remove(p.id)} testid="participant-remove" />
            )}
          </li>
        );
      })}
      {state.audience > 0 && (
        <li data-testid="audience" class="audience">
          {`+${state.audience.toLocaleString()} watching`}
        </li>
      )}
    </ul>
  );
}
