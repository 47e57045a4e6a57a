import type { ArchivedEvent, ArchiveStore } from '../store/types.js';
import { chainHash, GENESIS } from './chain.js';

const CHAT_LINES_KEPT = 200;

interface Batch {
  events: ArchivedEvent[];
  deliveries: Array<() => void>;
  /** Sessions whose chain is sealed once this batch is committed. */
  closing: Set<string>;
}

const emptyBatch = (): Batch => ({ events: [], deliveries: [], closing: new Set() });

export interface JournalLog {
  error(fields: object, message: string): void;
}

/**
 * The durable log behind every room of this node. Events appended while one transaction is being
 * written are gathered into the next (group commit), so the commit rate follows the load instead
 * of costing one transaction per event; deliveries wait for the commit of everything before them.
 */
export class Journal {
  private collecting: Batch = emptyBatch();
  private writing: Batch | null = null;
  private scheduled = false;
  /** The hash of each open session's last appended event. */
  private readonly heads = new Map<string, string>();
  private readonly failureListeners: Array<(sessionId: string) => void> = [];
  private idle: Array<() => void> = [];

  constructor(
    private readonly store: ArchiveStore,
    private readonly log: JournalLog,
    private readonly now: () => number = Date.now,
  ) {}

  async open(sessionId: string) {
    const last = await this.store.lastEvent(sessionId);
    this.heads.set(sessionId, last?.hash ?? GENESIS);
    await this.store.setSessionEnd(sessionId, null, null);
    const chat = await this.store.recentEvents(sessionId, 'chat', CHAT_LINES_KEPT);
    return { lastSeq: last?.seq ?? 0, chat: chat.map((e) => ({ seq: e.seq, body: e.body })) };
  }

  append(e: Omit<ArchivedEvent, 'hash'>): void {
    const head = this.heads.get(e.sessionId);
    // Not open, or its last commit failed: nothing is appended until the session is opened again.
    if (head === undefined) return;
    const hash = chainHash(head, e.sessionId, e.body);
    this.heads.set(e.sessionId, hash);
    this.collecting.events.push({ ...e, hash });
    this.schedule();
  }

  after(deliver: () => void): void {
    if (this.collecting.events.length > 0 || this.collecting.closing.size > 0)
      this.collecting.deliveries.push(deliver);
    else if (this.writing) this.writing.deliveries.push(deliver);
    else deliver();
  }

  close(sessionId: string): void {
    if (!this.heads.has(sessionId)) return;
    this.collecting.closing.add(sessionId);
    this.schedule();
  }

  onFailure(listener: (sessionId: string) => void): void {
    this.failureListeners.push(listener);
  }

  /** Resolves once everything appended so far is committed (for a clean stop). */
  drain(): Promise<void> {
    if (!this.writing && this.collecting.events.length === 0 && this.collecting.closing.size === 0)
      return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    // setImmediate runs after the frames already read in this turn, which then share one commit.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.collecting;
    this.collecting = emptyBatch();
    this.writing = batch;
    try {
      if (batch.events.length > 0) await this.store.appendEvents(batch.events);
      for (const sessionId of batch.closing) {
        const head = this.heads.get(sessionId);
        this.heads.delete(sessionId);
        if (head !== undefined) await this.store.setSessionEnd(sessionId, this.now(), head);
      }
      this.writing = null;
      for (const deliver of batch.deliveries) deliver();
    } catch (err) {
      this.writing = null;
      this.fail(batch, err as Error);
    }
    if (this.collecting.events.length > 0 || this.collecting.closing.size > 0) return this.flush();
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }

  /**
   * A failed commit loses the batch: its deliveries are dropped (nobody was told of those events),
   * the sessions in it stop appending (they have no head), and their rooms are closed so participants reconnect to what
   * is archived.
   */
  private fail(batch: Batch, err: Error): void {
    const sessions = new Set(batch.events.map((e) => e.sessionId));
    this.log.error({ err: err.message, events: batch.events.length }, 'archive commit failed');
    this.collecting.events = this.collecting.events.filter((e) => !sessions.has(e.sessionId));
    for (const sessionId of sessions) {
      this.heads.delete(sessionId);
      for (const listener of this.failureListeners) listener(sessionId);
    }
  }
}
