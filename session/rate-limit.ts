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
    this.refill(now);
    const due = Math.min(cost, this.capacity);
    if (this.tokens < due) return false;
    this.tokens -= due;
    return true;
  }

  /** Whether it has refilled completely, so forgetting it changes nothing. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}

/**
 * A token bucket per key (an IP address, a tenant and origin). Memory stays bounded: when `maxKeys`
 * are held, full buckets are forgotten, and failing that the oldest.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.forget(now);
      bucket = new TokenBucket(this.capacity, this.perSecond, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  private forget(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(key);
    const oldest = this.buckets.keys().next();
    if (this.buckets.size >= this.maxKeys && !oldest.done) this.buckets.delete(oldest.value);
  }
}

/**
 * Per-connection limits: frames of any kind (the recorder sends many small batches), and chat lines
 * and questions, which people read. Generous for real use, tight enough that one socket cannot flood a session.
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
    return (type !== 'chat' && type !== 'question') || this.chat.take(now);
  }

  /** At most one refusal message per second goes back, so refusals cannot flood either. */
  shouldWarn(now: number): boolean {
    if (now - this.lastWarning < 1000) return false;
    this.lastWarning = now;
    return true;
  }
}
