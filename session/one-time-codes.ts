import { randomToken } from './secrets.js';

const MAX_OUTSTANDING = 100_000;

/**
 * Short-lived single-use codes standing for a value: WebSocket tickets, and the entry codes that
 * carry a participant onto a content host. A code seen in a log is worthless once used or expired.
 */
export class OneTimeCodes<T extends object> {
  private readonly codes = new Map<string, { value: T; expires: number }>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(value: T): string {
    if (this.codes.size >= MAX_OUTSTANDING) this.sweep();
    const code = randomToken(18);
    this.codes.set(code, { value, expires: this.now() + this.lifetimeMs });
    return code;
  }

  /** The value, consuming the code; null when unknown, used, expired, or not `accept`ed. */
  redeem(code: string, accept: (value: T) => boolean): T | null {
    const found = this.codes.get(code);
    if (!found) return null;
    this.codes.delete(code);
    return found.expires >= this.now() && accept(found.value) ? found.value : null;
  }

  private sweep(): void {
    const t = this.now();
    for (const [code, e] of this.codes) if (e.expires < t) this.codes.delete(code);
  }
}
