import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.js';
import { eventInserter } from './event-insert.js';
import { EventWriter } from './event-writer.js';
import { migrations } from './migrations.js';
import type {
  ArchivedEvent,
  ArchivedSessionRow,
  ArchiveStore,
  AuditorRow,
  Brand,
  CaptureRow,
  ContentHostRow,
  DeletionRow,
  ImportedSession,
  ParticipantRow,
  SessionFilter,
  SessionRow,
  Store,
  TenantRow,
} from './types.js';

interface SessionRecord {
  id: string;
  tenant_id: string;
  created_at: number;
  start_url: string | null;
  baton_policy: 'support' | 'collaboration';
  live_typing: number;
  host_key_hash: string;
  join_key_hash: string;
  join_key_generation: number;
  locked: number;
}

interface ParticipantRecord {
  id: string;
  session_id: string;
  name: string;
  role: 'owner' | 'follower';
  token_hash: string;
  joined_at: number;
  removed_at: number | null;
  seat: string | null;
}

interface ContentHostRecord {
  label: string;
  session_id: string;
  origin: string;
}

const toSession = (r: SessionRecord): SessionRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  createdAt: r.created_at,
  startUrl: r.start_url,
  batonPolicy: r.baton_policy,
  liveTyping: r.live_typing === 1,
  hostKeyHash: r.host_key_hash,
  joinKeyHash: r.join_key_hash,
  joinKeyGeneration: r.join_key_generation,
  locked: r.locked === 1,
});

const toParticipant = (r: ParticipantRecord): ParticipantRow => ({
  id: r.id,
  sessionId: r.session_id,
  name: r.name,
  role: r.role,
  tokenHash: r.token_hash,
  joinedAt: r.joined_at,
  removedAt: r.removed_at,
  seat: r.seat,
});

const toContentHost = (r: ContentHostRecord): ContentHostRow => ({
  label: r.label,
  sessionId: r.session_id,
  origin: r.origin,
});

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > migrations.length) {
    throw new Error(
      `database schema version ${current} is newer than this build knows (${migrations.length})`,
    );
  }
  const apply = db.transaction(() => {
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v] as string);
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(migrations.length);
  });
  apply();
}

/** The store and its open database, which the desk's stores share (`store/desk-*.ts`). */
export type SqliteStore = Store & ArchiveStore & { readonly db: Database.Database };

/** Opens (creating if needed) `<dataDir>/tandem.db`; `':memory:'` gives a throwaway database for tests. */
export function openSqliteStore(dataDir: string | ':memory:'): SqliteStore {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, 'tandem.db');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  let checkpointer: { stop(): Promise<void> } | null = null;
  let writer: EventWriter | null = null;
  if (file !== ':memory:') {
    db.pragma('wal_autocheckpoint = 0');
    // A log that grew under a burst shrinks back once a checkpoint lets it start over.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    checkpointer = startCheckpointer(file);
    writer = new EventWriter(file);
  }

  const q = {
    ensureTenant: db.prepare('INSERT INTO tenants (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING'),
    tenant: db.prepare('SELECT 1 FROM tenants WHERE id = ?'),
    brandOf: db.prepare('SELECT brand FROM tenants WHERE id = ?'),
    setBrand: db.prepare('UPDATE tenants SET brand = ? WHERE id = ?'),
    createSession: db.prepare(
      'INSERT INTO sessions (id, tenant_id, created_at, start_url, baton_policy, live_typing, host_key_hash, join_key_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    getSession: db.prepare('SELECT * FROM sessions WHERE id = ?'),
    addParticipant: db.prepare(
      'INSERT INTO participants (id, session_id, name, role, token_hash, joined_at, seat) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    getParticipant: db.prepare('SELECT * FROM participants WHERE id = ?'),
    participantByToken: db.prepare('SELECT * FROM participants WHERE session_id = ? AND token_hash = ?'),
    removeParticipant: db.prepare(
      'UPDATE participants SET removed_at = ? WHERE id = ? AND removed_at IS NULL',
    ),
    setLocked: db.prepare('UPDATE sessions SET locked = ? WHERE id = ?'),
    replaceJoinKey: db.prepare(
      'UPDATE sessions SET join_key_hash = ?, join_key_generation = join_key_generation + 1 WHERE id = ? AND join_key_generation = ?',
    ),
    hostBySessionOrigin: db.prepare('SELECT * FROM content_hosts WHERE session_id = ? AND origin = ?'),
    insertHost: db.prepare('INSERT INTO content_hosts (label, session_id, origin) VALUES (?, ?, ?)'),
    hostByLabel: db.prepare('SELECT * FROM content_hosts WHERE label = ?'),
  };

  const contentHostFor = db.transaction((sessionId: string, origin: string, label: string) => {
    const existing = q.hostBySessionOrigin.get(sessionId, origin) as ContentHostRecord | undefined;
    if (existing) return toContentHost(existing);
    q.insertHost.run(label, sessionId, origin);
    return { label, sessionId, origin };
  });

  return {
    db,
    async ensureTenant(t: TenantRow) {
      q.ensureTenant.run(t.id, t.name);
    },
    async tenantExists(id: string) {
      return q.tenant.get(id) !== undefined;
    },
    async brandOf(tenantId: string) {
      const row = q.brandOf.get(tenantId) as { brand: string | null } | undefined;
      return row?.brand ? (JSON.parse(row.brand) as Brand) : null;
    },
    async setBrand(tenantId: string, brand: Brand | null) {
      q.setBrand.run(brand ? JSON.stringify(brand) : null, tenantId);
    },
    async createSession(s: SessionRow) {
      q.createSession.run(
        s.id,
        s.tenantId,
        s.createdAt,
        s.startUrl,
        s.batonPolicy,
        s.liveTyping ? 1 : 0,
        s.hostKeyHash,
        s.joinKeyHash,
      );
    },
    async getSession(id: string) {
      const r = q.getSession.get(id) as SessionRecord | undefined;
      return r && toSession(r);
    },
    async addParticipant(p: ParticipantRow) {
      q.addParticipant.run(p.id, p.sessionId, p.name, p.role, p.tokenHash, p.joinedAt, p.seat ?? null);
    },
    async getParticipant(id: string) {
      const r = q.getParticipant.get(id) as ParticipantRecord | undefined;
      return r && toParticipant(r);
    },
    async findParticipantByTokenHash(sessionId: string, tokenHash: string) {
      const r = q.participantByToken.get(sessionId, tokenHash) as ParticipantRecord | undefined;
      return r && toParticipant(r);
    },
    async removeParticipant(id: string, at: number) {
      q.removeParticipant.run(at, id);
    },
    async setSessionLocked(sessionId: string, locked: boolean) {
      q.setLocked.run(locked ? 1 : 0, sessionId);
    },
    async replaceJoinKey(sessionId: string, generation: number, joinKeyHash: string) {
      return q.replaceJoinKey.run(joinKeyHash, sessionId, generation).changes === 1;
    },
    async contentHostFor(sessionId: string, origin: string, newLabel: () => string) {
      return contentHostFor(sessionId, origin, newLabel());
    },
    async resolveLabel(label: string) {
      const r = q.hostByLabel.get(label) as ContentHostRecord | undefined;
      return r && toContentHost(r);
    },
    ...archiveQueries(db, () => writer),
    async close() {
      await writer?.stop();
      await checkpointer?.stop();
      db.close();
    },
  };
}

interface EventRecord {
  session_id: string;
  seq: number;
  at: number;
  actor: string;
  tab: string | null;
  type: string;
  body: string;
  hash: string;
}

interface CaptureRecord {
  session_id: string;
  label: string;
  path: string;
  url: string;
  status: number;
  headers: string;
  hash: string;
  size: number;
  at: number;
}

interface AuditorRecord {
  id: string;
  tenant_id: string;
  name: string;
  key_hash: string;
  created_at: number;
}

interface DeletionRecord {
  session_id: string;
  tenant_id: string;
  deleted_at: number;
  reason: string;
  events: number;
  final_hash: string | null;
}

const toEvent = (r: EventRecord): ArchivedEvent => ({
  sessionId: r.session_id,
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  tab: r.tab,
  type: r.type,
  body: r.body,
  hash: r.hash,
});

const toCapture = (r: CaptureRecord): CaptureRow => ({
  sessionId: r.session_id,
  label: r.label,
  path: r.path,
  url: r.url,
  status: r.status,
  headers: JSON.parse(r.headers) as Record<string, string>,
  hash: r.hash,
  size: r.size,
  at: r.at,
});

const toAuditor = (r: AuditorRecord): AuditorRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  keyHash: r.key_hash,
  createdAt: r.created_at,
});

const toDeletion = (r: DeletionRecord): DeletionRow => ({
  sessionId: r.session_id,
  tenantId: r.tenant_id,
  deletedAt: r.deleted_at,
  reason: r.reason,
  events: r.events,
  finalHash: r.final_hash,
});

/** LIKE pattern for "contains", with the pattern characters of the input taken literally. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const SESSION_SUMMARY = `SELECT s.id, s.tenant_id, s.created_at, s.ended_at, s.start_url, s.final_hash, s.seal,
    COALESCE((SELECT MAX(seq) FROM archive_events e WHERE e.session_id = s.id), 0) AS last_seq,
    (SELECT at FROM archive_events e WHERE e.session_id = s.id ORDER BY seq DESC LIMIT 1) AS last_at,
    (SELECT json_group_array(json_object('id', p.id, 'name', p.name, 'role', p.role, 'joinedAt', p.joined_at))
       FROM participants p WHERE p.session_id = s.id) AS participants
  FROM sessions s`;

interface SummaryRecord {
  id: string;
  tenant_id: string;
  created_at: number;
  ended_at: number | null;
  start_url: string | null;
  final_hash: string | null;
  seal: string | null;
  last_seq: number;
  last_at: number | null;
  participants: string;
}

const toSummary = (r: SummaryRecord): ArchivedSessionRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  createdAt: r.created_at,
  endedAt: r.ended_at,
  startUrl: r.start_url,
  finalHash: r.final_hash,
  seal: r.seal,
  lastSeq: r.last_seq,
  lastAt: r.last_at,
  participants: JSON.parse(r.participants) as ArchivedSessionRow['participants'],
});

/**
 * `writer`: the thread that appends events, when there is one (not for an in-memory database). A
 * batch is written on the loop instead when it is gone, which process warnings report.
 */
function archiveQueries(db: Database.Database, writer: () => EventWriter | null): ArchiveStore {
  const q = {
    lastEvent: db.prepare('SELECT * FROM archive_events WHERE session_id = ? ORDER BY seq DESC LIMIT 1'),
    // The literal type lets SQLite use the partial index on chat.
    recentChat: db.prepare(
      "SELECT * FROM archive_events WHERE session_id = ? AND type = 'chat' ORDER BY seq DESC LIMIT ?",
    ),
    // The same list as the partial index on tab events, so SQLite uses it.
    tabEvents: db.prepare(
      `SELECT * FROM archive_events WHERE session_id = ?
        AND type IN ('tab', 'tab.closed', 'tab.focus', 'location', 'highlight', 'highlight.clear', 'stroke', 'stroke.clear', 'baton', 'removed')
        ORDER BY seq`,
    ),
    setEnd: db.prepare('UPDATE sessions SET ended_at = ?, final_hash = ?, seal = ? WHERE id = ?'),
    insertCapture: db.prepare(
      'INSERT INTO captures (session_id, label, path, url, status, headers, hash, size, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    summary: db.prepare(`${SESSION_SUMMARY} WHERE s.tenant_id = ? AND s.id = ?`),
    events: db.prepare(
      `SELECT e.* FROM archive_events e JOIN sessions s ON s.id = e.session_id
        WHERE s.tenant_id = ? AND e.session_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`,
    ),
    capture: db.prepare(
      `SELECT c.* FROM captures c JOIN sessions s ON s.id = c.session_id
        WHERE s.tenant_id = ? AND c.session_id = ? AND c.label = ? AND c.path = ? ORDER BY c.at DESC LIMIT 1`,
    ),
    captures: db.prepare(
      `SELECT c.* FROM captures c JOIN sessions s ON s.id = c.session_id
        WHERE s.tenant_id = ? AND c.session_id = ? ORDER BY c.at`,
    ),
    labels: db.prepare(
      `SELECT h.label FROM content_hosts h JOIN sessions s ON s.id = h.session_id
        WHERE s.tenant_id = @tenant AND h.session_id = @session
       UNION
       SELECT c.label FROM captures c JOIN sessions s ON s.id = c.session_id
        WHERE s.tenant_id = @tenant AND c.session_id = @session`,
    ),
    addAuditor: db.prepare(
      'INSERT INTO auditors (id, tenant_id, name, key_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    auditorByKey: db.prepare('SELECT * FROM auditors WHERE key_hash = ?'),
    auditor: db.prepare('SELECT * FROM auditors WHERE id = ?'),
    setRetention: db.prepare('UPDATE tenants SET retention_days = ? WHERE id = ?'),
    expired: db.prepare(
      `SELECT s.id, s.tenant_id FROM sessions s JOIN tenants t ON t.id = s.tenant_id
        WHERE t.retention_days IS NOT NULL
          AND COALESCE(s.ended_at, MAX(s.created_at, COALESCE((SELECT MAX(e.at) FROM archive_events e WHERE e.session_id = s.id), 0)))
              < ? - t.retention_days * 86400000`,
    ),
    sessionOf: db.prepare('SELECT id, final_hash FROM sessions WHERE tenant_id = ? AND id = ?'),
    countEvents: db.prepare('SELECT COUNT(*) AS n FROM archive_events WHERE session_id = ?'),
    deleteEvents: db.prepare('DELETE FROM archive_events WHERE session_id = ?'),
    deleteCaptures: db.prepare('DELETE FROM captures WHERE session_id = ?'),
    deleteHosts: db.prepare('DELETE FROM content_hosts WHERE session_id = ?'),
    deleteParticipants: db.prepare('DELETE FROM participants WHERE session_id = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
    logDeletion: db.prepare(
      'INSERT INTO archive_deletions (session_id, tenant_id, deleted_at, reason, events, final_hash) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    deletions: db.prepare('SELECT * FROM archive_deletions WHERE tenant_id = ? ORDER BY deleted_at'),
    hashUsed: db.prepare('SELECT 1 FROM captures WHERE hash = ? LIMIT 1'),
  };

  const appendEvents = eventInserter(db);
  const addCaptures = db.transaction((rows: readonly CaptureRow[]) => {
    for (const c of rows) {
      q.insertCapture.run(
        c.sessionId,
        c.label,
        c.path,
        c.url,
        c.status,
        JSON.stringify(c.headers),
        c.hash,
        c.size,
        c.at,
      );
    }
  });
  const createSession = db.prepare(
    'INSERT INTO sessions (id, tenant_id, created_at, start_url, baton_policy, host_key_hash, join_key_hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const addParticipant = db.prepare(
    'INSERT INTO participants (id, session_id, name, role, token_hash, joined_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const importSession = db.transaction((i: ImportedSession) => {
    const s = i.session;
    createSession.run(s.id, s.tenantId, s.createdAt, s.startUrl, s.batonPolicy, s.hostKeyHash, s.joinKeyHash);
    for (const p of i.participants)
      addParticipant.run(p.id, p.sessionId, p.name, p.role, p.tokenHash, p.joinedAt);
    appendEvents(i.events);
    addCaptures(i.captures);
    // Sealed, if at all, by the server it came from: this one does not vouch for it.
    q.setEnd.run(i.endedAt, i.finalHash, null, s.id);
  });
  const deleteSession = db.transaction(
    (tenantId: string, sessionId: string, reason: string, now: number): DeletionRow | undefined => {
      const s = q.sessionOf.get(tenantId, sessionId) as { id: string; final_hash: string | null } | undefined;
      if (!s) return undefined;
      const events = (q.countEvents.get(sessionId) as { n: number }).n;
      for (const stmt of [
        q.deleteEvents,
        q.deleteCaptures,
        q.deleteHosts,
        q.deleteParticipants,
        q.deleteSession,
      ])
        stmt.run(sessionId);
      q.logDeletion.run(sessionId, tenantId, now, reason, events, s.final_hash);
      return { sessionId, tenantId, deletedAt: now, reason, events, finalHash: s.final_hash };
    },
  );

  return {
    async appendEvents(events) {
      const thread = writer();
      if (thread && !thread.gone) return thread.append(events);
      appendEvents(events);
    },
    async lastEvent(sessionId) {
      const r = q.lastEvent.get(sessionId) as EventRecord | undefined;
      return r && toEvent(r);
    },
    async recentChat(sessionId, count) {
      return (q.recentChat.all(sessionId, count) as EventRecord[]).map(toEvent).reverse();
    },
    async tabEvents(sessionId) {
      return (q.tabEvents.all(sessionId) as EventRecord[]).map(toEvent);
    },
    async setSessionEnd(sessionId, endedAt, finalHash, seal) {
      q.setEnd.run(endedAt, finalHash, seal, sessionId);
    },
    async addCaptures(rows) {
      addCaptures(rows);
    },
    async archivedSession(tenantId, sessionId) {
      const r = q.summary.get(tenantId, sessionId) as SummaryRecord | undefined;
      return r && toSummary(r);
    },
    async findSessions(tenantId, f: SessionFilter) {
      const where = ['s.tenant_id = ?'];
      const args: Array<string | number> = [tenantId];
      const add = (clause: string, ...values: Array<string | number>) => {
        where.push(clause);
        args.push(...values);
      };
      if (f.from !== undefined) add('s.created_at >= ?', f.from);
      if (f.to !== undefined) add('s.created_at < ?', f.to);
      if (f.before !== undefined) add('s.created_at < ?', f.before);
      const like = "LIKE ? ESCAPE '\\'";
      if (f.participant) {
        add(
          `EXISTS (SELECT 1 FROM participants p WHERE p.session_id = s.id AND p.name ${like})`,
          contains(f.participant),
        );
      }
      if (f.host) {
        add(
          `EXISTS (SELECT 1 FROM participants p WHERE p.session_id = s.id AND p.role = 'owner' AND p.name ${like})`,
          contains(f.host),
        );
      }
      if (f.url) {
        add(
          `(s.start_url ${like} OR EXISTS (SELECT 1 FROM archive_events e WHERE e.session_id = s.id AND e.type = 'location' AND json_extract(e.body, '$.url') ${like}))`,
          contains(f.url),
          contains(f.url),
        );
      }
      if (f.text) {
        add(
          `EXISTS (SELECT 1 FROM archive_events e WHERE e.session_id = s.id AND e.type = 'chat' AND json_extract(e.body, '$.text') ${like})`,
          contains(f.text),
        );
      }
      args.push(f.limit);
      const rows = db
        .prepare(`${SESSION_SUMMARY} WHERE ${where.join(' AND ')} ORDER BY s.created_at DESC LIMIT ?`)
        .all(...args) as SummaryRecord[];
      return rows.map(toSummary);
    },
    async events(tenantId, sessionId, afterSeq, limit) {
      return (q.events.all(tenantId, sessionId, afterSeq, limit) as EventRecord[]).map(toEvent);
    },
    async capture(tenantId, sessionId, label, path) {
      const r = q.capture.get(tenantId, sessionId, label, path) as CaptureRecord | undefined;
      return r && toCapture(r);
    },
    async captures(tenantId, sessionId) {
      return (q.captures.all(tenantId, sessionId) as CaptureRecord[]).map(toCapture);
    },
    async labels(tenantId, sessionId) {
      return (q.labels.all({ tenant: tenantId, session: sessionId }) as Array<{ label: string }>).map(
        (r) => r.label,
      );
    },
    async addAuditor(a) {
      q.addAuditor.run(a.id, a.tenantId, a.name, a.keyHash, a.createdAt);
    },
    async auditorByKeyHash(keyHash) {
      const r = q.auditorByKey.get(keyHash) as AuditorRecord | undefined;
      return r && toAuditor(r);
    },
    async getAuditor(id) {
      const r = q.auditor.get(id) as AuditorRecord | undefined;
      return r && toAuditor(r);
    },
    async setRetention(tenantId, days) {
      q.setRetention.run(days, tenantId);
    },
    async importSession(i) {
      importSession(i);
    },
    async expiredSessions(now) {
      return (q.expired.all(now) as Array<{ id: string; tenant_id: string }>).map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
      }));
    },
    async deleteSession(tenantId, sessionId, reason, now) {
      return deleteSession(tenantId, sessionId, reason, now);
    },
    async deletions(tenantId) {
      return (q.deletions.all(tenantId) as DeletionRecord[]).map(toDeletion);
    },
    async unreferencedBlobs(hashes) {
      return hashes.filter((h) => !q.hashUsed.get(h));
    },
  };
}
