import crypto from 'node:crypto';

/** The hash a session's first record chains to. */
export const GENESIS = '0'.repeat(64);

/**
 * A record's hash covers the previous record's hash, the session it belongs to and the exact text
 * participants received (which itself carries type, seq, at and from): changing, removing,
 * reordering or moving any record between sessions breaks every hash after it.
 */
export function chainHash(previous: string, sessionId: string, body: string): string {
  // One-shot: a Hash object per event cost more than hashing a typical event.
  return crypto.hash('sha256', `${previous}\n${sessionId}\n${body}`, 'hex');
}

export interface ChainRecord {
  seq: number;
  at: number;
  actor: string;
  type: string;
  body: string;
  hash: string;
}

export type Verdict =
  /**
   * `sealed`, for a session that has ended, when the archive can check seals: whether its final
   * hash carries this server's seal (archive/seal.ts).
   */
  | { intact: true; records: number; lastHash: string; sealed?: boolean }
  | { intact: false; records: number; brokenAt: number; reason: string };

/**
 * Checks records in seq order, page by page: `feed` each page, then `finish` with the hash stored
 * when the session ended (null while it is live). Streaming keeps a long session's check in bounded
 * memory.
 */
export class ChainVerifier {
  private previous = GENESIS;
  private lastSeq = 0;
  private count = 0;
  private broken: Verdict | null = null;

  constructor(private readonly sessionId: string) {}

  get done(): boolean {
    return this.broken !== null;
  }

  feed(records: readonly ChainRecord[]): void {
    for (const r of records) {
      if (this.broken) return;
      this.count++;
      const fail = (reason: string) => {
        this.broken = { intact: false, records: this.count, brokenAt: r.seq, reason };
      };
      if (r.seq <= this.lastSeq) return fail(`seq ${r.seq} does not follow ${this.lastSeq}`);
      let parsed: { type?: unknown; seq?: unknown; at?: unknown; from?: unknown };
      try {
        parsed = JSON.parse(r.body) as typeof parsed;
      } catch {
        return fail('the record is not valid JSON');
      }
      if (parsed.seq !== r.seq || parsed.at !== r.at || parsed.type !== r.type || parsed.from !== r.actor) {
        return fail('the record’s columns do not match its text');
      }
      const expected = chainHash(this.previous, this.sessionId, r.body);
      if (expected !== r.hash) return fail('the hash does not match the record and the one before it');
      this.previous = r.hash;
      this.lastSeq = r.seq;
    }
  }

  finish(finalHash: string | null): Verdict {
    if (this.broken) return this.broken;
    if (finalHash !== null && finalHash !== this.previous) {
      return {
        intact: false,
        records: this.count,
        brokenAt: this.lastSeq + 1,
        reason: 'records are missing after the last one: it does not carry the hash stored at the end',
      };
    }
    return { intact: true, records: this.count, lastHash: this.previous };
  }
}
