/**
 * Recent relayed messages of a session (the room keeps its chat lines here), serialised so a resume
 * re-sends the exact bytes. Bounded: a client that missed a message no longer kept gets a fresh
 * checkpoint instead.
 */
export interface HistoryEntry {
  seq: number;
  type: string;
  /** Messages not echoed to their sender are not replayed to it either. */
  skip: string | null;
  /** Only these participants see it (a private chat line); null for everyone. */
  only: ReadonlySet<string> | null;
  /** A fuller version for one participant (typed values for the tab owner); `text` is what others get. */
  forOne: { participant: string; text: string } | null;
  text: string;
}

export class History {
  private readonly entries: HistoryEntry[] = [];
  private start = 0;
  /** The seq of the newest entry dropped to stay within capacity. */
  private droppedThrough = 0;

  constructor(private readonly capacity: number) {}

  push(entry: HistoryEntry): void {
    this.entries.push(entry);
    if (this.entries.length - this.start > this.capacity) {
      this.droppedThrough = (this.entries[this.start] as HistoryEntry).seq;
      this.start++;
    }
    if (this.start > this.capacity) {
      this.entries.splice(0, this.start);
      this.start = 0;
    }
  }

  /** Entries with seq > after, or null when some of them are no longer kept. */
  since(after: number): HistoryEntry[] | null {
    if (after < this.droppedThrough) return null;
    const out: HistoryEntry[] = [];
    for (let i = this.entries.length - 1; i >= this.start; i--) {
      const e = this.entries[i] as HistoryEntry;
      if (e.seq <= after) break;
      out.push(e);
    }
    return out.reverse();
  }

  /** The last `count` entries of one type, oldest first (chat lines for a late joiner). */
  lastOfType(type: string, count: number): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = this.entries.length - 1; i >= this.start && out.length < count; i--) {
      const e = this.entries[i] as HistoryEntry;
      if (e.type === type) out.push(e);
    }
    return out.reverse();
  }
}
