import { clock } from './format.js';
import type { Presence } from './timeline.js';

/** Who was in the session from when to when; those present at the current time are marked. */
export function AttendancePanel({ people, time }: { people: readonly Presence[]; time: number }) {
  return (
    <section class="side-section attendance" aria-labelledby="attendance-title">
      <h2 id="attendance-title">Attendance</h2>
      <ul data-testid="replay-attendance">
        {people.length === 0 && <li class="empty">Nobody joined.</li>}
        {people.map((p) => {
          const here = p.spans.some((s) => s.from <= time && (s.to === null || time < s.to));
          return (
            <li key={p.id} data-present={String(here)}>
              <span class="who">
                {p.name}
                {p.role === 'owner' ? ' (host)' : ''}
              </span>
              {here && <span class="here"> present now</span>}
              <span class="spans">
                {p.spans.length === 0
                  ? 'never connected'
                  : p.spans
                      .map((s) => `${clock(s.from)} – ${s.to === null ? 'end' : clock(s.to)}`)
                      .join(', ')}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
