/** Pure wording and parsing for the desk's screens, kept apart from the DOM so it is unit-tested. */
import type { AgentState, RequestView } from './api.js';

export const STATE_LABELS: Record<AgentState, string> = {
  ready: 'Ready',
  'not-ready': 'Not ready',
  away: 'Away',
  break: 'On break',
};

/** A duration as people read it on a board: `45 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Whole seconds left before an offer expires, never negative. */
export const secondsLeft = (expiresAt: number, now: number) =>
  Math.max(0, Math.ceil((expiresAt - now) / 1000));

/** A wait estimate rounded the way a person says it; nobody needs "137 seconds". */
export function describeExpectedWait(seconds: number): string {
  if (seconds < 45) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'about 1 minute' : `about ${minutes} minutes`;
}

/** The visitor's one-line status on the wait page. */
export function describeRequest(view: RequestView): string {
  switch (view.status) {
    case 'waiting': {
      const place =
        view.position === null || view.position <= 1
          ? 'You are next.'
          : `You are number ${view.position} in line.`;
      return view.expectedWaitSeconds === null
        ? `${place} No agent is free yet; the first one who is will take your request.`
        : `${place} Expected wait: ${describeExpectedWait(view.expectedWaitSeconds)}.`;
    }
    case 'offered':
      return 'An agent is being asked to take your request…';
    case 'placed':
      return 'An agent accepted. Opening your session…';
    case 'overflow':
      return 'No agent can take your request right now.';
    case 'scheduled':
      return 'Your session is booked.';
    case 'abandoned':
      return 'Your request was closed.';
  }
}

/** Why the desk changed an agent's state, as a sentence; a reason it does not know is still shown. */
export function describeStateChange(state: AgentState, reason: string): string {
  const why = reason === 'missed-offer' ? 'an offer went unanswered' : reason;
  return `The desk set you to ${STATE_LABELS[state]} because ${why}. Choose Ready when you are back.`;
}

/** What the agent hears and reads when paged. */
export function pageText(name: string | null, question: string | null): string {
  const who = name?.trim() || 'A visitor';
  const q = question?.trim();
  return q ? `${who} needs help: ${q}` : `${who} needs help.`;
}

/**
 * The allowed-origins box: one origin per line, each an exact `scheme://host[:port]` with nothing
 * after it, because the server compares origins exactly and a path would never match.
 */
export function parseOrigins(text: string): { origins: string[]; errors: string[] } {
  const origins: string[] = [];
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    const raw = line.trim();
    if (!raw) continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      errors.push(`"${raw}" is not an address such as https://shop.example`);
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      errors.push(`"${raw}" must start with https:// or http://`);
    } else if (raw.replace(/\/$/, '') !== url.origin) {
      errors.push(`"${raw}" must be an origin only, such as ${url.origin}`);
    } else if (!origins.includes(url.origin)) {
      origins.push(url.origin);
    }
  }
  return { origins, errors };
}

/** A comma-separated list (skills, mask selectors) as the trimmed, non-empty items. */
export const parseList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The value of an `<input type="datetime-local">` as epoch ms, read in the visitor's own time zone;
 * null when empty or not in the future.
 */
export function parseLocalDateTime(value: string, now: number): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const at = new Date(value).getTime();
  return Number.isFinite(at) && at > now ? at : null;
}

/**
 * A recorded detail (an alert's or an audit entry's) as "origin: http://a.example · page: …" for
 * people; nested values as compact JSON.
 */
export function describeDetail(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`,
    )
    .join(' · ');
}
