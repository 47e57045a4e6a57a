import { useEffect, useMemo, useRef } from 'preact/hooks';
import { describe, KIND_LABELS, type NameOf } from './describe.js';
import { clock } from './format.js';
import { countUntil, type Marker } from './timeline.js';

/** What happened, with clock times; choosing an entry moves the replay there. */
export function EventsList({
  markers,
  count,
  time,
  nameOf,
  seek,
}: {
  markers: readonly Marker[];
  /** How many markers have been read so far: the list is appended to as pages arrive. */
  count: number;
  time: number;
  nameOf: NameOf;
  seek: (time: number) => void;
}) {
  const current = countUntil(markers, time) - 1;
  const list = useRef<HTMLOListElement>(null);
  const items = useMemo(
    () =>
      markers.slice(0, count).map((m, i) => (
        <li key={m.seq} class={`kind-${m.kind}`} aria-current={i === current ? 'true' : undefined}>
          <button type="button" onClick={() => seek(m.at)}>
            <time dateTime={new Date(m.at).toISOString()}>{clock(m.at)}</time>
            <span class="kind">{KIND_LABELS[m.kind]}</span>
            <span class="what">{describe(m, nameOf)}</span>
          </button>
        </li>
      )),
    [markers, count, current, nameOf, seek],
  );

  useEffect(() => {
    list.current?.querySelector('[aria-current="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  return (
    <section class="side-section events" aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      {count === 0 ? (
        <p class="empty">Nothing recorded yet.</p>
      ) : (
        <ol data-testid="replay-events" ref={list}>
          {items}
        </ol>
      )}
    </section>
  );
}
