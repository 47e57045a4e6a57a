import type { RelayedMessage } from '../../session/protocol.js';
import { events, getSession, type SessionSummary } from './api.js';

/** Small first page: the first frame needs only the start of the session. */
const FIRST_PAGE = 200;

/** What opening a replay needs before the first frame: the summary, the first page, the replayer. */
export interface Opening {
  summary: Promise<SessionSummary>;
  first: Promise<{ events: RelayedMessage[]; next: number | null }>;
  players: Promise<typeof import('./players.js')>;
}

let early: { session: string; opening: Opening } | null = null;

function open(session: string): Opening {
  const opening: Opening = {
    summary: getSession(session),
    first: events(session, 0, FIRST_PAGE),
    players: import('./players.js'),
  };
  // Whoever takes the opening handles failures; until then they are not unhandled.
  for (const p of Object.values(opening)) (p as Promise<unknown>).catch(() => undefined);
  return opening;
}

/**
 * Starts the requests and the replayer's download as the page starts, not after the first paint
 * (when the screen's effects run): the first frame comes that much sooner.
 */
export function openEarly(session: string): void {
  early = { session, opening: open(session) };
}

/** The early opening the first time, a fresh one after that (after signing in again, say). */
export function opening(session: string): Opening {
  const found = early?.session === session ? early.opening : null;
  early = null;
  return found ?? open(session);
}
