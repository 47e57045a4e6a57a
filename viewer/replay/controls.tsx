import { describe, KIND_LABELS, type NameOf } from './describe.js';
import { clock, duration } from './format.js';
import type { Marker } from './timeline.js';

export const SPEEDS = [0.5, 1, 2, 4, 8] as const;
/** What the timeline marks; arrivals and departures are in the list of events only. */
const ON_TIMELINE = new Set(['location', 'chat', 'baton', 'control', 'highlight', 'tab']);
const STEP_MS = 5000;
const FINE_STEP_MS = 1000;
const PAGE_STEP_MS = 60_000;

interface Props {
  start: number;
  end: number;
  time: number;
  /** How far the archive has been read so far. */
  loadedUntil: number;
  playing: boolean;
  speed: number;
  skip: boolean;
  markers: readonly Marker[];
  nameOf: NameOf;
  toggle: () => void;
  seek: (time: number) => void;
  setSpeed: (speed: number) => void;
  setSkip: (skip: boolean) => void;
}

/** Play and pause, the clock, the seek timeline with its markers, speed and idle skipping. */
export function Controls(p: Props) {
  const span = Math.max(1, p.end - p.start);
  const percent = (t: number) => `${(Math.min(Math.max(t - p.start, 0), span) / span) * 100}%`;

  const onKey = (e: KeyboardEvent) => {
    const step = e.shiftKey ? FINE_STEP_MS : STEP_MS;
    const moves: Record<string, number> = {
      ArrowLeft: p.time - step,
      ArrowDown: p.time - step,
      ArrowRight: p.time + step,
      ArrowUp: p.time + step,
      PageDown: p.time - PAGE_STEP_MS,
      PageUp: p.time + PAGE_STEP_MS,
      Home: p.start,
      End: p.end,
    };
    const to = moves[e.key];
    if (to === undefined) return;
    e.preventDefault();
    p.seek(to);
  };

  return (
    <fieldset class="controls" aria-label="Playback">
      <button
        type="button"
        class="primary play"
        data-testid="replay-play"
        aria-pressed={p.playing}
        onClick={p.toggle}
        title="Play or pause (Space)"
      >
        {p.playing ? 'Pause' : 'Play'}
      </button>
      <output class="clock" data-testid="replay-clock" data-at={String(Math.floor(p.time))} aria-live="off">
        <strong>{clock(p.time)}</strong>
        <span class="elapsed">
          {duration(p.time - p.start)} / {duration(span)}
        </span>
      </output>
      <div class="timeline">
        <div class="track" aria-hidden="true">
          <div class="loaded" style={{ width: percent(p.loadedUntil) }} />
        </div>
        {/* Mouse shortcuts only: the list of events offers the same jumps to the keyboard. */}
        <div class="ticks" aria-hidden="true">
          {p.markers
            .filter((m) => ON_TIMELINE.has(m.kind))
            .map((m) => (
              <button
                type="button"
                tabIndex={-1}
                key={m.seq}
                class={`tick kind-${m.kind}`}
                style={{ left: percent(m.at) }}
                title={`${clock(m.at)} ${KIND_LABELS[m.kind]}: ${describe(m, p.nameOf)}`}
                onClick={() => p.seek(m.at)}
              />
            ))}
        </div>
        <input
          type="range"
          data-testid="replay-timeline"
          aria-label="Position in the session"
          aria-valuetext={`${clock(p.time)}, ${duration(p.time - p.start)} of ${duration(span)}`}
          min={p.start}
          max={p.start + span}
          step={1}
          value={p.time}
          onInput={(e) => p.seek(Number(e.currentTarget.value))}
          onKeyDown={onKey}
        />
      </div>
      <label class="speed">
        Speed
        <select
          data-testid="replay-speed"
          value={String(p.speed)}
          onChange={(e) => p.setSpeed(Number(e.currentTarget.value))}
        >
          {SPEEDS.map((s) => (
            <option key={s} value={String(s)}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      <label class="skip">
        <input
          type="checkbox"
          data-testid="replay-skip"
          checked={p.skip}
          onChange={(e) => p.setSkip(e.currentTarget.checked)}
        />
        Skip idle stretches
      </label>
    </fieldset>
  );
}
