import type { ArchivedEvent, ArchiveStore } from '../store/types.js';
import { chainHash, GENESIS } from './chain.js';

const CHAT_LINES_KEPT = 200;

interface Batch {
  events: ArchivedEvent[];
  /** With the session they deliver for, so a session whose events were lost loses its deliveries. */
  deliveries: Array<{ deliver: () => void; sessionId: string | undefined }>;
  /** Sessions whose chain is sealed once this batch is committed. */
  closing: Set<string>;
  /** Told once the batch has been written, or has failed: nothing is dropped from here. */
  settled: Array<() => void>;
}

const emptyBatch = (): Batch => ({ events: [], deliveries: [], closing: new Set(), settled: [] });

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
  /** Each open session's last appended event: its hash, which the next one chains to, and its seq. */
  private readonly heads = new Map<string, { hash: string; seq: number }>();
  private readonly failureListeners: Array<(sessionId: string) => void> = [];
  private idle: Array<() => void> = [];

  constructor(
    private readonly store: ArchiveStore,
    private readonly log: JournalLog,
    private readonly now: () => number = Date.now,
    /** Seals a session's final hash as it ends (archive/seal.ts); null stores no seal. */
    private readonly seal: ((sessionId: string, finalHash: string) => string) | null = null,
  ) {}

  /**
   * Opens a session's chain where it left off, with what its room continues from: the recent chat
   * and the events its tabs are rebuilt from. A session still known here (its close not yet
   * committed) continues from memory, which is ahead of the database, and is no longer sealed; its
   * chat and tabs are read once what it appended is committed.
   */
  async open(sessionId: string) {
    this.collecting.closing.delete(sessionId);
    this.writing?.closing.delete(sessionId);
    // Its last events may still be on their way to the database, which the room reads from below.
    if (this.heads.has(sessionId)) await this.settled();
    if (!this.heads.has(sessionId)) {
      const last = await this.store.lastEvent(sessionId);
      if (!this.heads.has(sessionId))
        this.heads.set(sessionId, { hash: last?.hash ?? GENESIS, seq: last?.seq ?? 0 });
    }
    await this.store.setSessionEnd(sessionId, null, null, null);
    const chat = await this.store.recentChat(sessionId, CHAT_LINES_KEPT);
    const tabs = await this.store.tabEvents(sessionId);
    return {
      lastSeq: this.heads.get(sessionId)?.seq ?? 0,
      chat: chat.map((e) => ({ seq: e.seq, body: e.body })),
      tabEvents: tabs.map((e) => e.body),
    };
  }

  append(e: Omit<ArchivedEvent, 'hash'>): void {
    const head = this.heads.get(e.sessionId);
    // Not open, or its last commit failed: nothing is appended until the session is opened again.
    if (head === undefined) return;
    const hash = chainHash(head.hash, e.sessionId, e.body);
    head.hash = hash;
    head.seq = e.seq;
    // Field by field rather than spread: this runs for every event of every room.
    this.collecting.events.push({
      sessionId: e.sessionId,
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      tab: e.tab,
      type: e.type,
      body: e.body,
      hash,
    });
    this.schedule();
  }

  after(deliver: () => void, sessionId?: string): void {
    if (this.collecting.events.length > 0 || this.collecting.closing.size > 0)
      this.collecting.deliveries.push({ deliver, sessionId });
    else if (this.writing) this.writing.deliveries.push({ deliver, sessionId });
    else deliver();
  }

  close(sessionId: string): void {
    if (!this.heads.has(sessionId)) return;
    this.collecting.closing.add(sessionId);
    this.schedule();
  }

  /** Seals every open session's chain (a clean stop); resolves once that is committed. */
  sealAll(): Promise<void> {
    for (const sessionId of this.heads.keys()) this.close(sessionId);
    return this.drain();
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

  /**
   * Resolves once what was appended so far has been written or has failed. Unlike drain(), it does
   * not wait for what others append meanwhile, which on a busy node never stops.
   */
  private settled(): Promise<void> {
    const pending = this.collecting.events.length > 0 || this.collecting.closing.size > 0;
    const batch = pending ? this.collecting : this.writing;
    if (!batch) return Promise.resolve();
    return new Promise((resolve) => batch.settled.push(resolve));
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
    let lost = new Set<string>();
    if (batch.events.length > 0) {
      try {
        await this.store.appendEvents(batch.events);
      } catch (err) {
        lost = await this.writeEachSession(batch.events, err as Error);
      }
    }
    for (const sessionId of [...batch.closing]) {
      // Opened again meanwhile: it is no longer closing.
      if (!batch.closing.has(sessionId)) continue;
      const head = this.heads.get(sessionId);
      this.heads.delete(sessionId);
      if (head === undefined) continue;
      try {
        await this.store.setSessionEnd(
          sessionId,
          this.now(),
          head.hash,
          this.seal?.(sessionId, head.hash) ?? null,
        );
      } catch (err) {
        this.log.error({ err: (err as Error).message, session: sessionId }, 'could not seal a session');
      }
    }
    this.writing = null;
    for (const { deliver, sessionId } of batch.deliveries) {
      // A delivery that names no session cannot be told apart: after any loss it is dropped too.
      if (sessionId === undefined ? lost.size > 0 : lost.has(sessionId)) continue;
      try {
        deliver();
      } catch (err) {
        // A socket's failure is that socket's problem; the events are committed all the same.
        this.log.error({ err: (err as Error).message }, 'a delivery failed');
      }
    }
    for (const resolve of batch.settled) resolve();
    return this.continue();
  }

  /** Writes what gathered during the last write, or tells those waiting for quiet that it came. */
  private async continue(): Promise<void> {
    if (this.collecting.events.length > 0 || this.collecting.closing.size > 0) return this.flush();
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }

  /**
   * The group commit failed: each session's events are tried on their own, so one session that
   * cannot be written (a conflict, a bad row) does not take the others down. A session that still
   * fails loses those events and their deliveries (nobody is told of events that were not kept): it
   * stops appending (it has no head), and its room is closed so its participants reconnect to what
   * is archived. Answers the sessions lost.
   */
  private async writeEachSession(events: readonly ArchivedEvent[], groupError: Error): Promise<Set<string>> {
    const bySession = new Map<string, ArchivedEvent[]>();
    for (const e of events) {
      const list = bySession.get(e.sessionId);
      if (list) list.push(e);
      else bySession.set(e.sessionId, [e]);
    }
    const lost = new Set<string>();
    for (const [sessionId, own] of bySession) {
      try {
        await this.store.appendEvents(own);
      } catch {
        lost.add(sessionId);
      }
    }
    if (lost.size === 0) return lost;
    const dropped = [...bySession].filter(([id]) => lost.has(id)).reduce((n, [, own]) => n + own.length, 0);
    this.log.error(
      { err: groupError.message, sessions: [...lost], events: dropped },
      'archive commit failed',
    );
    for (const sessionId of lost) {
      this.collecting.events = this.collecting.events.filter((e) => e.sessionId !== sessionId);
      this.heads.delete(sessionId);
      for (const listener of this.failureListeners) listener(sessionId);
    }
    return lost;
  }
}
