import type { AgentStateName } from '../store/desk-queue-types.js';

/**
 * What the desk tells one agent's console over its live channel, shared with the console's bundle
 * (types only) so both ends read the same shapes.
 */

/** A visitor's request as it is offered to an agent, with when the offer lapses. */
export interface Offer {
  request: {
    id: string;
    name: string | null;
    /** The signed-in desk user who asked (a collaboration visitor); null for an anonymous one. */
    userId: string | null;
    question: string | null;
    from: string;
    waitingSince: number;
  };
  expiresAt: number;
}

/** Another agent brings this one into a session (transfer hands it over, conference adds them). */
export interface Invite {
  sessionId: string;
  mode: 'transfer' | 'conference';
  from: string;
  viewerUrl: string;
}

/** Frames the desk sends to one agent; board and visitor updates are pulled on `changed`. */
export type AgentFrame =
  | ({ type: 'offer' } & Offer)
  | { type: 'offer-withdrawn'; id: string }
  | { type: 'state'; state: AgentStateName; since: number; reason: string }
  | ({ type: 'invite' } & Invite)
  /** A session was booked with them: their calendar changed. */
  | { type: 'calendar' };
