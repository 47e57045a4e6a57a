import { useEffect, useRef } from 'preact/hooks';
import type { NameOf } from './describe.js';
import { clock } from './format.js';
import type { ChatLine } from './timeline.js';

/** The chat as it stood at the replay's current time. */
export function ChatPane({ lines, nameOf }: { lines: readonly ChatLine[]; nameOf: NameOf }) {
  const log = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <section class="side-section chat-pane" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      <ol data-testid="replay-chat" ref={log}>
        {lines.length === 0 && <li class="empty">No messages yet at this point.</li>}
        {lines.map((l) => (
          <li key={l.seq} data-testid="replay-chat-line" data-private={l.to ? 'true' : undefined}>
            <time dateTime={new Date(l.at).toISOString()}>{clock(l.at)}</time>{' '}
            <span class="who">{nameOf(l.from)}:</span>{' '}
            {l.to && <em class="private">(privately to {l.to.map(nameOf).join(', ')}) </em>}
            {l.question && <em class="private">(a question the host showed to everyone) </em>}
            {l.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
