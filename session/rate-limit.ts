/** A token bucket: `capacity` messages at once, refilled at `perSecond`. Pure; the clock is passed in. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes `cost` tokens if there are that many (never more than the bucket holds). */
  take(now: number, cost = 1): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    const due = Math.min(cost, this.capacity);
    if (this.tokens < due) return false;
    this.tokens -= due;
    return true;
  }
}

/**
 * Per-connection limits: frames of any kind (the recorder sends many small batches), and chat,
 * which people read. Generous for real use, tight enough that one socket cannot flood a session.
 */
export class ConnectionLimits {
  private readonly frames: TokenBucket;
  private readonly chat: TokenBucket;
  private lastWarning = Number.NEGATIVE_INFINITY;

  constructor(now: number) {
    this.frames = new TokenBucket(1000, 500, now);
    this.chat = new TokenBucket(100, 20, now);
  }

  /** Whether a message of this type may pass now. */
  allow(type: string, now: number): boolean {
    if (!this.frames.take(now)) return false;
    return type !== 'chat' || this.chat.take(now);
  }

  /** At most one refusal message per second goes back, so refusals cannot flood either. */
  shouldWarn(now: number): boolean {
    if (now - this.lastWarning < 1000) return false;
    this.lastWarning = now;
    return true;
  }
}
