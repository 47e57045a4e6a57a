import type Database from 'better-sqlite3';

export type DeskRole = 'admin' | 'supervisor' | 'agent';

export interface DeskTenantRow {
  id: string;
  name: string;
  /** What the "Get help" link and embed script name the tenant by; null for tenants made before the desk. */
  publicKey: string | null;
}

export interface DeskUserRow {
  id: string;
  tenantId: string;
  /** Lower case; unique across tenants, since signing in names no tenant. */
  email: string;
  name: string;
  role: DeskRole;
  /** An argon2id PHC string. */
  passwordHash: string;
  skills: string[];
  /** How many sessions at once the hunt group may give this user. */
  maxSessions: number;
  /** The confirmed TOTP secret (base32), or null when not enrolled. */
  totpSecret: string | null;
  /** A secret shown for enrolment and not yet confirmed with a code. */
  totpPending: string | null;
  /** The last time step whose code was accepted; that code and older ones are refused. */
  totpLastStep: number | null;
  disabledAt: number | null;
  createdAt: number;
}

/** The fields an admin (or the user, for their own TOTP) may change. */
export type DeskUserChange = Partial<
  Pick<
    DeskUserRow,
    | 'email'
    | 'name'
    | 'role'
    | 'passwordHash'
    | 'skills'
    | 'maxSessions'
    | 'totpSecret'
    | 'totpPending'
    | 'totpLastStep'
    | 'disabledAt'
  >
>;

export interface DeskLoginRow {
  tokenHash: string;
  userId: string;
  tenantId: string;
  createdAt: number;
  expiresAt: number;
}

export interface SettingsVersionRow {
  tenantId: string;
  version: number;
  /** The settings as JSON. */
  settings: string;
  createdAt: number;
  /** The admin who saved it; null for the defaults given at sign-up. */
  createdBy: string | null;
}

export interface DeskAuditRow {
  at: number;
  userId: string | null;
  /** The user's name now, for showing; null for the operator's command line. */
  user: string | null;
  action: string;
  detail: unknown;
}

export interface DeskAlertRow {
  id: number;
  at: number;
  kind: string;
  detail: unknown;
}

/**
 * The desk's accounts. Every read and write of a tenant's data takes the tenant; the only lookups
 * without one are by what itself decides the tenant: an email at sign-in, a sign-in token, a public key.
 */
export interface DeskAccountStore {
  /** A new tenant with its first admin and first settings, all or nothing. */
  createTenant(tenant: DeskTenantRow, admin: DeskUserRow, settings: SettingsVersionRow): Promise<void>;
  tenant(tenantId: string): Promise<DeskTenantRow | undefined>;
  tenantByPublicKey(publicKey: string): Promise<DeskTenantRow | undefined>;
  setPublicKey(tenantId: string, publicKey: string): Promise<void>;
  addUser(user: DeskUserRow): Promise<void>;
  user(tenantId: string, userId: string): Promise<DeskUserRow | undefined>;
  userByEmail(email: string): Promise<DeskUserRow | undefined>;
  users(tenantId: string): Promise<DeskUserRow[]>;
  /** False when the tenant has no such user. */
  updateUser(tenantId: string, userId: string, change: DeskUserChange): Promise<boolean>;
  failures(email: string, since: number): Promise<number[]>;
  addFailure(email: string, at: number, forgetBefore: number): Promise<void>;
  clearFailures(email: string): Promise<void>;
  addLogin(login: DeskLoginRow, forgetBefore: number): Promise<void>;
  login(tokenHash: string): Promise<DeskLoginRow | undefined>;
  deleteLogin(tokenHash: string): Promise<void>;
  deleteLogins(tenantId: string, userId: string): Promise<void>;
  settings(tenantId: string): Promise<SettingsVersionRow | undefined>;
  /**
   * Saves the next version (the brand also goes to the tenant, where the session viewer reads it);
   * false when `version` is no longer the next one because another save came first.
   */
  addSettings(row: SettingsVersionRow, brand: string | null): Promise<boolean>;
  audit(tenantId: string, at: number, userId: string | null, action: string, detail: unknown): Promise<void>;
  auditLog(tenantId: string, limit: number): Promise<DeskAuditRow[]>;
  addAlert(tenantId: string, at: number, kind: string, detail: unknown): Promise<void>;
  alerts(tenantId: string, limit: number): Promise<DeskAlertRow[]>;
}

interface UserRecord {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: DeskRole;
  password_hash: string;
  skills: string;
  max_sessions: number;
  totp_secret: string | null;
  totp_pending: string | null;
  totp_last_step: number | null;
  disabled_at: number | null;
  created_at: number;
}

const toUser = (r: UserRecord): DeskUserRow => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  name: r.name,
  role: r.role,
  passwordHash: r.password_hash,
  skills: JSON.parse(r.skills) as string[],
  maxSessions: r.max_sessions,
  totpSecret: r.totp_secret,
  totpPending: r.totp_pending,
  totpLastStep: r.totp_last_step,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
});

/** Column of each changeable field, and how its value is stored. */
const USER_COLUMNS: Record<keyof DeskUserChange, [string, (v: unknown) => unknown]> = {
  email: ['email', (v) => v],
  name: ['name', (v) => v],
  role: ['role', (v) => v],
  passwordHash: ['password_hash', (v) => v],
  skills: ['skills', (v) => JSON.stringify(v)],
  maxSessions: ['max_sessions', (v) => v],
  totpSecret: ['totp_secret', (v) => v],
  totpPending: ['totp_pending', (v) => v],
  totpLastStep: ['totp_last_step', (v) => v],
  disabledAt: ['disabled_at', (v) => v],
};

/** A record whose columns are its fields one to one, `snake_case` named in `camelCase`. */
function camel<T>(record: unknown): T | undefined {
  if (record === undefined) return undefined;
  const entries = Object.entries(record as object).map(([k, v]) => [
    k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
    v,
  ]);
  return Object.fromEntries(entries) as T;
}

/** The desk's accounts in the SQLite database `store/sqlite.ts` opened. */
export function sqliteDeskAccounts(db: Database.Database): DeskAccountStore {
  const q = {
    insertTenant: db.prepare('INSERT INTO tenants (id, name, public_key) VALUES (?, ?, ?)'),
    tenant: db.prepare('SELECT id, name, public_key FROM tenants WHERE id = ?'),
    tenantByKey: db.prepare('SELECT id, name, public_key FROM tenants WHERE public_key = ?'),
    setPublicKey: db.prepare('UPDATE tenants SET public_key = ? WHERE id = ?'),
    insertUser: db.prepare(
      `INSERT INTO desk_users (id, tenant_id, email, name, role, password_hash, skills, max_sessions,
         totp_secret, totp_pending, totp_last_step, disabled_at, created_at)
       VALUES (@id, @tenant_id, @email, @name, @role, @password_hash, @skills, @max_sessions,
         @totp_secret, @totp_pending, @totp_last_step, @disabled_at, @created_at)`,
    ),
    user: db.prepare('SELECT * FROM desk_users WHERE tenant_id = ? AND id = ?'),
    userByEmail: db.prepare('SELECT * FROM desk_users WHERE email = ?'),
    users: db.prepare('SELECT * FROM desk_users WHERE tenant_id = ? ORDER BY created_at, id'),
    failures: db.prepare('SELECT at FROM desk_login_failures WHERE email = ? AND at >= ? ORDER BY at'),
    addFailure: db.prepare('INSERT INTO desk_login_failures (email, at) VALUES (?, ?)'),
    forgetFailures: db.prepare('DELETE FROM desk_login_failures WHERE at < ?'),
    clearFailures: db.prepare('DELETE FROM desk_login_failures WHERE email = ?'),
    addLogin: db.prepare(
      'INSERT INTO desk_logins (token_hash, user_id, tenant_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    forgetLogins: db.prepare('DELETE FROM desk_logins WHERE user_id = ? AND expires_at < ?'),
    login: db.prepare('SELECT * FROM desk_logins WHERE token_hash = ?'),
    deleteLogin: db.prepare('DELETE FROM desk_logins WHERE token_hash = ?'),
    deleteLogins: db.prepare('DELETE FROM desk_logins WHERE tenant_id = ? AND user_id = ?'),
    settings: db.prepare('SELECT * FROM desk_settings WHERE tenant_id = ? ORDER BY version DESC LIMIT 1'),
    insertSettings: db.prepare(
      'INSERT INTO desk_settings (tenant_id, version, settings, created_at, created_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    setBrand: db.prepare('UPDATE tenants SET brand = ? WHERE id = ?'),
    audit: db.prepare(
      'INSERT INTO desk_audit (tenant_id, at, user_id, action, detail) VALUES (?, ?, ?, ?, ?)',
    ),
    auditLog: db.prepare(
      `SELECT a.at, a.user_id, u.name AS user_name, a.action, a.detail FROM desk_audit a
         LEFT JOIN desk_users u ON u.id = a.user_id AND u.tenant_id = a.tenant_id
        WHERE a.tenant_id = ? ORDER BY a.id DESC LIMIT ?`,
    ),
    addAlert: db.prepare('INSERT INTO desk_alerts (tenant_id, at, kind, detail) VALUES (?, ?, ?, ?)'),
    alerts: db.prepare(
      'SELECT id, at, kind, detail FROM desk_alerts WHERE tenant_id = ? ORDER BY id DESC LIMIT ?',
    ),
  };

  const userParams = (u: DeskUserRow) => ({
    id: u.id,
    tenant_id: u.tenantId,
    email: u.email,
    name: u.name,
    role: u.role,
    password_hash: u.passwordHash,
    skills: JSON.stringify(u.skills),
    max_sessions: u.maxSessions,
    totp_secret: u.totpSecret,
    totp_pending: u.totpPending,
    totp_last_step: u.totpLastStep,
    disabled_at: u.disabledAt,
    created_at: u.createdAt,
  });

  const insertSettings = (s: SettingsVersionRow) =>
    q.insertSettings.run(s.tenantId, s.version, s.settings, s.createdAt, s.createdBy).changes === 1;

  const createTenant = db.transaction((t: DeskTenantRow, admin: DeskUserRow, s: SettingsVersionRow) => {
    q.insertTenant.run(t.id, t.name, t.publicKey);
    q.insertUser.run(userParams(admin));
    insertSettings(s);
  });

  const addSettings = db.transaction((s: SettingsVersionRow, brand: string | null) => {
    const current = q.settings.get(s.tenantId) as { version: number } | undefined;
    if (s.version !== (current?.version ?? 0) + 1 || !insertSettings(s)) return false;
    q.setBrand.run(brand, s.tenantId);
    return true;
  });

  const changeUser = (tenantId: string, userId: string, change: DeskUserChange): boolean => {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [field, value] of Object.entries(change)) {
      const column = USER_COLUMNS[field as keyof DeskUserChange];
      if (!column || value === undefined) continue;
      sets.push(`${column[0]} = ?`);
      values.push(column[1](value));
    }
    if (sets.length === 0) return q.user.get(tenantId, userId) !== undefined;
    const sql = `UPDATE desk_users SET ${sets.join(', ')} WHERE tenant_id = ? AND id = ?`;
    return db.prepare(sql).run(...values, tenantId, userId).changes === 1;
  };

  return {
    async createTenant(tenant, admin, settings) {
      createTenant(tenant, admin, settings);
    },
    async tenant(tenantId) {
      return camel<DeskTenantRow>(q.tenant.get(tenantId));
    },
    async tenantByPublicKey(publicKey) {
      return camel<DeskTenantRow>(q.tenantByKey.get(publicKey));
    },
    async setPublicKey(tenantId, publicKey) {
      q.setPublicKey.run(publicKey, tenantId);
    },
    async addUser(user) {
      q.insertUser.run(userParams(user));
    },
    async user(tenantId, userId) {
      const r = q.user.get(tenantId, userId) as UserRecord | undefined;
      return r && toUser(r);
    },
    async userByEmail(email) {
      const r = q.userByEmail.get(email) as UserRecord | undefined;
      return r && toUser(r);
    },
    async users(tenantId) {
      return (q.users.all(tenantId) as UserRecord[]).map(toUser);
    },
    async updateUser(tenantId, userId, change) {
      return changeUser(tenantId, userId, change);
    },
    async failures(email, since) {
      return (q.failures.all(email, since) as Array<{ at: number }>).map((r) => r.at);
    },
    async addFailure(email, at, forgetBefore) {
      q.forgetFailures.run(forgetBefore);
      q.addFailure.run(email, at);
    },
    async clearFailures(email) {
      q.clearFailures.run(email);
    },
    async addLogin(l, forgetBefore) {
      q.forgetLogins.run(l.userId, forgetBefore);
      q.addLogin.run(l.tokenHash, l.userId, l.tenantId, l.createdAt, l.expiresAt);
    },
    async login(tokenHash) {
      return camel<DeskLoginRow>(q.login.get(tokenHash));
    },
    async deleteLogin(tokenHash) {
      q.deleteLogin.run(tokenHash);
    },
    async deleteLogins(tenantId, userId) {
      q.deleteLogins.run(tenantId, userId);
    },
    async settings(tenantId) {
      return camel<SettingsVersionRow>(q.settings.get(tenantId));
    },
    async addSettings(row, brand) {
      return addSettings(row, brand);
    },
    async audit(tenantId, at, userId, action, detail) {
      q.audit.run(tenantId, at, userId, action, JSON.stringify(detail));
    },
    async auditLog(tenantId, limit) {
      const rows = q.auditLog.all(tenantId, limit) as Array<{
        at: number;
        user_id: string | null;
        user_name: string | null;
        action: string;
        detail: string;
      }>;
      return rows.map((r) => ({
        at: r.at,
        userId: r.user_id,
        user: r.user_name,
        action: r.action,
        detail: JSON.parse(r.detail) as unknown,
      }));
    },
    async addAlert(tenantId, at, kind, detail) {
      q.addAlert.run(tenantId, at, kind, JSON.stringify(detail));
    },
    async alerts(tenantId, limit) {
      const rows = q.alerts.all(tenantId, limit) as Array<{
        id: number;
        at: number;
        kind: string;
        detail: string;
      }>;
      return rows.map((r) => ({ id: r.id, at: r.at, kind: r.kind, detail: JSON.parse(r.detail) as unknown }));
    },
  };
}
