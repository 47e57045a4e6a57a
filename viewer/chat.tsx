import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_CHAT_LENGTH } from '../session/limits.js';
import type { ClientMessage } from '../session/protocol.js';
import { type ChatLine, nameOf, type OpenQuestion, type Outgoing, type SessionState } from './state.js';

/** The "Send to" choice that makes the line a question for the hosts. */
const TO_HOSTS = '?question';

/** How often a line being typed is sent, in a session that shows it. */
const DRAFT_EVERY_MS = 120;
/** After this long without a keystroke, a half-typed line no longer counts as typing. */
const TYPING_IDLE_MS = 5000;

/** Chat lines appear once the server has ordered them; the sender's own show as "sending" until then. */
export function Chat({
  state,
  input,
  say,
  settle,
  onTyping,
  insert,
  choose,
  muted,
  translate,
  children,
}: {
  state: SessionState;
  input: RefObject<HTMLInputElement>;
  say: (line: Outgoing) => void;
  /** A host shows an open question to everyone or sets it aside. */
  settle: (action: Extract<ClientMessage['type'], 'question.show' | 'question.dismiss'>, seq: number) => void;
  /** `text` only in a session that shows lines as they are typed. */
  onTyping: (active: boolean, text?: string) => void;
  /** Filled with a function that puts text into the message being written. */
  insert: { current: ((text: string) => void) | null };
  /** Filled with a function that picks who the next line goes to ('' for everyone). */
  choose: { current: ((participant: string) => void) | null };
  /** People whose lines are hidden on this screen. */
  muted: ReadonlySet<string>;
  /** Translates a line into the reader's language; null when no service is configured. */
  translate: ((text: string) => Promise<string>) | null;
  /** Shown beside the message field. */
  children?: ComponentChildren;
}) {
  const [text, setText] = useState('');
  /** '' for everyone, or the one participant a private line goes to. */
  const [to, setTo] = useState('');
  choose.current = (participant: string) => {
    setTo(participant);
    input.current?.focus();
  };
  const others = state.participants.filter((p) => p.id !== state.me?.id);
  const host = state.me?.role === 'owner';
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
  // In a live-typing session the line itself goes out too, at most every DRAFT_EVERY_MS.
  const draftTimer = useRef<number | undefined>(undefined);
  const latest = useRef('');
  const sendDraft = (value: string) => {
    latest.current = value;
    if (draftTimer.current !== undefined) return;
    draftTimer.current = window.setTimeout(() => {
      draftTimer.current = undefined;
      onTyping(latest.current.trim() !== '', latest.current);
    }, DRAFT_EVERY_MS);
  };
  const cancelDraft = () => {
    clearTimeout(draftTimer.current);
    draftTimer.current = undefined;
  };
  const typists = state.typing.filter((id) => id !== state.me?.id && state.drafts[id] === undefined);
  const drafts = Object.entries(state.drafts).filter(([id]) => id !== state.me?.id);
  const log = useRef<HTMLOListElement>(null);

  useEffect(() => input.current?.focus(), [input]);

  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [state.chat.length, state.outbox.length]);

  return (
    <>
      <ol class="chat" data-testid="chat-log" ref={log} aria-label="Chat" aria-live="polite">
        {state.chat.length === 0 && state.outbox.length === 0 && state.questions.length === 0 && (
          <li class="empty">No messages yet. Say hello!</li>
        )}
        {state.chat
          .filter((line) => !muted.has(line.from))
          .map((line) => (
            <li key={line.seq} data-testid="chat-line" data-private={line.to ? 'true' : undefined}>
              <span class="who">{nameOf(state, line.from)}:</span>
              {line.to && <span class="private">{privateLabel(state, line)}</span>}
              {line.question && <span class="asked">(question) </span>}
              {line.text}
              {translate && line.from !== state.me?.id && (
                <Translation text={line.text} translate={translate} />
              )}
            </li>
          ))}
        {state.questions.map((q) => (
          <Question key={q.seq} question={q} host={host} settle={settle} />
        ))}
        {state.outbox.map((line, i) => (
          <li key={`pending-${i}`} class="pending">
            <span class="who">{state.me?.name}:</span>
            {line.to && (
              <span class="private">{privateLabel(state, { ...line, from: state.me?.id ?? '' })}</span>
            )}
            {line.question && <span class="asked">(question for the host) </span>}
            {line.text} <small>(sending…)</small>
          </li>
        ))}
      </ol>
      <p class="typing" data-testid="typing" aria-live="polite">
        {drafts.map(([id, draft]) => (
          <span key={id} class="draft" data-testid="chat-draft">
            <b>{nameOf(state, id)}:</b> {draft}▍{' '}
          </span>
        ))}
        {typists.length === 0
          ? ''
          : `${typists.map((id) => nameOf(state, id)).join(', ')} ${typists.length === 1 ? 'is' : 'are'} typing…`}
      </p>
      <form
        class="say"
        onSubmit={(e) => {
          e.preventDefault();
          const t = text.trim();
          if (!t) return;
          say(
            to === TO_HOSTS
              ? { text: t, question: true }
              : to && others.some((p) => p.id === to)
                ? { text: t, to: [to] }
                : { text: t },
          );
          setText('');
          clearTimeout(idle.current);
          cancelDraft();
          typing.current = false;
        }}
      >
        {others.length > 0 && (
          <select
            class="to"
            data-testid="chat-to"
            aria-label="Send to"
            value={to}
            onChange={(e) => {
              const next = e.currentTarget.value;
              setTo(next);
              if (next === '') return;
              // What was being written for everyone stops showing once it is meant for fewer.
              cancelDraft();
              if (state.liveTyping) onTyping(false, '');
              else setTyping(false);
            }}
          >
            <option value="">Everyone</option>
            {!host && <option value={TO_HOSTS}>Question for the host</option>}
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
            // Everyone sees typing and drafts: a private line or a question being written stays
            // between its sender and its readers.
            if (to !== '') return;
            if (state.liveTyping) sendDraft(e.currentTarget.value);
            else setTyping(e.currentTarget.value.trim() !== '');
          }}
          onBlur={() => setTyping(false)}
        />
        {children}
        <button type="submit">Send</button>
      </form>
    </>
  );
}

/**
 * An open question: the hosts show it to everyone or set it aside; the asker sees it waiting. Nobody
 * else has it.
 */
function Question({
  question,
  host,
  settle,
}: {
  question: OpenQuestion;
  host: boolean;
  settle: (action: 'question.show' | 'question.dismiss', seq: number) => void;
}) {
  return (
    <li class="question" data-testid="question">
      <span class="who">{host ? `Question from ${question.name}:` : 'Your question for the host:'}</span>
      {question.text}{' '}
      {host ? (
        <span class="question-actions">
          <button
            type="button"
            data-testid="question-show"
            onClick={() => settle('question.show', question.seq)}
          >
            Show to everyone
          </button>
          <button
            type="button"
            data-testid="question-dismiss"
            onClick={() => settle('question.dismiss', question.seq)}
          >
            Set aside
          </button>
        </span>
      ) : (
        <small>(waiting for the host)</small>
      )}
    </li>
  );
}

/** "to Felix" on the sender's copy of a private line, "privately" on the recipients'. */
function privateLabel(state: SessionState, line: Pick<ChatLine, 'from' | 'to'>): string {
  if (line.from !== state.me?.id) return '(privately) ';
  return `(to ${(line.to ?? []).map((id) => nameOf(state, id)).join(', ')}) `;
}

/** A line's translation, fetched when asked for, with what went wrong said in place. */
function Translation({ text, translate }: { text: string; translate: (text: string) => Promise<string> }) {
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'done' | 'failed'; text: string }>({
    kind: 'idle',
  });
  if (state.kind === 'done') {
    return (
      <span class="translation" data-testid="chat-translation" lang={navigator.language}>
        {state.text}
      </span>
    );
  }
  return (
    <button
      type="button"
      class="translate"
      data-testid="chat-translate"
      disabled={state.kind === 'busy'}
      onClick={() => {
        setState({ kind: 'busy' });
        translate(text).then(
          (t) => setState({ kind: 'done', text: t }),
          (err: Error) => setState({ kind: 'failed', text: err.message }),
        );
      }}
      title={state.kind === 'failed' ? state.text : `Translate into ${navigator.language}`}
    >
      {state.kind === 'busy'
        ? 'Translating…'
        : state.kind === 'failed'
          ? 'Translation failed; retry'
          : 'Translate'}
    </button>
  );
}
