import { randomToken } from './secrets.js';

const LIFETIME_MS = 30_000;

export interface Ticket {
  sessionId: string;
  participantId: string;
}

/**
 * Browsers open /ws with a short-lived single-use ticket instead of their token, so the long-lived
 * token never appears in a URL that proxies or logs might keep.
 */
export class Tickets {
  private readonly tickets = new Map<string, Ticket & { expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(ticket: Ticket): string {
    const t = this.now();
    if (this.tickets.size > 10_000)
      for (const [k, v] of this.tickets) if (v.expires < t) this.tickets.delete(k);
    const id = randomToken(24);
    this.tickets.set(id, { ...ticket, expires: t + LIFETIME_MS });
    return id;
  }

  redeem(id: string, sessionId: string): Ticket | null {
    const found = this.tickets.get(id);
    if (!found) return null;
    this.tickets.delete(id);
    if (found.expires < this.now() || found.sessionId !== sessionId) return null;
    return { sessionId: found.sessionId, participantId: found.participantId };
  }
}
