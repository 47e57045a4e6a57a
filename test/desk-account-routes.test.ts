import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '../desk/settings.js';
import { base32Decode, totp } from '../desk/totp.js';
import { deskUserOf } from '../server/desk-auth.js';
import { DeskClient, type SignedUp, signIn, signUpCompany } from './helpers/desk.js';
import { runCli } from './helpers/process.js';
import { startTestTandem, type TestTandem } from './helpers/tandem.js';

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code;

describe('desk accounts API, over real HTTP', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  let acme: SignedUp;
  let bolt: SignedUp;
  let acmeAgent: { id: string };

  before(async () => {
    tandem = await startTestTandem();
    acme = await signUpCompany(tandem.url, 'Acme', 'ada@acme.example');
    bolt = await signUpCompany(tandem.url, 'Bolt', 'bea@bolt.example');
    const agent = await acme.client.expect(201, 'POST', '/users', {
      name: 'Avi',
      email: 'avi@acme.example',
      password: 'agent password 1',
      role: 'agent',
      skills: ['Billing'],
    });
    acmeAgent = agent.body as { id: string };
  });
  after(() => tandem.stop());

  type Route = [method: string, path: string];
  const adminRoutes = (): Route[] => [
    ['GET', '/settings'],
    ['PUT', '/settings'],
    ['GET', '/users'],
    ['POST', '/users'],
    ['PATCH', `/users/${acme.user.id}`],
    ['GET', '/audit'],
    ['GET', '/alerts'],
  ];
  async function expectEvery(client: DeskClient, routes: Route[], status: number, code: string) {
    for (const [method, path] of routes) {
      const a = await client.call(method, path, method === 'GET' ? undefined : { name: 'x' });
      assert.equal(a.status, status, `${method} ${path}`);
      assert.equal(errorCode(a.body), code, `${method} ${path}`);
    }
  }

  it('signs up with a cookie that is HttpOnly and SameSite=Lax, and shows who is signed in', async () => {
    const client = new DeskClient(tandem.url);
    const cask = { company: 'Cask', name: 'Cai', email: 'cai@cask.example', password: 'long password here' };
    const a = await client.expect(201, 'POST', '/signup', { ...cask, email: 'CAI@cask.example' });
    const cookie = a.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^tandem_desk=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    const me = (await client.expect(200, 'GET', '/me')).body as {
      user: { email: string; role: string; totp: boolean };
      tenant: { name: string; publicKey: string };
      csrf: string;
    };
    assert.equal(me.user.email, 'cai@cask.example');
    assert.equal(me.user.role, 'admin');
    assert.equal(me.user.totp, false);
    assert.equal(me.tenant.name, 'Cask');
    assert.equal(me.tenant.publicKey, (a.body as { publicKey: string }).publicKey);
    assert.equal(a.headers.get('cache-control'), 'no-store');
    const again = await new DeskClient(tandem.url).call('POST', '/signup', { ...cask, company: 'Cask 2' });
    assert.equal(again.status, 409);
    assert.equal(errorCode(again.body), 'email-taken');
  });

  it('recognises the signed-in user from a Cookie header, as the desk WebSocket does', async () => {
    const user = await deskUserOf(tandem.deskAccounts, `other=1; ${acme.client.cookie}`);
    assert.deepEqual(user, {
      userId: acme.user.id,
      tenantId: acme.tenantId,
      role: 'admin',
      name: 'Acme admin',
    });
    assert.equal(await deskUserOf(tandem.deskAccounts, 'tandem_desk=forged'), null);
    assert.equal(await deskUserOf(tandem.deskAccounts, undefined), null);
  });

  it('validates bodies with a clear message naming the field', async () => {
    const body = { company: 'X', name: 'Y', email: 'not-an-email', password: 'short' };
    const a = await new DeskClient(tandem.url).call('POST', '/signup', body);
    assert.equal(a.status, 400);
    assert.match((a.body as { error: { message: string } }).error.message, /^email: an email address/);
  });

  it('answers 401 signed-out without a sign-in, and after logout', async () => {
    const own: Route[] = [
      ['GET', '/me'],
      ['POST', '/me/totp'],
      ['POST', '/me/totp/confirm'],
      ['POST', '/logout'],
    ];
    await expectEvery(new DeskClient(tandem.url), [...own, ...adminRoutes()], 401, 'signed-out');
    const c = await signIn(tandem.url, 'avi@acme.example', 'agent password 1');
    const out = await c.expect(204, 'POST', '/logout');
    assert.match(out.headers.get('set-cookie') ?? '', /^tandem_desk=; .*Max-Age=0/);
    assert.equal((await c.call('GET', '/me')).status, 401, 'the old cookie is dead on the server too');
  });

  it('refuses a state change without the sign-in own CSRF value', async () => {
    const body = { settings: DEFAULT_SETTINGS };
    const none = await acme.client.call('PUT', '/settings', body, { 'x-tandem-csrf': '' });
    assert.equal(none.status, 403);
    assert.equal(errorCode(none.body), 'csrf');
    const other = await signIn(tandem.url, 'ada@acme.example', 'correct horse battery');
    const foreign = await acme.client.call('PUT', '/settings', body, { 'x-tandem-csrf': other.csrf });
    assert.equal(foreign.status, 403, "another sign-in's value, even the same user's");
    assert.equal((await acme.client.call('GET', '/settings')).status, 200, 'reads need none');
  });

  it('takes sign-ins only as JSON, which another site cannot send without asking (no login CSRF)', async () => {
    const res = await fetch(`${tandem.url}/api/desk/login`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/json' },
      body: JSON.stringify({ email: 'ada@acme.example', password: 'correct horse battery' }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  it('keeps settings as versions, refuses a stale save, and audits each change', async () => {
    const current = (await acme.client.expect(200, 'GET', '/settings')).body as { version: number };
    const settings = { ...DEFAULT_SETTINGS, allowedOrigins: ['https://acme.example/'], seatCap: 3 };
    const saved = (await acme.client.expect(201, 'PUT', '/settings', { settings, basedOn: current.version }))
      .body as { version: number; settings: { allowedOrigins: string[] }; createdBy: string };
    assert.equal(saved.version, current.version + 1);
    assert.deepEqual(saved.settings.allowedOrigins, ['https://acme.example']);
    assert.equal(saved.createdBy, acme.user.id);
    const stale = await acme.client.call('PUT', '/settings', { settings, basedOn: current.version });
    assert.equal(stale.status, 409);
    assert.equal(errorCode(stale.body), 'stale');
    const bad = await acme.client.call('PUT', '/settings', { settings: { ...settings, seatCap: 0 } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /settings\.seatCap/);
    const audit = (await acme.client.expect(200, 'GET', '/audit')).body as Array<{
      action: string;
      user: string;
      detail: { version?: number; changed?: string[] };
    }>;
    assert.deepEqual(audit[0], {
      ...audit[0],
      user: 'Acme admin',
      action: 'settings-saved',
      detail: { version: saved.version, changed: ['allowedOrigins', 'seatCap'] },
    });
    assert.equal(
      (await tandem.deskAccounts.settingsOf(acme.tenantId)).version,
      saved.version,
      'what desk-queue reads',
    );
  });

  it('lets admins manage users, each change audited, and keeps other roles out', async () => {
    const list = (await acme.client.expect(200, 'GET', '/users')).body as Array<{ email: string }>;
    assert.deepEqual(
      list.map((u) => u.email),
      ['ada@acme.example', 'avi@acme.example'],
    );
    assert.doesNotMatch(JSON.stringify(list), /argon2|password/i);
    const changed = (
      await acme.client.expect(200, 'PATCH', `/users/${acmeAgent.id}`, {
        skills: ['billing', 'Returns'],
        maxSessions: 2,
      })
    ).body as { skills: string[]; maxSessions: number };
    assert.deepEqual(changed.skills, ['billing', 'returns']);
    assert.equal(changed.maxSessions, 2);
    const audit = (await acme.client.expect(200, 'GET', '/audit')).body as Array<{ action: string }>;
    assert.equal(audit[0]?.action, 'user-changed');
    assert.ok(audit.some((e) => e.action === 'user-created'));

    const agent = await signIn(tandem.url, 'avi@acme.example', 'agent password 1');
    await expectEvery(agent, adminRoutes(), 403, 'forbidden');
    await agent.expect(200, 'GET', '/me');
  });

  it('refuses the last admin demoting themselves', async () => {
    const a = await bolt.client.call('PATCH', `/users/${bolt.user.id}`, { role: 'agent' });
    assert.equal(a.status, 409);
    assert.equal(errorCode(a.body), 'last-admin');
  });

  it('enrols TOTP and then asks for a code at login', async () => {
    const c = await signUpCompany(tandem.url, 'Dune', 'dee@dune.example');
    const { secret } = (await c.client.expect(200, 'POST', '/me/totp')).body as { secret: string };
    const key = base32Decode(secret) as Buffer;
    const wrong = await c.client.call('POST', '/me/totp/confirm', { code: '000000' });
    assert.equal(wrong.status, 400);
    await c.client.expect(204, 'POST', '/me/totp/confirm', { code: totp(key, Date.now()) });
    const missing = await new DeskClient(tandem.url).call('POST', '/login', {
      email: 'dee@dune.example',
      password: 'correct horse battery',
    });
    assert.equal(missing.status, 401);
    assert.equal(errorCode(missing.body), 'totp-required');
    // The code just used to confirm is spent; the next one (clock drift allowance) signs in.
    await signIn(tandem.url, 'dee@dune.example', 'correct horse battery', totp(key, Date.now() + 30_000));
  });

  it('answers bad-credentials, then 423 locked after five failures, and alerts the admins', async () => {
    const echo = await signUpCompany(tandem.url, 'Echo', 'eve@echo.example');
    for (let i = 0; i < 5; i++) {
      const a = await new DeskClient(tandem.url).call('POST', '/login', {
        email: 'eve@echo.example',
        password: 'nope',
      });
      assert.equal(a.status, 401);
      assert.equal(errorCode(a.body), 'bad-credentials');
    }
    const locked = await new DeskClient(tandem.url).call('POST', '/login', {
      email: 'eve@echo.example',
      password: 'correct horse battery',
    });
    assert.equal(locked.status, 423);
    assert.equal(errorCode(locked.body), 'locked');
    const alerts = (await echo.client.expect(200, 'GET', '/alerts')).body as Array<{
      kind: string;
      detail: unknown;
    }>;
    assert.deepEqual(
      alerts.map((a) => [a.kind, (a.detail as { email: string }).email]),
      [['lockout', 'eve@echo.example']],
    );
  });

  it("refuses a second tenant's credentials on every route: nothing of the first is seen or changed", async () => {
    await tandem.deskAccounts.recordAlert(acme.tenantId, 'origin', { origin: 'https://evil.example' });
    const before = {
      users: await tandem.deskAccounts.users(acme.tenantId),
      settings: await tandem.deskAccounts.settingsOf(acme.tenantId),
      audit: await tandem.deskAccounts.auditLog(acme.tenantId),
    };
    const secrets = [
      acme.tenantId,
      acme.user.id,
      acmeAgent.id,
      'ada@acme.example',
      'avi@acme.example',
      'evil.example',
    ];
    const b = bolt.client;
    const calls: Array<[string, string, unknown, number]> = [
      ['GET', '/me', undefined, 200],
      ['GET', '/settings', undefined, 200],
      ['PUT', '/settings', { settings: { ...DEFAULT_SETTINGS, seatCap: 1 } }, 201],
      ['GET', '/users', undefined, 200],
      [
        'POST',
        '/users',
        { name: 'Ben', email: 'ben@bolt.example', password: 'bolt agent pass', role: 'agent' },
        201,
      ],
      ['PATCH', `/users/${acme.user.id}`, { name: 'Mallory' }, 404],
      ['PATCH', `/users/${acmeAgent.id}`, { disabled: true }, 404],
      ['PATCH', `/users/${acmeAgent.id}`, { password: 'taken over now' }, 404],
      ['GET', '/audit', undefined, 200],
      ['GET', '/alerts', undefined, 200],
      ['POST', '/me/totp', undefined, 200],
    ];
    for (const [method, path, body, status] of calls) {
      const a = await b.call(method, path, body);
      assert.equal(a.status, status, `${method} ${path}: ${a.text}`);
      for (const s of secrets) assert.ok(!a.text.includes(s), `${method} ${path} shows ${s}`);
    }
    assert.deepEqual(await tandem.deskAccounts.users(acme.tenantId), before.users);
    assert.deepEqual(await tandem.deskAccounts.settingsOf(acme.tenantId), before.settings);
    assert.deepEqual(await tandem.deskAccounts.auditLog(acme.tenantId), before.audit);
    await signIn(tandem.url, 'avi@acme.example', 'agent password 1');
  });
});

describe('desk accounts API behind https', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  before(async () => {
    tandem = await startTestTandem({ TANDEM_PUBLIC_URL: 'https://desk.localhost' });
  });
  after(() => tandem.stop());

  it('marks the cookie Secure and rate-limits sign-ups and logins per address', async () => {
    const direct = `http://127.0.0.1:${tandem.port}`;
    const first = await signUpCompany(direct, 'Fig', 'fay@fig.example');
    assert.match(first.client.cookie, /^tandem_desk=/);
    const answer = await new DeskClient(direct).call('POST', '/login', {
      email: 'fay@fig.example',
      password: 'correct horse battery',
    });
    assert.match(answer.headers.get('set-cookie') ?? '', /; Secure$/);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await new DeskClient(direct).call('POST', '/signup', {})).status);
    assert.deepEqual(statuses.slice(0, 9), Array(9).fill(400), 'ten sign-ups at once are allowed');
    assert.deepEqual(statuses.slice(9), [429, 429, 429]);
    let limited = 0;
    for (let i = 0; i < 40; i++)
      if ((await new DeskClient(direct).call('POST', '/login', {})).status === 429) limited++;
    assert.ok(limited >= 10, `${limited} of 60 quick logins refused`);
    const forwarded = await new DeskClient(direct).call(
      'POST',
      '/signup',
      {},
      { 'x-forwarded-for': '203.0.113.9' },
    );
    assert.equal(forwarded.status, 429, 'an X-Forwarded-For from a proxy nobody trusts changes nothing');
  });
});

describe('desk accounts behind a trusted proxy', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  before(async () => {
    tandem = await startTestTandem({ TANDEM_TRUST_PROXY: '127.0.0.0/8' });
  });
  after(() => tandem.stop());

  it('limits sign-ups per forwarded client address, not per proxy', async () => {
    const signUp = (client: string) =>
      new DeskClient(`http://127.0.0.1:${tandem.port}`)
        .call('POST', '/signup', {}, { 'x-forwarded-for': client })
        .then((r) => r.status);
    const first: number[] = [];
    for (let i = 0; i < 11; i++) first.push(await signUp('203.0.113.5'));
    assert.deepEqual(first, [...Array(10).fill(400), 429], 'one client gets its ten sign-ups, then waits');
    assert.equal(await signUp('203.0.113.6'), 400, 'another client behind the same proxy is not held up');
    assert.equal(
      await signUp('198.51.100.7, 203.0.113.5'),
      429,
      'the address the proxy saw is the one counted',
    );
  });
});

describe('desk operator commands', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  before(async () => {
    tandem = await startTestTandem();
  });
  after(() => tandem.stop());

  it('makes an admin for an operator-made tenant and lifts a lockout', async () => {
    const cli = (...args: string[]) => runCli([...args, '--data-dir', tandem.dataDir]);
    assert.equal((await cli('tenant', 'add', 'gale', 'Gale Ltd')).code, 0);
    const missing = await cli('desk', 'admin', 'nope', 'gus@gale.example', 'Gus');
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /no tenant nope/);
    assert.equal((await cli('desk', 'admin', 'gale', 'not-an-email', 'Gus')).code, 2);
    const made = await cli('desk', 'admin', 'gale', 'Gus@Gale.example', 'Gus', 'Grant');
    assert.equal(made.code, 0, made.stdout);
    const password = /password \(shown once[^)]*\): (\S+)/.exec(made.stdout)?.[1] ?? '';
    const client = await signIn(tandem.url, 'gus@gale.example', password);
    const me = (await client.expect(200, 'GET', '/me')).body as {
      user: { name: string; role: string };
      tenant: { id: string; publicKey: string };
    };
    assert.deepEqual([me.user.name, me.user.role, me.tenant.id], ['Gus Grant', 'admin', 'gale']);
    assert.ok(made.stdout.includes(me.tenant.publicKey));

    for (let i = 0; i < 5; i++)
      await new DeskClient(tandem.url).call('POST', '/login', { email: 'gus@gale.example', password: 'x' });
    const locked = await new DeskClient(tandem.url).call('POST', '/login', {
      email: 'gus@gale.example',
      password,
    });
    assert.equal(locked.status, 423);
    assert.equal((await cli('desk', 'unlock', 'gus@gale.example')).code, 0);
    await signIn(tandem.url, 'gus@gale.example', password);
  });
});
