import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_CHAT_LENGTH } from '../session/limits.js';
import { type ChatLine, nameOf, type Outgoing, type SessionState } from './state.js';

/** After this long without a keystroke, a half-typed line no longer counts as typing. */
const TYPING_IDLE_MS = 5000;

/** Chat lines appear once the server has ordered them; the sender's own show as "sending" until then. */
export function Chat({
  state,
  input,
  say,
  onTyping,
  insert,
  children,
}: {
  state: SessionState;
  input: RefObject<HTMLInputElement>;
  say: (line: Outgoing) => void;
  onTyping: (active: boolean) => void;
  /** Filled with a function that puts text into the message being written. */
  insert: { current: ((text: string) => void) | null };
  /** Shown beside the message field. */
  children?: ComponentChildren;
}) {
  const [text, setText] = useState('');
  /** '' for everyone, or the one participant a private line goes to. */
  const [to, setTo] = useState('');
  const others = state.participants.filter((p) => p.id !== state.me?.id);
  insert.current = (added: string) => {
    const next = text.trim() ? `${text.trimEnd()} ${added}` : added;
    setText(next);
    input.current?.focus();
  };
  const typing = useRef(false);
  const idle = useRef<number | undefined>(undefined);
  const setTyping = (active: boolean) => {
    clearTimeout(idle.current);
    if (active) idle.current = window.setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (typing.current === active) return;
    typing.current = active;
    onTyping(active);
  };
  const typists = state.typing.filter((id) => id !== state.me?.id).map((id) => nameOf(state, id));
  const log = useRef<HTMLOListElement>(null);

  useEffect(() => input.current?.focus(), [input]);

  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [state.chat.length, state.outbox.length]);

  return (
    <>
      <ol class="chat" data-testid="chat-log" ref={log} aria-label="Chat" aria-live="polite">
        {state.chat.length === 0 && state.outbox.length === 0 && (
          <li class="empty">No messages yet. Say hello!</li>
        )}
        {state.chat.map((line) => (
          <li key={line.seq} data-testid="chat-line" data-private={line.to ? 'true' : undefined}>
            <span class="who">{nameOf(state, line.from)}:</span>
            {line.to && <span class="private">{privateLabel(state, line)}</span>}
            {line.text}
          </li>
        ))}
        {state.outbox.map((line, i) => (
          <li key={`pending-${i}`} class="pending">
            <span class="who">{state.me?.name}:</span>
            {line.to && (
              <span class="private">{privateLabel(state, { ...line, from: state.me?.id ?? '' })}</span>
            )}
            {line.text} <small>(sending…)</small>
          </li>
        ))}
      </ol>
      <p class="typing" data-testid="typing" aria-live="polite">
        {typists.length === 0 ? '' : `${typists.join(', ')} ${typists.length === 1 ? 'is' : 'are'} typing…`}
      </p>
      <form
        class="say"
        onSubmit={(e) => {
          e.preventDefault();
          const t = text.trim();
          if (!t) return;
          say(to && others.some((p) => p.id === to) ? { text: t, to: [to] } : { text: t });
          setText('');
          clearTimeout(idle.current);
          typing.current = false;
        }}
      >
        {others.length > 0 && (
          <select
            class="to"
            data-testid="chat-to"
            aria-label="Send to"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
          >
            <option value="">Everyone</option>
            {others.map((p) => (
              <option key={p.id} value={p.id}>
                Only {p.name}
              </option>
            ))}
          </select>
        )}
        <input
          ref={input}
          data-testid="chat-input"
          aria-label="Chat message"
          placeholder="Type a message and press Enter"
          value={text}
          maxLength={MAX_CHAT_LENGTH}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setTyping(e.currentTarget.value.trim() !== '');
          }}
          onBlur={() => setTyping(false)}
        />
        {children}
        <button type="submit">Send</button>
      </form>
    </>
  );
}

/** "to Felix" on the sender's copy of a private line, "privately" on the recipients'. */
function privateLabel(state: SessionState, line: Pick<ChatLine, 'from' | 'to'>): string {
  if (line.from !== state.me?.id) return '(privately) ';
  return `(to ${(line.to ?? []).map((id) => nameOf(state, id)).join(', ')}) `;
}
