import { OneTimeCodes } from './one-time-codes.js';

export interface Ticket {
  sessionId: string;
  participantId: string;
}

/**
 * Browsers open /ws with a short-lived single-use ticket instead of their token, so the long-lived
 * token never appears in a URL that proxies or logs might keep.
 */
export const newTickets = () => new OneTimeCodes<Ticket>(30_000);

export type Tickets = OneTimeCodes<Ticket>;
