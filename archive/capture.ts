import type { BlobStore } from '../store/blobs.js';
import type { ArchiveStore, CaptureRow, ServedResponse } from '../store/types.js';

export interface CaptureLog {
  error(fields: object, message: string): void;
}

/**
 * Keeps what the proxy served: the body once by content hash (shared by every session that saw the
 * same bytes), and a row linking it to the session, URL, status and headers. Bodies are hashed off
 * the event loop and rows written behind in batches; a response seen again unchanged in the same
 * session is not written twice. A row's time is when the response was served.
 */
export class Capture {
  private rows: CaptureRow[] = [];
  private scheduled = false;
  /** Bodies handed to the thread pool for hashing and not yet indexed. */
  private readonly hashing = new Set<Promise<void>>();
  private writing: Promise<void> = Promise.resolve();
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly store: Pick<ArchiveStore, 'addCaptures'>,
    private readonly blobs: BlobStore,
    private readonly log: CaptureLog,
    private readonly now: () => number = Date.now,
  ) {}

  record(r: ServedResponse): void {
    const at = this.now();
    const done: Promise<void> = this.blobs
      .store(r.body)
      .then(
        (hash) => this.index(r, hash, at),
        (err: Error) => this.log.error({ err: err.message, url: r.url }, 'could not keep a served response'),
      )
      .finally(() => this.hashing.delete(done));
    this.hashing.add(done);
  }

  private index(r: ServedResponse, hash: string, at: number): void {
    let seen = this.seen.get(r.sessionId);
    if (!seen) {
      seen = new Set();
      this.seen.set(r.sessionId, seen);
    }
    const key = `${r.label}${r.path}\n${hash}\n${r.status}`;
    if (seen.has(key)) return;
    seen.add(key);
    this.rows.push({
      sessionId: r.sessionId,
      label: r.label,
      path: r.path,
      url: r.url,
      status: r.status,
      headers: r.headers,
      hash,
      size: r.body.length,
      at,
    });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const rows = this.rows;
      this.rows = [];
      this.writing = this.writing
        .then(() => this.store.addCaptures(rows))
        .catch((err: Error) =>
          this.log.error({ err: err.message, rows: rows.length }, 'could not index captures'),
        );
    });
  }

  /** The session has ended: its dedup memory goes. */
  forget(sessionId: string): void {
    this.seen.delete(sessionId);
  }

  /** Resolves once every recorded response is indexed. */
  async drain(): Promise<void> {
    await Promise.all(this.hashing);
    while (this.scheduled || this.rows.length > 0) await new Promise((r) => setImmediate(r));
    await this.writing;
  }
}
