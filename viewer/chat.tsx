import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_CHAT_LENGTH } from '../session/limits.js';
import { nameOf, type SessionState } from './state.js';

/** Chat lines appear once the server has ordered them; the sender's own show as "sending" until then. */
export function Chat({
  state,
  input,
  say,
}: {
  state: SessionState;
  input: RefObject<HTMLInputElement>;
  say: (t: string) => void;
}) {
  const [text, setText] = useState('');
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
          <li key={line.seq} data-testid="chat-line">
            <span class="who">{nameOf(state, line.from)}:</span>
            {line.text}
          </li>
        ))}
        {state.outbox.map((line, i) => (
          <li key={`pending-${i}`} class="pending">
            <span class="who">{state.me?.name}:</span>
            {line} <small>(sending…)</small>
          </li>
        ))}
      </ol>
      <form
        class="say"
        onSubmit={(e) => {
          e.preventDefault();
          const t = text.trim();
          if (!t) return;
          say(t);
          setText('');
        }}
      >
        <input
          ref={input}
          data-testid="chat-input"
          aria-label="Chat message"
          placeholder="Type a message and press Enter"
          value={text}
          maxLength={MAX_CHAT_LENGTH}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Send</button>
      </form>
    </>
  );
}
