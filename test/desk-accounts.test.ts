import assert from 'node:assert/strict';
import { DeskAccounts, DeskError } from '../desk/accounts.js';
import { DEFAULT_SETTINGS } from '../desk/settings.js';
import { base32Decode, totp } from '../desk/totp.js';
import { sqliteDeskAccounts } from '../store/desk-accounts.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';

const MIN = 60_000;
const T0 = 1_800_000_000_000;

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof DeskError && e.code === code);
}

describe('desk accounts on a real SQLite database', function () {
  this.timeout(30_000);
  let store: SqliteStore;
  let accounts: DeskAccounts;

  beforeEach(() => {
    store = openSqliteStore(':memory:');
    accounts = new DeskAccounts(sqliteDeskAccounts(store.db), Buffer.alloc(32, 7));
  });
  afterEach(() => store.close());

  const signUp = (company: string, email: string, now = T0) =>
    accounts.signUp({ company, name: `${company} admin`, email, password: 'correct horse battery' }, now);

  it('signs a company up with its admin, public key and default settings, audited', async () => {
    const { tenant, user, token } = await signUp('Acme', 'ada@acme.example');
    assert.match(tenant.publicKey, /^pk_/);
    assert.equal(user.role, 'admin');
    assert.deepEqual(await accounts.userOfToken(token, T0), {
      userId: user.id,
      tenantId: tenant.id,
      role: 'admin',
      name: 'Acme admin',
    });
    assert.deepEqual((await accounts.tenantByPublicKey(tenant.publicKey))?.id, tenant.id);
    const settings = await accounts.settingsOf(tenant.id);
    assert.equal(settings.version, 1);
    assert.deepEqual(settings.settings, DEFAULT_SETTINGS);
    const [audit] = await accounts.auditLog(tenant.id);
    assert.equal(audit?.action, 'signup');
    const hash = store.db.prepare('SELECT password_hash FROM desk_users WHERE id = ?').get(user.id) as {
      password_hash: string;
    };
    assert.match(hash.password_hash, /^\$argon2id\$/);
    await rejects(signUp('Other', 'ada@acme.example'), 'email-taken');
  });

  it('a sign-in token ends at logout, at expiry, and when the user is disabled', async () => {
    const { tenant, user, token } = await signUp('Acme', 'ada@acme.example');
    const agent = await accounts.createUser(tenant.id, user.id, {
      name: 'Bo',
      email: 'bo@acme.example',
      password: 'another long one',
      role: 'agent',
      skills: ['billing'],
      maxSessions: 2,
    });
    const bo = await accounts.login('bo@acme.example', 'another long one', undefined, T0);
    assert.ok(await accounts.userOfToken(bo.token, T0));
    assert.equal(await accounts.userOfToken(bo.token, T0 + 12 * 60 * MIN), null, 'expired after 12 hours');
    await accounts.updateUser(tenant.id, user.id, agent.id, { disabled: true }, T0);
    assert.equal(await accounts.userOfToken(bo.token, T0), null);
    await rejects(accounts.login('bo@acme.example', 'another long one', undefined, T0), 'bad-credentials');
    await accounts.logout(token);
    assert.equal(await accounts.userOfToken(token, T0), null);
    assert.notEqual(accounts.csrfFor('a'), accounts.csrfFor('b'), 'one CSRF value per sign-in');
  });

  it('locks an email for 15 minutes after 5 failures, alerting its admins once', async () => {
    const { tenant } = await signUp('Acme', 'ada@acme.example');
    for (let i = 0; i < 5; i++) {
      await rejects(
        accounts.login('ada@acme.example', 'wrong password', undefined, T0 + i * MIN),
        'bad-credentials',
      );
    }
    await rejects(
      accounts.login('ada@acme.example', 'correct horse battery', undefined, T0 + 5 * MIN),
      'locked',
    );
    await rejects(
      accounts.login('ada@acme.example', 'correct horse battery', undefined, T0 + 19 * MIN - 1),
      'locked',
    );
    const alerts = await accounts.alerts(tenant.id);
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['lockout'],
    );
    const ok = await accounts.login('ada@acme.example', 'correct horse battery', undefined, T0 + 19 * MIN);
    assert.ok(ok.token);
    await rejects(accounts.login('ada@acme.example', 'wrong', undefined, T0 + 20 * MIN), 'bad-credentials');
    assert.ok(
      await accounts.login('ada@acme.example', 'correct horse battery', undefined, T0 + 20 * MIN),
      'a success starts the count again',
    );
  });

  it('counts guesses sent all at once one after another', async () => {
    await signUp('Acme', 'ada@acme.example');
    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, () => accounts.login('ada@acme.example', 'wrong password', undefined, T0)),
    );
    const codes = answers.map((a) => (a.status === 'rejected' ? (a.reason as DeskError).code : 'ok'));
    assert.deepEqual(codes, [...Array(5).fill('bad-credentials'), ...Array(5).fill('locked')]);
  });

  it('locks an unknown email the same way, so the answers do not tell which emails exist', async () => {
    for (let i = 0; i < 5; i++) {
      await rejects(accounts.login('nobody@acme.example', 'guess', undefined, T0), 'bad-credentials');
    }
    await rejects(accounts.login('nobody@acme.example', 'guess', undefined, T0), 'locked');
  });

  it('asks for a TOTP code once enrolled, accepts each code once, and counts wrong codes', async () => {
    const { tenant, user } = await signUp('Acme', 'ada@acme.example');
    const { secret, otpauthUrl } = await accounts.startTotp(tenant.id, user.id);
    assert.match(otpauthUrl, /^otpauth:\/\/totp\/Tandem:ada%40acme\.example\?secret=/);
    const key = base32Decode(secret) as Buffer;
    assert.ok(
      await accounts.login('ada@acme.example', 'correct horse battery', undefined, T0),
      'not enrolled until confirmed',
    );
    await rejects(accounts.confirmTotp(tenant.id, user.id, '000000', T0), 'bad-code');
    await accounts.confirmTotp(tenant.id, user.id, totp(key, T0), T0);
    assert.equal((await accounts.me(tenant.id, user.id)).user.totp, true);
    await rejects(
      accounts.login('ada@acme.example', 'correct horse battery', undefined, T0),
      'totp-required',
    );
    await rejects(
      accounts.login('ada@acme.example', 'correct horse battery', totp(key, T0), T0),
      'totp-required',
    );
    const next = totp(key, T0 + 30_000);
    assert.ok(await accounts.login('ada@acme.example', 'correct horse battery', next, T0 + 30_000));
    await rejects(
      accounts.login('ada@acme.example', 'correct horse battery', next, T0 + 30_000),
      'totp-required',
    );
    for (let i = 0; i < 4; i++) {
      await rejects(
        accounts.login('ada@acme.example', 'correct horse battery', '123456', T0 + MIN),
        'totp-required',
      );
    }
    await rejects(
      accounts.login('ada@acme.example', 'correct horse battery', totp(key, T0 + MIN), T0 + MIN),
      'locked',
    );
  });

  it('keeps TOTP secrets sealed in the database, and seals one stored in clear at its next use', async () => {
    const { tenant, user } = await signUp('Acme', 'ada@acme.example');
    const row = () =>
      store.db.prepare('SELECT totp_secret, totp_pending FROM desk_users WHERE id = ?').get(user.id) as {
        totp_secret: string | null;
        totp_pending: string | null;
      };
    const { secret } = await accounts.startTotp(tenant.id, user.id);
    const key = base32Decode(secret) as Buffer;
    assert.match(row().totp_pending ?? '', /^v1\./);
    assert.ok(!row().totp_pending?.includes(secret), 'the pending secret is not stored in clear');
    await accounts.confirmTotp(tenant.id, user.id, totp(key, T0), T0);
    assert.match(row().totp_secret ?? '', /^v1\./);
    assert.ok(!row().totp_secret?.includes(secret));

    const loginAt = (server: DeskAccounts, at: number) =>
      server.login('ada@acme.example', 'correct horse battery', totp(key, at), at);

    // Another server (another secret.key) cannot open it: the database alone is not enough.
    const elsewhere = new DeskAccounts(sqliteDeskAccounts(store.db), Buffer.alloc(32, 8));
    await rejects(loginAt(elsewhere, T0 + 30_000), 'totp-required');

    // A row from before sealing holds the secret in clear: it still works, and is sealed on use.
    store.db
      .prepare('UPDATE desk_users SET totp_secret = ?, totp_last_step = NULL WHERE id = ?')
      .run(secret, user.id);
    assert.ok(await loginAt(accounts, T0 + 2 * MIN));
    assert.match(row().totp_secret ?? '', /^v1\./);
    assert.ok(await loginAt(accounts, T0 + 3 * MIN), 'the sealed secret opens');
  });

  it('versions settings, refuses a save on a stale version, audits what changed and brands the tenant', async () => {
    const { tenant, user } = await signUp('Acme', 'ada@acme.example');
    const brand = { name: 'Acme', color: '#112233', logoUrl: '' };
    const v2 = await accounts.saveSettings(
      tenant.id,
      user.id,
      { ...DEFAULT_SETTINGS, allowedOrigins: ['https://acme.example'], brand },
      1,
      T0 + 1,
    );
    assert.equal(v2.version, 2);
    await rejects(accounts.saveSettings(tenant.id, user.id, DEFAULT_SETTINGS, 1, T0 + 2), 'stale');
    assert.deepEqual((await accounts.settingsOf(tenant.id)).settings.allowedOrigins, [
      'https://acme.example',
    ]);
    assert.equal((await accounts.settingsOf(tenant.id)).createdBy, user.id);
    assert.deepEqual(await store.brandOf(tenant.id), { name: 'Acme', colour: '#112233', logo: null });
    const [latest] = await accounts.auditLog(tenant.id);
    assert.deepEqual(latest?.detail, { version: 2, changed: ['allowedOrigins', 'brand'] });
    assert.equal(latest?.user, 'Acme admin');
  });

  it('keeps one active admin, and audits each user change without the password', async () => {
    const { tenant, user } = await signUp('Acme', 'ada@acme.example');
    await rejects(accounts.updateUser(tenant.id, user.id, user.id, { role: 'agent' }), 'last-admin');
    await rejects(accounts.updateUser(tenant.id, user.id, user.id, { disabled: true }), 'last-admin');
    const cy = await accounts.createUser(tenant.id, user.id, {
      name: 'Cy',
      email: 'cy@acme.example',
      password: 'long enough pass',
      role: 'agent',
      skills: [],
      maxSessions: 1,
    });
    const changed = await accounts.updateUser(tenant.id, user.id, cy.id, {
      role: 'supervisor',
      name: 'Cy',
      password: 'a brand new password',
    });
    assert.equal(changed.role, 'supervisor');
    const [entry] = await accounts.auditLog(tenant.id);
    assert.deepEqual(entry?.detail, { userId: cy.id, changes: { role: 'supervisor', password: 'changed' } });
    assert.doesNotMatch(JSON.stringify(await accounts.auditLog(tenant.id)), /brand new|argon2/);
  });

  it("never reads or changes one tenant's data through another tenant", async () => {
    const a = await signUp('Acme', 'ada@acme.example');
    const b = await signUp('Bolt', 'bea@bolt.example');
    await accounts.recordAlert(a.tenant.id, 'origin', { origin: 'https://evil.example' });
    await rejects(accounts.updateUser(b.tenant.id, b.user.id, a.user.id, { name: 'Mallory' }), 'not-found');
    await rejects(accounts.me(b.tenant.id, a.user.id), 'not-found');
    await rejects(accounts.startTotp(b.tenant.id, a.user.id), 'not-found');
    assert.deepEqual(
      (await accounts.users(b.tenant.id)).map((u) => u.email),
      ['bea@bolt.example'],
    );
    assert.deepEqual(await accounts.alerts(b.tenant.id), []);
    assert.ok((await accounts.auditLog(b.tenant.id)).every((e) => e.userId === b.user.id));
    await accounts.saveSettings(b.tenant.id, b.user.id, { ...DEFAULT_SETTINGS, seatCap: 2 }, undefined);
    assert.equal((await accounts.settingsOf(a.tenant.id)).settings.seatCap, DEFAULT_SETTINGS.seatCap);
    assert.equal((await accounts.me(a.tenant.id, a.user.id)).user.name, 'Acme admin');
  });

  it('gives an operator-made tenant an admin and a public key', async () => {
    await store.ensureTenant({ id: 'old', name: 'Old Co' });
    assert.equal(await accounts.tenantByPublicKey(''), undefined);
    const { user, password, tenant } = await accounts.addAdmin('old', 'Olga', 'olga@old.example');
    assert.equal(user.role, 'admin');
    assert.match(tenant.publicKey, /^pk_/);
    assert.ok(await accounts.login('olga@old.example', password, undefined));
    await rejects(accounts.addAdmin('missing', 'X', 'x@x.example'), 'not-found');
  });
});
