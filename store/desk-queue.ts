import type Database from 'better-sqlite3';
import type {
  AgentStateRow,
  DeskQueueStore,
  DeskRequestRow,
  DeskSessionRow,
  RequestUpdate,
  StaffRow,
} from './desk-queue-types.js';

interface RequestRecord {
  id: string;
  tenant_id: string;
  key_hash: string;
  visitor_id: string | null;
  user_id: string | null;
  name: string | null;
  question: string | null;
  from_url: string;
  skill: string | null;
  scenario: DeskRequestRow['scenario'];
  status: DeskRequestRow['status'];
  created_at: number;
  updated_at: number;
  session_id: string | null;
  agent_id: string | null;
  scheduled_at: number | null;
  abandon_reason: string | null;
}

interface SessionRecord {
  session_id: string;
  tenant_id: string;
  request_id: string;
  agent_id: string;
  scenario: DeskSessionRow['scenario'];
  settings_version: number;
  channel: string;
  started_at: number;
  ended_at: number | null;
  end_reason: string | null;
}

interface StaffRecord {
  session_id: string;
  user_id: string;
  kind: StaffRow['kind'];
  joined_at: number;
  barged_at: number | null;
}

const toRequest = (r: RequestRecord): DeskRequestRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  keyHash: r.key_hash,
  visitorId: r.visitor_id,
  userId: r.user_id,
  name: r.name,
  question: r.question,
  fromUrl: r.from_url,
  skill: r.skill,
  scenario: r.scenario,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  sessionId: r.session_id,
  agentId: r.agent_id,
  scheduledAt: r.scheduled_at,
  abandonReason: r.abandon_reason,
});

const toSession = (r: SessionRecord): DeskSessionRow => ({
  sessionId: r.session_id,
  tenantId: r.tenant_id,
  requestId: r.request_id,
  agentId: r.agent_id,
  scenario: r.scenario,
  settingsVersion: r.settings_version,
  channel: r.channel,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  endReason: r.end_reason,
});

const toStaff = (r: StaffRecord): StaffRow => ({
  sessionId: r.session_id,
  userId: r.user_id,
  kind: r.kind,
  joinedAt: r.joined_at,
  bargedAt: r.barged_at,
});

/** Columns a request update may set, by field name. */
const REQUEST_COLUMNS: Record<keyof RequestUpdate, string> = {
  status: 'status',
  sessionId: 'session_id',
  agentId: 'agent_id',
  scheduledAt: 'scheduled_at',
  abandonReason: 'abandon_reason',
  name: 'name',
  question: 'question',
};

/** The desk queue's tables (migration 7) on the shared SQLite handle. */
export class SqliteDeskQueue implements DeskQueueStore {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      recordState: db.prepare(
        'INSERT INTO desk_agent_states (tenant_id, user_id, state, at) VALUES (?, ?, ?, ?)',
      ),
      currentStates: db.prepare(
        // SQLite takes the bare columns from the row with the largest id: the latest change.
        'SELECT user_id, state, at, MAX(id) FROM desk_agent_states WHERE tenant_id = ? GROUP BY user_id',
      ),
      stateHistory: db.prepare(
        'SELECT user_id, state, at FROM desk_agent_states WHERE tenant_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?',
      ),
      addRequest: db.prepare(
        `INSERT INTO desk_requests (id, tenant_id, key_hash, visitor_id, user_id, name, question, from_url, skill, scenario,
           status, created_at, updated_at, session_id, agent_id, scheduled_at, abandon_reason)
         VALUES (@id, @tenantId, @keyHash, @visitorId, @userId, @name, @question, @fromUrl, @skill, @scenario, @status,
           @createdAt, @updatedAt, @sessionId, @agentId, @scheduledAt, @abandonReason)`,
      ),
      getRequest: db.prepare('SELECT * FROM desk_requests WHERE tenant_id = ? AND id = ?'),
      requestTenant: db.prepare('SELECT tenant_id FROM desk_requests WHERE id = ?'),
      requestBySession: db.prepare('SELECT * FROM desk_requests WHERE tenant_id = ? AND session_id = ?'),
      openRequests: db.prepare(
        "SELECT * FROM desk_requests WHERE tenant_id = ? AND status IN ('waiting', 'overflow') ORDER BY created_at, rowid",
      ),
      calendar: db.prepare(
        "SELECT * FROM desk_requests WHERE tenant_id = ? AND agent_id = ? AND status = 'scheduled' AND scheduled_at >= ? ORDER BY scheduled_at",
      ),
      scheduledBetween: db.prepare(
        "SELECT * FROM desk_requests WHERE tenant_id = ? AND status IN ('scheduled', 'placed') AND scheduled_at >= ? AND scheduled_at < ?",
      ),
      addSession: db.prepare(
        `INSERT INTO desk_sessions (session_id, tenant_id, request_id, agent_id, scenario, settings_version, channel, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getSession: db.prepare('SELECT * FROM desk_sessions WHERE tenant_id = ? AND session_id = ?'),
      openSessions: db.prepare('SELECT * FROM desk_sessions WHERE tenant_id = ? AND ended_at IS NULL'),
      endSession: db.prepare(
        'UPDATE desk_sessions SET ended_at = ?, end_reason = ? WHERE tenant_id = ? AND session_id = ? AND ended_at IS NULL',
      ),
      setLead: db.prepare('UPDATE desk_sessions SET agent_id = ? WHERE tenant_id = ? AND session_id = ?'),
      addStaff: db.prepare(
        'INSERT INTO desk_session_staff (session_id, tenant_id, user_id, kind, joined_at) VALUES (?, ?, ?, ?, ?)',
      ),
      staffOf: db.prepare(
        'SELECT * FROM desk_session_staff WHERE tenant_id = ? AND session_id = ? ORDER BY rowid',
      ),
      barge: db.prepare(
        "UPDATE desk_session_staff SET barged_at = ? WHERE tenant_id = ? AND session_id = ? AND user_id = ? AND kind = 'monitor' AND barged_at IS NULL",
      ),
    };
  }

  recordState(tenantId: string, userId: string, state: AgentStateRow['state'], at: number): void {
    this.q.recordState.run(tenantId, userId, state, at);
  }

  currentStates(tenantId: string): AgentStateRow[] {
    return (
      this.q.currentStates.all(tenantId) as Array<{
        user_id: string;
        state: AgentStateRow['state'];
        at: number;
      }>
    ).map((r) => ({ userId: r.user_id, state: r.state, at: r.at }));
  }

  stateHistory(tenantId: string, userId: string, limit: number): AgentStateRow[] {
    return (
      this.q.stateHistory.all(tenantId, userId, limit) as Array<{
        user_id: string;
        state: AgentStateRow['state'];
        at: number;
      }>
    ).map((r) => ({ userId: r.user_id, state: r.state, at: r.at }));
  }

  addRequest(row: DeskRequestRow): void {
    this.q.addRequest.run(row);
  }

  getRequest(tenantId: string, id: string): DeskRequestRow | undefined {
    const r = this.q.getRequest.get(tenantId, id) as RequestRecord | undefined;
    return r && toRequest(r);
  }

  requestTenant(id: string): string | undefined {
    return (this.q.requestTenant.get(id) as { tenant_id: string } | undefined)?.tenant_id;
  }

  requestBySession(tenantId: string, sessionId: string): DeskRequestRow | undefined {
    const r = this.q.requestBySession.get(tenantId, sessionId) as RequestRecord | undefined;
    return r && toRequest(r);
  }

  updateRequest(tenantId: string, id: string, update: RequestUpdate, at: number): void {
    const fields = Object.keys(update) as Array<keyof RequestUpdate>;
    const sets = fields.map((f) => `${REQUEST_COLUMNS[f]} = ?`);
    this.db
      .prepare(
        `UPDATE desk_requests SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE tenant_id = ? AND id = ?`,
      )
      .run(...fields.map((f) => update[f] ?? null), at, tenantId, id);
  }

  openRequests(tenantId: string): DeskRequestRow[] {
    return (this.q.openRequests.all(tenantId) as RequestRecord[]).map(toRequest);
  }

  calendar(tenantId: string, agentId: string, from: number): DeskRequestRow[] {
    return (this.q.calendar.all(tenantId, agentId, from) as RequestRecord[]).map(toRequest);
  }

  scheduledBetween(tenantId: string, from: number, to: number): DeskRequestRow[] {
    return (this.q.scheduledBetween.all(tenantId, from, to) as RequestRecord[]).map(toRequest);
  }

  addSession(row: DeskSessionRow): void {
    this.q.addSession.run(
      row.sessionId,
      row.tenantId,
      row.requestId,
      row.agentId,
      row.scenario,
      row.settingsVersion,
      row.channel,
      row.startedAt,
    );
  }

  getSession(tenantId: string, sessionId: string): DeskSessionRow | undefined {
    const r = this.q.getSession.get(tenantId, sessionId) as SessionRecord | undefined;
    return r && toSession(r);
  }

  openSessions(tenantId: string): DeskSessionRow[] {
    return (this.q.openSessions.all(tenantId) as SessionRecord[]).map(toSession);
  }

  endSession(tenantId: string, sessionId: string, at: number, reason: string): void {
    this.q.endSession.run(at, reason, tenantId, sessionId);
  }

  setLead(tenantId: string, sessionId: string, agentId: string): void {
    this.q.setLead.run(agentId, tenantId, sessionId);
  }

  addStaff(tenantId: string, row: StaffRow): void {
    this.q.addStaff.run(row.sessionId, tenantId, row.userId, row.kind, row.joinedAt);
  }

  staffOf(tenantId: string, sessionId: string): StaffRow[] {
    return (this.q.staffOf.all(tenantId, sessionId) as StaffRecord[]).map(toStaff);
  }

  barge(tenantId: string, sessionId: string, userId: string, at: number): void {
    this.q.barge.run(at, tenantId, sessionId, userId);
  }
}
