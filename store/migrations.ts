/** Ordered schema steps; a step is never edited once released, only followed by a new one. */
export const migrations: readonly string[] = [
  `CREATE TABLE tenants (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL
   );
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     created_at INTEGER NOT NULL,
     start_url TEXT,
     host_key_hash TEXT NOT NULL,
     join_key_hash TEXT NOT NULL
   );
   CREATE INDEX sessions_tenant ON sessions(tenant_id, created_at);
   CREATE TABLE participants (
     id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id),
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('owner', 'follower')),
     token_hash TEXT NOT NULL,
     joined_at INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX participants_token ON participants(session_id, token_hash);
   CREATE TABLE content_hosts (
     label TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id),
     origin TEXT NOT NULL,
     UNIQUE (session_id, origin)
   );`,
  // The high-water mark of reserved message sequence numbers, so seq keeps increasing across restarts.
  `ALTER TABLE sessions ADD COLUMN seq_reserved INTEGER NOT NULL DEFAULT 0;`,
  // Whether followers may take the baton without being given it.
  `ALTER TABLE sessions ADD COLUMN baton_policy TEXT NOT NULL DEFAULT 'support' CHECK (baton_policy IN ('support', 'collaboration'));`,
  // The archive: every ordered event hash-chained per session, the responses served in it, auditors.
  `CREATE TABLE archive_events (
     id INTEGER PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id),
     seq INTEGER NOT NULL,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     tab TEXT,
     type TEXT NOT NULL,
     body TEXT NOT NULL,
     hash TEXT NOT NULL,
     UNIQUE (session_id, seq)
   );
   -- Only the types that are looked up by type (recent chat, search): a full index on type costs
   -- every commit a page per session written and halves the archive's write rate.
   CREATE INDEX archive_events_chat ON archive_events(session_id, seq) WHERE type = 'chat';
   CREATE INDEX archive_events_location ON archive_events(session_id, seq) WHERE type = 'location';
   ALTER TABLE sessions ADD COLUMN ended_at INTEGER;
   ALTER TABLE sessions ADD COLUMN final_hash TEXT;
   ALTER TABLE tenants ADD COLUMN retention_days INTEGER;
   CREATE TABLE captures (
     id INTEGER PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id),
     label TEXT NOT NULL,
     path TEXT NOT NULL,
     url TEXT NOT NULL,
     status INTEGER NOT NULL,
     headers TEXT NOT NULL,
     hash TEXT NOT NULL,
     size INTEGER NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX captures_lookup ON captures(session_id, label, path, at);
   CREATE INDEX captures_hash ON captures(hash);
   CREATE TABLE auditors (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     name TEXT NOT NULL,
     key_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE archive_deletions (
     id INTEGER PRIMARY KEY,
     session_id TEXT NOT NULL,
     tenant_id TEXT NOT NULL,
     deleted_at INTEGER NOT NULL,
     reason TEXT NOT NULL,
     events INTEGER NOT NULL,
     final_hash TEXT
   );`,
  // A participant the host removed: their token opens nothing any more.
  // Whether others watch chat lines as they are typed.
  `ALTER TABLE participants ADD COLUMN removed_at INTEGER;
   ALTER TABLE sessions ADD COLUMN live_typing INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE tenants ADD COLUMN brand TEXT;`,
  // The help desk's accounts: a tenant's public key for its "Get help" link, its users and their
  // sign-ins, failed logins for the lockout, settings kept as versions, the admin audit log, alerts.
  `ALTER TABLE tenants ADD COLUMN public_key TEXT;
   CREATE UNIQUE INDEX tenants_public_key ON tenants(public_key) WHERE public_key IS NOT NULL;
   CREATE TABLE desk_users (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     email TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
     password_hash TEXT NOT NULL,
     skills TEXT NOT NULL,
     max_sessions INTEGER NOT NULL,
     totp_secret TEXT,
     totp_pending TEXT,
     totp_last_step INTEGER,
     disabled_at INTEGER,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX desk_users_tenant ON desk_users(tenant_id, created_at);
   CREATE TABLE desk_logins (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES desk_users(id),
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX desk_logins_user ON desk_logins(tenant_id, user_id);
   CREATE TABLE desk_login_failures (
     email TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX desk_login_failures_email ON desk_login_failures(email, at);
   CREATE INDEX desk_login_failures_at ON desk_login_failures(at);
   CREATE TABLE desk_settings (
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     version INTEGER NOT NULL,
     settings TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     created_by TEXT REFERENCES desk_users(id),
     PRIMARY KEY (tenant_id, version)
   );
   CREATE TABLE desk_audit (
     id INTEGER PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     at INTEGER NOT NULL,
     user_id TEXT REFERENCES desk_users(id),
     action TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX desk_audit_tenant ON desk_audit(tenant_id, id);
   CREATE TABLE desk_alerts (
     id INTEGER PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     at INTEGER NOT NULL,
     kind TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX desk_alerts_tenant ON desk_alerts(tenant_id, id);`,
  // The help desk's queue: agents' states over time, visitor requests, desk sessions and the staff
  // in them; and the seat a participant's key named, in a session the desk arranged.
  `CREATE TABLE desk_agent_states (
     id INTEGER PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     user_id TEXT NOT NULL REFERENCES desk_users(id),
     state TEXT NOT NULL CHECK (state IN ('ready', 'not-ready', 'away', 'break')),
     at INTEGER NOT NULL
   );
   CREATE INDEX desk_agent_states_user ON desk_agent_states(tenant_id, user_id, id);
   CREATE TABLE desk_requests (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     key_hash TEXT NOT NULL,
     visitor_id TEXT,
     name TEXT,
     question TEXT,
     from_url TEXT NOT NULL,
     skill TEXT,
     scenario TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('waiting', 'overflow', 'placed', 'scheduled', 'abandoned')),
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     session_id TEXT REFERENCES sessions(id),
     agent_id TEXT REFERENCES desk_users(id),
     scheduled_at INTEGER,
     abandon_reason TEXT
   );
   CREATE INDEX desk_requests_open ON desk_requests(tenant_id, status, created_at);
   CREATE INDEX desk_requests_agent ON desk_requests(tenant_id, agent_id, scheduled_at);
   CREATE INDEX desk_requests_session ON desk_requests(tenant_id, session_id);
   CREATE TABLE desk_sessions (
     session_id TEXT PRIMARY KEY REFERENCES sessions(id),
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     request_id TEXT NOT NULL REFERENCES desk_requests(id),
     agent_id TEXT NOT NULL REFERENCES desk_users(id),
     scenario TEXT NOT NULL,
     settings_version INTEGER NOT NULL,
     channel TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     ended_at INTEGER,
     end_reason TEXT
   );
   CREATE INDEX desk_sessions_open ON desk_sessions(tenant_id, ended_at);
   CREATE TABLE desk_session_staff (
     session_id TEXT NOT NULL REFERENCES sessions(id),
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     user_id TEXT NOT NULL REFERENCES desk_users(id),
     kind TEXT NOT NULL CHECK (kind IN ('lead', 'conference', 'monitor')),
     joined_at INTEGER NOT NULL,
     barged_at INTEGER
   );
   CREATE INDEX desk_session_staff_session ON desk_session_staff(tenant_id, session_id);
   ALTER TABLE participants ADD COLUMN seat TEXT;`,
  // A collaboration visitor signs in: the request names the desk user who asked.
  'ALTER TABLE desk_requests ADD COLUMN user_id TEXT REFERENCES desk_users(id);',
  // The events that make up a session's tabs (TAB_STATE_TYPES in session/tab-state.ts), so a room
  // reopened after a restart rebuilds its tabs without reading the recording. They are few beside
  // the recording and pointers, so the index costs commits little.
  `CREATE INDEX archive_events_tabs ON archive_events(session_id, seq)
     WHERE type IN ('tab', 'tab.closed', 'tab.focus', 'location', 'highlight', 'highlight.clear', 'stroke', 'stroke.clear', 'baton', 'removed');`,
  // The invite link is replaced when a follower who came in with it is removed (decision in
  // docs/architecture.md): the generation it is derived from, so the host can be shown it again.
  'ALTER TABLE sessions ADD COLUMN join_key_generation INTEGER NOT NULL DEFAULT 0;',
  // A host locks the session: the invite link lets nobody new in until it is unlocked.
  'ALTER TABLE sessions ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;',
  // The final hash's seal under the server's key (archive/seal.ts), stored when a session ends.
  'ALTER TABLE sessions ADD COLUMN seal TEXT;',
  // The ledger: connected time per company and UTC day (sessions started are counted from sessions).
  `CREATE TABLE usage_days (
     tenant_id TEXT NOT NULL REFERENCES tenants(id),
     day TEXT NOT NULL,
     participant_ms INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (tenant_id, day)
   );`,
];
