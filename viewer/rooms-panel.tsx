import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_CHAT_LENGTH } from '../session/limits.js';
import type { Sidebar } from './rooms.js';
import { nameOf, type Outgoing, type SessionState } from './state.js';

const names = (state: SessionState, ids: readonly string[]) => ids.map((id) => nameOf(state, id)).join(', ');

/**
 * The Rooms panel: the private sidebars this person is in, with unread counts, and starting a new
 * one with chosen people. An open sidebar shows its lines and writes only to its members; the main
 * chat stays the room everyone is in.
 */
export function RoomsPanel({
  state,
  sidebars,
  open,
  setOpen,
  start,
  say,
  close,
}: {
  state: SessionState;
  sidebars: Sidebar[];
  /** The key of the sidebar shown, or null for the list. */
  open: string | null;
  setOpen: (key: string | null) => void;
  start: (members: string[]) => void;
  say: (line: Outgoing) => void;
  close: () => void;
}) {
  const shown = sidebars.find((s) => s.key === open) ?? null;
  return (
    <aside
      class="panel rooms"
      data-testid="rooms-panel"
      aria-label="Private sidebars"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        if (shown) setOpen(null);
        else close();
      }}
    >
      <header>
        <h2>{shown ? `With ${names(state, shown.members)}` : 'Rooms'}</h2>
        <button type="button" onClick={close} aria-label="Close rooms">
          ×
        </button>
      </header>
      {shown ? (
        <SidebarView state={state} sidebar={shown} back={() => setOpen(null)} say={say} />
      ) : (
        <RoomList state={state} sidebars={sidebars} setOpen={setOpen} start={start} />
      )}
    </aside>
  );
}

function RoomList({
  state,
  sidebars,
  setOpen,
  start,
}: {
  state: SessionState;
  sidebars: Sidebar[];
  setOpen: (key: string) => void;
  start: (members: string[]) => void;
}) {
  const others = state.participants.filter((p) => p.id !== state.me?.id);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  return (
    <>
      <p class="hint">The chat below is everyone’s room. Sidebars are private to their members.</p>
      {sidebars.length === 0 && <p class="empty">No sidebars yet.</p>}
      <ul class="room-list">
        {sidebars.map((s) => (
          <li key={s.key}>
            <button type="button" data-testid="room-item" onClick={() => setOpen(s.key)}>
              <span class="title">{names(state, s.members)}</span>
              <span class="url">{s.lines.at(-1)?.text ?? 'No messages yet'}</span>
              {s.unread > 0 && (
                <span class="unread" data-testid="room-unread">
                  {s.unread} new
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <form
          class="room-new"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen.size === 0) return;
            start([...chosen]);
            setChosen(new Set());
          }}
        >
          <fieldset>
            <legend>Start a sidebar with</legend>
            {others.map((p) => (
              <label key={p.id} class="check">
                <input
                  type="checkbox"
                  data-testid="room-member"
                  checked={chosen.has(p.id)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.currentTarget.checked) next.add(p.id);
                    else next.delete(p.id);
                    setChosen(next);
                  }}
                />
                {p.name}
                {p.connected ? '' : ' (away)'}
              </label>
            ))}
          </fieldset>
          <button type="submit" data-testid="room-start" disabled={chosen.size === 0}>
            Start sidebar
          </button>
        </form>
      )}
    </>
  );
}

function SidebarView({
  state,
  sidebar,
  back,
  say,
}: {
  state: SessionState;
  sidebar: Sidebar;
  back: () => void;
  say: (line: Outgoing) => void;
}) {
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const log = useRef<HTMLOListElement>(null);
  useEffect(() => input.current?.focus(), [sidebar.key]);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [sidebar.lines.length]);
  return (
    <>
      <button type="button" class="back" data-testid="room-back" onClick={back}>
        ← All rooms
      </button>
      <ol class="room-log" data-testid="room-log" ref={log} aria-label="Sidebar messages" aria-live="polite">
        {sidebar.lines.length === 0 && (
          <li class="empty">Only {names(state, sidebar.members)} and you see this.</li>
        )}
        {sidebar.lines.map((line) => (
          <li key={line.seq} data-testid="room-line">
            <span class="who">{nameOf(state, line.from)}:</span> {line.text}
          </li>
        ))}
      </ol>
      <form
        class="room-say"
        onSubmit={(e) => {
          e.preventDefault();
          const t = text.trim();
          if (!t) return;
          say({ text: t, to: sidebar.members });
          setText('');
        }}
      >
        <input
          ref={input}
          data-testid="room-input"
          aria-label={`Message to ${names(state, sidebar.members)} only`}
          placeholder="Only the sidebar sees this"
          value={text}
          maxLength={MAX_CHAT_LENGTH}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Send</button>
      </form>
    </>
  );
}
