/**
 * What the tab owner's browser has already loaded, per session, so followers' mirrors can show the
 * same images, styles and fonts without anyone but the owner ever talking to the upstream site.
 */
export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Fetched without the session's cookies, so it may go to a request that carries none. */
  anonymous?: boolean;
}

export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
const MAX_SESSION_BYTES = 128 * 1024 * 1024;

class SessionEntries {
  readonly entries = new Map<string, CachedResponse>();
  bytes = 0;
}

export class SessionCache {
  private readonly sessions = new Map<string, SessionEntries>();

  constructor(private readonly maxSessionBytes = MAX_SESSION_BYTES) {}

  put(sessionId: string, key: string, response: CachedResponse): void {
    if (response.body.length > MAX_ENTRY_BYTES) return;
    let s = this.sessions.get(sessionId);
    if (!s) {
      s = new SessionEntries();
      this.sessions.set(sessionId, s);
    }
    const old = s.entries.get(key);
    if (old) {
      s.bytes -= old.body.length;
      s.entries.delete(key);
    }
    s.entries.set(key, response);
    s.bytes += response.body.length;
    // Map iteration order is insertion order: the first entries are the least recently stored.
    for (const [k, v] of s.entries) {
      if (s.bytes <= this.maxSessionBytes) break;
      s.entries.delete(k);
      s.bytes -= v.body.length;
    }
  }

  get(sessionId: string, key: string): CachedResponse | undefined {
    return this.sessions.get(sessionId)?.entries.get(key);
  }

  drop(sessionId: string): void {
    this.sessions.delete(sessionId);
  }
}
