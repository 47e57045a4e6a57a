import crypto from 'node:crypto';
import { hashSecret, randomToken } from '../session/secrets.js';
import type {
  DeskAccountStore,
  DeskAlertRow,
  DeskAuditRow,
  DeskRole,
  DeskTenantRow,
  DeskUserChange,
  DeskUserRow,
} from '../store/desk-accounts.js';
import type { NewUserInput, SignUpInput, UserChangeInput } from './inputs.js';
import { LOCKOUT, lockedUntil } from './lockout.js';
import { hashPassword, passwordMatches } from './passwords.js';
import {
  DEFAULT_SETTINGS,
  type DeskSettings,
  readStoredSettings,
  settingsSchema,
  tenantBrand,
} from './settings.js';
import { base32Decode, base32Encode, matchingStep, otpauthUrl } from './totp.js';
import { isSealed, openTotp, sealTotp, totpKey } from './totp-seal.js';

export type { DeskRole } from '../store/desk-accounts.js';

/** Who a desk request comes from, as the routes see them. */
export interface DeskUser {
  userId: string;
  tenantId: string;
  role: DeskRole;
  name: string;
}

/** A user as shown to themselves and to their admins: never the hash or the TOTP secret. */
export interface DeskUserView {
  id: string;
  name: string;
  email: string;
  role: DeskRole;
  skills: string[];
  maxSessions: number;
  totp: boolean;
  disabled: boolean;
  createdAt: number;
}

export interface DeskTenant {
  id: string;
  name: string;
  publicKey: string;
}

export interface SettingsVersion {
  version: number;
  settings: DeskSettings;
  createdAt: number;
  /** The admin who saved it; null for the defaults. */
  createdBy: string | null;
}

export type DeskErrorCode =
  | 'email-taken'
  | 'bad-credentials'
  | 'totp-required'
  | 'locked'
  | 'not-found'
  | 'last-admin'
  | 'stale'
  | 'bad-code'
  | 'no-enrolment';

export class DeskError extends Error {
  constructor(
    readonly code: DeskErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** How long a sign-in lasts. */
export const DESK_LOGIN_MS = 12 * 60 * 60_000;
const ISSUER = 'Tandem';

const view = (u: DeskUserRow): DeskUserView => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
  skills: u.skills,
  maxSessions: u.maxSessions,
  totp: u.totpSecret !== null,
  disabled: u.disabledAt !== null,
  createdAt: u.createdAt,
});

const isUniqueViolation = (e: unknown) =>
  (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' ||
  (e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';

/**
 * The help desk's accounts: tenants signing up, their users signing in (argon2id, lockout, TOTP),
 * sign-in tokens and the CSRF value bound to each, versioned settings, the admin audit log and
 * alerts. Every method that touches a tenant's data takes the tenant.
 */
export class DeskAccounts {
  /**
   * The attempt in progress per email. Attempts at one email run one after another, so guesses sent
   * all at once cannot each pass the lockout check before any of their failures is counted.
   */
  private readonly attempts = new Map<string, Promise<unknown>>();

  private readonly totpKey: Buffer;

  constructor(
    private readonly store: DeskAccountStore,
    private readonly secret: Buffer,
  ) {
    this.totpKey = totpKey(secret);
  }

  /** A new tenant with its first admin and default settings; answers the admin's sign-in token. */
  async signUp(
    input: SignUpInput,
    now = Date.now(),
  ): Promise<{ tenant: DeskTenant; user: DeskUserView; token: string }> {
    const tenant: DeskTenant = { id: randomToken(9), name: input.company, publicKey: newPublicKey() };
    const admin = await this.newUser(tenant.id, { ...input, role: 'admin', skills: [], maxSessions: 1 }, now);
    try {
      await this.store.createTenant(tenant, admin, {
        tenantId: tenant.id,
        version: 1,
        settings: JSON.stringify(DEFAULT_SETTINGS),
        createdAt: now,
        createdBy: null,
      });
    } catch (e) {
      throw isUniqueViolation(e) ? emailTaken() : e;
    }
    await this.audit(tenant.id, admin.id, 'signup', { company: tenant.name, email: admin.email }, now);
    return { tenant, user: view(admin), token: await this.startLogin(admin, now) };
  }

  /**
   * Checks an email, password and (when enrolled) TOTP code and answers a sign-in token. Five
   * failures in 15 minutes lock the email for 15 minutes; the attempt that locks it raises an alert.
   */
  login(
    email: string,
    password: string,
    code: string | undefined,
    now?: number,
  ): Promise<{ user: DeskUserView; tenantId: string; token: string }> {
    const previous = this.attempts.get(email) ?? Promise.resolve();
    const attempt = previous.then(() => this.attempt(email, password, code, now ?? Date.now()));
    const settled = attempt.catch(() => undefined);
    this.attempts.set(email, settled);
    void settled.then(() => {
      if (this.attempts.get(email) === settled) this.attempts.delete(email);
    });
    return attempt;
  }

  private async attempt(
    email: string,
    password: string,
    code: string | undefined,
    now: number,
  ): Promise<{ user: DeskUserView; tenantId: string; token: string }> {
    const recent = await this.store.failures(email, now - LOCKOUT.windowMs - LOCKOUT.lockMs);
    if (lockedUntil(recent, now) !== null) {
      throw new DeskError('locked', 'too many failed attempts; try again in 15 minutes');
    }
    const user = await this.store.userByEmail(email);
    const matches = await passwordMatches(password, user?.passwordHash ?? null);
    if (!user || !matches || user.disabledAt !== null) {
      await this.fail(email, recent, user, now);
      throw new DeskError('bad-credentials', 'the email or password is not right');
    }
    let totpLastStep = user.totpLastStep;
    if (user.totpSecret !== null) {
      if (code === undefined)
        throw new DeskError('totp-required', 'enter the code from your authenticator app');
      const step = this.codeStep(user.id, user.totpSecret, code, user.totpLastStep, now);
      if (step === null) {
        await this.fail(email, recent, user, now);
        throw new DeskError('totp-required', 'that code is not right; enter the current one');
      }
      totpLastStep = step;
    }
    await this.store.clearFailures(email);
    // A secret enrolled before secrets were sealed is sealed the first time it is used.
    const clear = user.totpSecret !== null && !isSealed(user.totpSecret) ? user.totpSecret : null;
    if (totpLastStep !== user.totpLastStep || clear !== null)
      await this.store.updateUser(user.tenantId, user.id, {
        totpLastStep,
        ...(clear !== null ? { totpSecret: sealTotp(this.totpKey, user.id, clear) } : {}),
      });
    return { user: view(user), tenantId: user.tenantId, token: await this.startLogin(user, now) };
  }

  async logout(token: string): Promise<void> {
    await this.store.deleteLogin(hashSecret(token));
  }

  /** The user a sign-in token belongs to, while it lasts and the user is not disabled. */
  async userOfToken(token: string, now = Date.now()): Promise<DeskUser | null> {
    if (!token) return null;
    const login = await this.store.login(hashSecret(token));
    if (!login || login.expiresAt <= now) return null;
    const u = await this.store.user(login.tenantId, login.userId);
    if (!u || u.disabledAt !== null) return null;
    return { userId: u.id, tenantId: u.tenantId, role: u.role, name: u.name };
  }

  /** The value state-changing calls echo in a header; bound to one sign-in, useless with another. */
  csrfFor(token: string): string {
    return crypto.createHmac('sha256', this.secret).update(`desk-csrf\n${token}`).digest('base64url');
  }

  async me(tenantId: string, userId: string): Promise<{ user: DeskUserView; tenant: DeskTenant }> {
    const [u, t] = await Promise.all([this.store.user(tenantId, userId), this.tenantOf(tenantId)]);
    if (!u) throw notFound();
    return { user: view(u), tenant: t };
  }

  async users(tenantId: string): Promise<DeskUserView[]> {
    return (await this.store.users(tenantId)).map(view);
  }

  /** `by` is the admin who adds the user, or null for the operator's command line. */
  async createUser(
    tenantId: string,
    by: string | null,
    input: NewUserInput,
    now = Date.now(),
  ): Promise<DeskUserView> {
    const u = await this.newUser(tenantId, input, now);
    try {
      await this.store.addUser(u);
    } catch (e) {
      throw isUniqueViolation(e) ? emailTaken() : e;
    }
    await this.audit(tenantId, by, 'user-created', { userId: u.id, email: u.email, role: u.role }, now);
    return view(u);
  }

  /** An admin's change to a user; a new password or disabling signs the user out everywhere. */
  async updateUser(
    tenantId: string,
    by: string,
    userId: string,
    input: UserChangeInput,
    now = Date.now(),
  ): Promise<DeskUserView> {
    const before = await this.store.user(tenantId, userId);
    if (!before) throw notFound();
    const { password, disabled, totp, ...plain } = input;
    const change: DeskUserChange = { ...plain };
    if (password !== undefined) change.passwordHash = await hashPassword(password);
    if (disabled !== undefined) change.disabledAt = disabled ? (before.disabledAt ?? now) : null;
    if (totp === false) Object.assign(change, { totpSecret: null, totpPending: null, totpLastStep: null });
    const losesAdmin =
      before.role === 'admin' &&
      before.disabledAt === null &&
      (disabled === true || (plain.role ?? 'admin') !== 'admin');
    if (losesAdmin && (await this.activeAdmins(tenantId)) <= 1) {
      throw new DeskError('last-admin', 'a company keeps at least one active admin');
    }
    try {
      await this.store.updateUser(tenantId, userId, change);
    } catch (e) {
      throw isUniqueViolation(e) ? emailTaken() : e;
    }
    if (password !== undefined || disabled === true) await this.store.deleteLogins(tenantId, userId);
    const changes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plain)) {
      if (JSON.stringify(v) !== JSON.stringify(before[k as keyof typeof plain])) changes[k] = v;
    }
    if (disabled !== undefined && disabled !== (before.disabledAt !== null)) changes.disabled = disabled;
    if (password !== undefined) changes.password = 'changed';
    if (totp === false && before.totpSecret !== null) changes.totp = 'removed';
    await this.audit(tenantId, by, 'user-changed', { userId, changes }, now);
    const after = await this.store.user(tenantId, userId);
    if (!after) throw notFound();
    return view(after);
  }

  /** A new secret to enrol in an authenticator app; it takes effect once a code from it is confirmed. */
  async startTotp(tenantId: string, userId: string): Promise<{ secret: string; otpauthUrl: string }> {
    const u = await this.store.user(tenantId, userId);
    if (!u) throw notFound();
    const secret = base32Encode(crypto.randomBytes(20));
    await this.store.updateUser(tenantId, userId, { totpPending: sealTotp(this.totpKey, userId, secret) });
    return { secret, otpauthUrl: otpauthUrl(ISSUER, u.email, secret) };
  }

  async confirmTotp(tenantId: string, userId: string, code: string, now = Date.now()): Promise<void> {
    const u = await this.store.user(tenantId, userId);
    if (!u) throw notFound();
    if (u.totpPending === null) throw new DeskError('no-enrolment', 'start enrolment first');
    const step = this.codeStep(u.id, u.totpPending, code, null, now);
    if (step === null) throw new DeskError('bad-code', 'that code is not right; enter the current one');
    await this.store.updateUser(tenantId, userId, {
      totpSecret: u.totpPending,
      totpPending: null,
      totpLastStep: step,
    });
    await this.audit(tenantId, userId, 'totp-enabled', { userId }, now);
  }

  /** The current settings; a tenant that never saved any has the defaults as version 0. */
  async settingsOf(tenantId: string): Promise<SettingsVersion> {
    const row = await this.store.settings(tenantId);
    if (!row)
      return { version: 0, settings: settingsSchema.parse(DEFAULT_SETTINGS), createdAt: 0, createdBy: null };
    return {
      version: row.version,
      settings: readStoredSettings(row.settings),
      createdAt: row.createdAt,
      createdBy: row.createdBy,
    };
  }

  /**
   * Saves settings as the next version. Sessions keep the version current when they were made; the
   * brand applies at once, since the viewer reads it from the tenant.
   */
  async saveSettings(
    tenantId: string,
    by: string,
    settings: DeskSettings,
    basedOn: number | undefined,
    now = Date.now(),
  ): Promise<SettingsVersion> {
    const current = await this.settingsOf(tenantId);
    if (basedOn !== undefined && basedOn !== current.version) throw stale();
    const version = current.version + 1;
    const saved = await this.store.addSettings(
      { tenantId, version, settings: JSON.stringify(settings), createdAt: now, createdBy: by },
      settings.brand ? JSON.stringify(tenantBrand(settings.brand)) : null,
    );
    if (!saved) throw stale();
    const changed = Object.keys(settings).filter(
      (k) =>
        JSON.stringify(settings[k as keyof DeskSettings]) !==
        JSON.stringify(current.settings[k as keyof DeskSettings]),
    );
    await this.audit(tenantId, by, 'settings-saved', { version, changed }, now);
    return { version, settings, createdAt: now, createdBy: by };
  }

  async tenantByPublicKey(publicKey: string): Promise<DeskTenant | undefined> {
    const t = publicKey ? await this.store.tenantByPublicKey(publicKey) : undefined;
    return t?.publicKey ? { id: t.id, name: t.name, publicKey: t.publicKey } : undefined;
  }

  async audit(
    tenantId: string,
    userId: string | null,
    action: string,
    detail: unknown,
    now = Date.now(),
  ): Promise<void> {
    await this.store.audit(tenantId, now, userId, action, detail);
  }

  async auditLog(tenantId: string, limit = 500): Promise<DeskAuditRow[]> {
    return this.store.auditLog(tenantId, limit);
  }

  /** What a tenant's admins and supervisors should see: an origin refused, a long wait, a lockout. */
  async recordAlert(tenantId: string, kind: string, detail: unknown, now = Date.now()): Promise<void> {
    await this.store.addAlert(tenantId, now, kind, detail);
  }

  async alerts(tenantId: string, limit = 200): Promise<DeskAlertRow[]> {
    return this.store.alerts(tenantId, limit);
  }

  /**
   * The operator's way in for a tenant made with `tandem tenant add`: an admin with a generated
   * password (shown once), and a public key for its link if it had none.
   */
  async addAdmin(
    tenantId: string,
    name: string,
    email: string,
    now = Date.now(),
  ): Promise<{ user: DeskUserView; password: string; tenant: DeskTenant }> {
    const t = await this.store.tenant(tenantId);
    if (!t) throw notFound();
    if (!t.publicKey) await this.store.setPublicKey(tenantId, newPublicKey());
    const password = randomToken(15);
    const user = await this.createUser(
      tenantId,
      null,
      { name, email, password, role: 'admin', skills: [], maxSessions: 1 },
      now,
    );
    return { user, password, tenant: await this.tenantOf(tenantId) };
  }

  /** Lifts a lockout (operator command, after checking who asks). */
  async unlock(email: string): Promise<void> {
    await this.store.clearFailures(email);
  }

  private async tenantOf(tenantId: string): Promise<DeskTenant> {
    const t: DeskTenantRow | undefined = await this.store.tenant(tenantId);
    if (!t?.publicKey) throw notFound();
    return { id: t.id, name: t.name, publicKey: t.publicKey };
  }

  private async newUser(tenantId: string, input: NewUserInput, now: number): Promise<DeskUserRow> {
    return {
      id: randomToken(9),
      tenantId,
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      skills: input.skills,
      maxSessions: input.maxSessions,
      totpSecret: null,
      totpPending: null,
      totpLastStep: null,
      disabledAt: null,
      createdAt: now,
    };
  }

  private async startLogin(user: DeskUserRow, now: number): Promise<string> {
    const token = randomToken(32);
    await this.store.addLogin(
      {
        tokenHash: hashSecret(token),
        userId: user.id,
        tenantId: user.tenantId,
        createdAt: now,
        expiresAt: now + DESK_LOGIN_MS,
      },
      now,
    );
    return token;
  }

  private codeStep(
    userId: string,
    stored: string,
    code: string,
    after: number | null,
    now: number,
  ): number | null {
    const secret = openTotp(this.totpKey, userId, stored);
    const key = secret === null ? null : base32Decode(secret);
    return key ? matchingStep(key, code, now, after) : null;
  }

  private async fail(
    email: string,
    recent: number[],
    user: DeskUserRow | undefined,
    now: number,
  ): Promise<void> {
    await this.store.addFailure(email, now, now - LOCKOUT.windowMs - LOCKOUT.lockMs);
    if (user && lockedUntil([...recent, now], now) !== null) {
      await this.recordAlert(user.tenantId, 'lockout', { email, until: now + LOCKOUT.lockMs }, now);
    }
  }

  private async activeAdmins(tenantId: string): Promise<number> {
    return (await this.store.users(tenantId)).filter((u) => u.role === 'admin' && u.disabledAt === null)
      .length;
  }
}

const newPublicKey = () => `pk_${randomToken(18)}`;
const notFound = () => new DeskError('not-found', 'no such user in this company');
const emailTaken = () => new DeskError('email-taken', 'an account with this email already exists');
const stale = () => new DeskError('stale', 'the settings were changed meanwhile; reload them and save again');
