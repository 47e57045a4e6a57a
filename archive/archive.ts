import { z } from 'zod';
import type { BlobStore } from '../store/blobs.js';
import { hashBody } from '../store/blobs.js';
import type {
  ArchivedEvent,
  ArchivedSessionRow,
  ArchiveStore,
  CaptureRow,
  DeletionRow,
  SessionFilter,
  Store,
} from '../store/types.js';
import { ChainVerifier, type Verdict } from './chain.js';
import { toArchiveUrls } from './replay-urls.js';
import { sealMatches } from './seal.js';

const PAGE = 2000;
/** A body younger than this may not be indexed yet. */
const ORPHAN_AGE_MS = 60 * 60_000;
export const EXPORT_FORMAT = 'tandem-session';
export const EXPORT_VERSION = 1;

/** Raised for a bad export file; the message says what is wrong and where. */
export class ImportError extends Error {
  constructor(
    readonly code: 'bad-file' | 'exists' | 'broken-chain',
    message: string,
  ) {
    super(message);
  }
}

export interface ReplayAsset {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const TEXT_TYPES = /^(text\/|application\/(javascript|json|xml|[a-z.+-]*\+xml))|image\/svg\+xml/i;

const exportHeader = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.number(),
  session: z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    createdAt: z.number(),
    endedAt: z.number().nullable(),
    startUrl: z.string().nullable(),
    finalHash: z.string().nullable(),
  }),
  participants: z.array(
    z.strictObject({
      id: z.string().max(64),
      name: z.string().max(200),
      role: z.enum(['owner', 'follower']),
      joinedAt: z.number(),
    }),
  ),
});
const exportLine = z.union([
  z.strictObject({
    event: z.strictObject({
      seq: z.number().int().positive(),
      at: z.number(),
      actor: z.string(),
      tab: z.string().nullable(),
      type: z.string(),
      body: z.string(),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  }),
  z.strictObject({
    capture: z.strictObject({
      label: z.string(),
      path: z.string(),
      url: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().nonnegative(),
      at: z.number(),
    }),
  }),
  z.strictObject({ blob: z.strictObject({ hash: z.string().regex(/^[0-9a-f]{64}$/), base64: z.string() }) }),
]);

type ArchiveStoreAll = ArchiveStore & Pick<Store, 'getSession'>;

/** The auditor's side of the archive: finding sessions, reading them back, checking, moving, expiring. */
export class Archive {
  constructor(
    private readonly store: ArchiveStoreAll,
    private readonly blobs: BlobStore,
    /** Where the replay screen fetches captured assets: the app origin. */
    private readonly appOrigin: string,
    /** The key sessions are sealed with when they end; null checks no seals. */
    private readonly sealKey: Buffer | null = null,
  ) {}

  session(tenantId: string, id: string): Promise<ArchivedSessionRow | undefined> {
    return this.store.archivedSession(tenantId, id);
  }

  find(tenantId: string, filter: SessionFilter): Promise<ArchivedSessionRow[]> {
    return this.store.findSessions(tenantId, filter);
  }

  assetBase(sessionId: string): string {
    return `${this.appOrigin}/api/archive/sessions/${encodeURIComponent(sessionId)}/assets`;
  }

  /**
   * A page of events after `after`, as participants received them but with every content-host URL
   * pointing into the archive. `next` is the seq to continue after, or null at the end.
   */
  async events(
    tenantId: string,
    sessionId: string,
    after: number,
    limit: number,
  ): Promise<{ events: string[]; next: number | null }> {
    const rewrite = await this.urlRewriter(tenantId, sessionId);
    const rows = await this.store.events(tenantId, sessionId, after, limit);
    const last = rows.at(-1);
    return {
      events: rows.map((r) => rewrite(r.body)),
      next: rows.length === limit && last ? last.seq : null,
    };
  }

  async asset(
    tenantId: string,
    sessionId: string,
    label: string,
    path: string,
  ): Promise<ReplayAsset | undefined> {
    const row = await this.store.capture(tenantId, sessionId, label, path);
    if (!row) return undefined;
    const body = this.blobs.get(row.hash);
    if (!body) return undefined;
    const type = row.headers['content-type'] ?? 'application/octet-stream';
    const headers: Record<string, string> = { 'content-type': type };
    if (row.headers['content-encoding']) headers['content-encoding'] = row.headers['content-encoding'];
    if (TEXT_TYPES.test(type) && !row.headers['content-encoding']) {
      const rewrite = await this.urlRewriter(tenantId, sessionId);
      return { status: row.status, headers, body: Buffer.from(rewrite(body.toString('utf8'))) };
    }
    return { status: row.status, headers, body };
  }

  /** Checks the session's whole chain, page by page; undefined when the tenant has no such session. */
  async verify(tenantId: string, sessionId: string): Promise<Verdict | undefined> {
    const session = await this.store.archivedSession(tenantId, sessionId);
    if (!session) return undefined;
    const verifier = new ChainVerifier(sessionId);
    let after = 0;
    for (;;) {
      const rows = await this.store.events(tenantId, sessionId, after, PAGE);
      verifier.feed(rows);
      const last = rows.at(-1);
      if (rows.length < PAGE || !last || verifier.done) break;
      after = last.seq;
    }
    const verdict = verifier.finish(session.finalHash);
    if (!verdict.intact || !this.sealKey || session.finalHash === null) return verdict;
    if (session.seal === null) return { ...verdict, sealed: false };
    if (sealMatches(this.sealKey, session.id, session.finalHash, session.seal))
      return { ...verdict, sealed: true };
    return {
      intact: false,
      records: verdict.records,
      brokenAt: session.lastSeq,
      reason: 'the final hash does not carry this server’s seal: the records were rewritten outside Tandem',
    };
  }

  /** The session as JSON lines: a header, the events, the captures, then each body once. */
  async *exportLines(tenantId: string, sessionId: string): AsyncGenerator<string> {
    const s = await this.store.archivedSession(tenantId, sessionId);
    if (!s) return;
    yield JSON.stringify({
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: Date.now(),
      session: {
        id: s.id,
        createdAt: s.createdAt,
        endedAt: s.endedAt,
        startUrl: s.startUrl,
        finalHash: s.finalHash,
      },
      participants: s.participants,
    });
    let after = 0;
    for (;;) {
      const rows = await this.store.events(tenantId, sessionId, after, PAGE);
      for (const e of rows) {
        const { sessionId: _s, ...event } = e;
        yield JSON.stringify({ event });
      }
      const last = rows.at(-1);
      if (rows.length < PAGE || !last) break;
      after = last.seq;
    }
    const captures = await this.store.captures(tenantId, sessionId);
    const hashes = new Set<string>();
    for (const c of captures) {
      const { sessionId: _s, ...capture } = c;
      yield JSON.stringify({ capture });
      hashes.add(c.hash);
    }
    for (const hash of hashes) {
      const body = this.blobs.get(hash);
      if (body) yield JSON.stringify({ blob: { hash, base64: body.toString('base64') } });
    }
  }

  /**
   * Imports an exported session into `tenantId` under its original id (its chain is bound to it).
   * Everything is checked before anything is written: the format, every body against its hash, and
   * the chain against the final hash.
   */
  async import(tenantId: string, lines: AsyncIterable<string>): Promise<{ id: string; events: number }> {
    let header: z.infer<typeof exportHeader> | null = null;
    const events: ArchivedEvent[] = [];
    const captures: CaptureRow[] = [];
    const bodies = new Map<string, Buffer>();
    let n = 0;
    for await (const raw of lines) {
      n++;
      const line = raw.trim();
      if (!line) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new ImportError('bad-file', `line ${n} is not JSON`);
      }
      if (!header) {
        const h = exportHeader.safeParse(json);
        if (!h.success) throw new ImportError('bad-file', `line 1 is not a ${EXPORT_FORMAT} header`);
        header = h.data;
        continue;
      }
      const parsed = exportLine.safeParse(json);
      if (!parsed.success) throw new ImportError('bad-file', `line ${n} is not an event, capture or body`);
      const v = parsed.data;
      if ('event' in v) events.push({ sessionId: header.session.id, ...v.event });
      else if ('capture' in v) captures.push({ sessionId: header.session.id, ...v.capture });
      else {
        const body = Buffer.from(v.blob.base64, 'base64');
        if (hashBody(body) !== v.blob.hash)
          throw new ImportError('bad-file', `line ${n}: the body does not match its hash`);
        bodies.set(v.blob.hash, body);
      }
    }
    if (!header) throw new ImportError('bad-file', 'the file is empty');
    const id = header.session.id;
    const verifier = new ChainVerifier(id);
    verifier.feed(events);
    const verdict = verifier.finish(header.session.finalHash);
    if (!verdict.intact) {
      throw new ImportError('broken-chain', `record ${verdict.brokenAt} fails the check: ${verdict.reason}`);
    }
    for (const c of captures) {
      if (!bodies.has(c.hash)) throw new ImportError('bad-file', `the body of ${c.url} is missing`);
    }
    const ids = new Set(header.participants.map((p) => p.id));
    if (ids.size !== header.participants.length)
      throw new ImportError('bad-file', 'a participant is listed twice');
    if (await this.store.getSession(id))
      throw new ImportError('exists', `session ${id} is already in this archive`);
    for (const body of bodies.values()) this.blobs.put(body);
    // Keys nobody can present: an imported session can be replayed, never joined.
    await this.store.importSession({
      session: {
        id,
        tenantId,
        createdAt: header.session.createdAt,
        startUrl: header.session.startUrl,
        batonPolicy: 'support',
        hostKeyHash: '-',
        joinKeyHash: '-',
      },
      // A token hash no token has (not hex), distinct per participant as the table requires.
      participants: header.participants.map((p) => ({ ...p, sessionId: id, tokenHash: `imported:${p.id}` })),
      events,
      captures,
      endedAt: header.session.endedAt,
      finalHash: header.session.finalHash,
    });
    return { id, events: events.length };
  }

  /** Deletes a session and the bodies no other session refers to; the deletion itself is logged. */
  async delete(
    tenantId: string,
    sessionId: string,
    reason: string,
    now = Date.now(),
  ): Promise<DeletionRow | undefined> {
    const hashes = [...new Set((await this.store.captures(tenantId, sessionId)).map((c) => c.hash))];
    const deleted = await this.store.deleteSession(tenantId, sessionId, reason, now);
    if (deleted) for (const hash of await this.store.unreferencedBlobs(hashes)) this.blobs.delete(hash);
    return deleted;
  }

  deletions(tenantId: string): Promise<DeletionRow[]> {
    return this.store.deletions(tenantId);
  }

  /**
   * Applies every tenant's retention period, then removes bodies nothing refers to: those a crash
   * left between writing a body and indexing it. Recent ones are spared, as their rows may still be
   * on their way.
   */
  async sweep(
    now = Date.now(),
    isLive: (sessionId: string) => boolean = () => false,
  ): Promise<DeletionRow[]> {
    const done: DeletionRow[] = [];
    for (const s of await this.store.expiredSessions(now)) {
      // A room still open (quiet for the whole period, but people connected) is not expired.
      if (isLive(s.id)) continue;
      const d = await this.delete(s.tenantId, s.id, 'retention period over', now);
      if (d) done.push(d);
    }
    const batch: string[] = [];
    const dropUnused = async () => {
      for (const hash of await this.store.unreferencedBlobs(batch.splice(0))) this.blobs.delete(hash);
    };
    for await (const b of this.blobs.list()) {
      if (b.writtenAt >= now - ORPHAN_AGE_MS) continue;
      batch.push(b.hash);
      if (batch.length === PAGE) await dropUnused();
    }
    await dropUnused();
    return done;
  }

  private async urlRewriter(tenantId: string, sessionId: string): Promise<(text: string) => string> {
    return toArchiveUrls(await this.store.labels(tenantId, sessionId), this.assetBase(sessionId));
  }
}
