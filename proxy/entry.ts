import crypto from 'node:crypto';

export interface Entry {
  sessionId: string;
  participantId: string;
  label: string;
}

const LIFETIME_MS = 60_000;
const MAX_OUTSTANDING = 100_000;

/**
 * One-time codes that carry a participant from the app origin onto a content host, where the code is
 * exchanged for the host-only cookie. Single use and short-lived, so a code seen in a log is useless.
 */
export class EntryCodes {
  private readonly codes = new Map<string, Entry & { expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(entry: Entry): string {
    if (this.codes.size >= MAX_OUTSTANDING) this.sweep();
    const code = crypto.randomBytes(18).toString('base64url');
    this.codes.set(code, { ...entry, expires: this.now() + LIFETIME_MS });
    return code;
  }

  /** The entry for a code issued for this label, consuming it; null when unknown, used or expired. */
  redeem(code: string, label: string): Entry | null {
    const found = this.codes.get(code);
    if (!found) return null;
    this.codes.delete(code);
    if (found.expires < this.now() || found.label !== label) return null;
    return { sessionId: found.sessionId, participantId: found.participantId, label: found.label };
  }

  private sweep(): void {
    const t = this.now();
    for (const [code, e] of this.codes) if (e.expires < t) this.codes.delete(code);
  }
}
