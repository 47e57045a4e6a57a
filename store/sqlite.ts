import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.js';
import type { ContentHostRow, ParticipantRow, SessionRow, Store, TenantRow } from './types.js';

interface SessionRecord {
  id: string;
  tenant_id: string;
  created_at: number;
  start_url: string | null;
  baton_policy: 'support' | 'collaboration';
  host_key_hash: string;
  join_key_hash: string;
}

interface ParticipantRecord {
  id: string;
  session_id: string;
  name: string;
  role: 'owner' | 'follower';
  token_hash: string;
  joined_at: number;
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
  hostKeyHash: r.host_key_hash,
  joinKeyHash: r.join_key_hash,
});

const toParticipant = (r: ParticipantRecord): ParticipantRow => ({
  id: r.id,
  sessionId: r.session_id,
  name: r.name,
  role: r.role,
  tokenHash: r.token_hash,
  joinedAt: r.joined_at,
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

/** Opens (creating if needed) `<dataDir>/tandem.db`; `':memory:'` gives a throwaway database for tests. */
export function openSqliteStore(dataDir: string | ':memory:'): Store {
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

  const q = {
    ensureTenant: db.prepare('INSERT INTO tenants (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING'),
    createSession: db.prepare(
      'INSERT INTO sessions (id, tenant_id, created_at, start_url, baton_policy, host_key_hash, join_key_hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    getSession: db.prepare('SELECT * FROM sessions WHERE id = ?'),
    addParticipant: db.prepare(
      'INSERT INTO participants (id, session_id, name, role, token_hash, joined_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    getParticipant: db.prepare('SELECT * FROM participants WHERE id = ?'),
    participantByToken: db.prepare('SELECT * FROM participants WHERE session_id = ? AND token_hash = ?'),
    hostBySessionOrigin: db.prepare('SELECT * FROM content_hosts WHERE session_id = ? AND origin = ?'),
    insertHost: db.prepare('INSERT INTO content_hosts (label, session_id, origin) VALUES (?, ?, ?)'),
    hostByLabel: db.prepare('SELECT * FROM content_hosts WHERE label = ?'),
    reserveSeq: db.prepare(
      'UPDATE sessions SET seq_reserved = seq_reserved + ? WHERE id = ? RETURNING seq_reserved - ? AS first',
    ),
  };

  const contentHostFor = db.transaction((sessionId: string, origin: string, label: string) => {
    const existing = q.hostBySessionOrigin.get(sessionId, origin) as ContentHostRecord | undefined;
    if (existing) return toContentHost(existing);
    q.insertHost.run(label, sessionId, origin);
    return { label, sessionId, origin };
  });

  return {
    async ensureTenant(t: TenantRow) {
      q.ensureTenant.run(t.id, t.name);
    },
    async createSession(s: SessionRow) {
      q.createSession.run(
        s.id,
        s.tenantId,
        s.createdAt,
        s.startUrl,
        s.batonPolicy,
        s.hostKeyHash,
        s.joinKeyHash,
      );
    },
    async getSession(id: string) {
      const r = q.getSession.get(id) as SessionRecord | undefined;
      return r && toSession(r);
    },
    async addParticipant(p: ParticipantRow) {
      q.addParticipant.run(p.id, p.sessionId, p.name, p.role, p.tokenHash, p.joinedAt);
    },
    async getParticipant(id: string) {
      const r = q.getParticipant.get(id) as ParticipantRecord | undefined;
      return r && toParticipant(r);
    },
    async findParticipantByTokenHash(sessionId: string, tokenHash: string) {
      const r = q.participantByToken.get(sessionId, tokenHash) as ParticipantRecord | undefined;
      return r && toParticipant(r);
    },
    async contentHostFor(sessionId: string, origin: string, newLabel: () => string) {
      return contentHostFor(sessionId, origin, newLabel());
    },
    async resolveLabel(label: string) {
      const r = q.hostByLabel.get(label) as ContentHostRecord | undefined;
      return r && toContentHost(r);
    },
    async reserveSeq(sessionId: string, count: number) {
      const row = q.reserveSeq.get(count, sessionId, count) as { first: number } | undefined;
      if (!row) throw new Error(`no session ${sessionId}`);
      return row.first;
    },
    async close() {
      db.close();
    },
  };
}
