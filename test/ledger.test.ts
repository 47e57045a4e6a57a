import assert from 'node:assert/strict';
import { addByDay, dayCount, dayOf } from '../ledger/attendance.js';
import { Ledger, monthToDate, reportPeriod } from '../ledger/ledger.js';
import { hashSecret } from '../session/secrets.js';
import { openSqliteStore } from '../store/sqlite.js';
import { sqliteUsage } from '../store/usage.js';
import { signUpCompany } from './helpers/desk.js';
import { runCli } from './helpers/process.js';
import { joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

const at = (iso: string) => Date.parse(iso);

describe('ledger: connected time by UTC day', () => {
  it('cuts a span at midnight, adds into what is there, and counts nothing for an empty or backward span', () => {
    const days = addByDay(new Map(), at('2026-11-28T23:59:00Z'), at('2026-11-29T00:01:30Z'));
    assert.deepEqual(
      [...days],
      [
        ['2026-11-28', 60_000],
        ['2026-11-29', 90_000],
      ],
    );
    addByDay(days, at('2026-11-29T10:00:00Z'), at('2026-11-29T10:00:10Z'));
    assert.equal(days.get('2026-11-29'), 100_000);
    assert.equal(addByDay(new Map(), 5, 5).size, 0);
    assert.equal(addByDay(new Map(), 9, 5).size, 0);
    const long = addByDay(new Map(), at('2026-11-01T12:00:00Z'), at('2026-11-04T12:00:00Z'));
    assert.deepEqual(
      [...long.values()],
      [12, 24, 24, 12].map((h) => h * 3_600_000),
    );
  });

  it('reads a report period: this month so far by default, real days only, at most 366 of them', () => {
    const now = at('2026-11-29T15:00:00Z');
    assert.deepEqual(monthToDate(now), { from: '2026-11-01', to: '2026-11-29' });
    const period = reportPeriod(now);
    assert.deepEqual(period.parse({}), { from: '2026-11-01', to: '2026-11-29' });
    assert.deepEqual(period.parse({ from: '2026-10-01', to: '2026-10-31' }), {
      from: '2026-10-01',
      to: '2026-10-31',
    });
    for (const bad of [
      { from: '2026-02-30' },
      { from: '29/11/2026' },
      { from: '2026-11-10', to: '2026-11-09' },
      { from: '2024-01-01', to: '2025-12-31' },
      { from: '2026-11-01', extra: '1' },
    ]) {
      assert.equal(period.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(dayCount('2026-01-01', '2026-12-31'), 365);
    assert.equal(dayOf(at('2026-11-29T23:59:59.999Z')), '2026-11-29');
  });

  it('adds spans a room counted to its company, and reports days, sessions and totals', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await store.ensureTenant({ id: 'acme', name: 'Acme' });
      await store.ensureTenant({ id: 'globex', name: 'Globex' });
      const session = (id: string, tenantId: string, createdAt: string) =>
        store.createSession({
          id,
          tenantId,
          createdAt: at(createdAt),
          startUrl: null,
          batonPolicy: 'support',
          hostKeyHash: 'h',
          joinKeyHash: 'j',
        });
      await session('s1', 'acme', '2026-11-28T22:00:00Z');
      await session('s2', 'acme', '2026-11-29T09:00:00Z');
      await session('s3', 'globex', '2026-11-29T09:00:00Z');
      const errors: string[] = [];
      const ledger = new Ledger(sqliteUsage(store.db), async (id) => (await store.getSession(id))?.tenantId, {
        error: (_fields, message) => void errors.push(message),
      });
      // Two people in s1 across midnight; one in s2; someone in Globex's session.
      await ledger.attended('s1', [
        [at('2026-11-28T23:30:00Z'), at('2026-11-29T00:30:00Z')],
        [at('2026-11-28T23:45:00Z'), at('2026-11-29T00:15:00Z')],
      ]);
      await ledger.attended('s2', [[at('2026-11-29T09:00:00Z'), at('2026-11-29T09:10:00Z')]]);
      await ledger.attended('s3', [[at('2026-11-29T09:00:00Z'), at('2026-11-29T10:00:00Z')]]);
      await ledger.attended('gone', [[0, 1000]]);
      assert.deepEqual(errors, ['connected time for an unknown session was not counted']);

      assert.deepEqual(await ledger.report('acme', '2026-11-28', '2026-11-29'), {
        from: '2026-11-28',
        to: '2026-11-29',
        days: [
          { day: '2026-11-28', sessions: 1, participantMinutes: 45 },
          { day: '2026-11-29', sessions: 1, participantMinutes: 55 },
        ],
        totals: { sessions: 2, participantMinutes: 100 },
      });
      assert.deepEqual((await ledger.report('acme', '2026-11-29', '2026-11-29')).totals, {
        sessions: 1,
        participantMinutes: 55,
      });
      assert.deepEqual((await ledger.report('globex', '2026-11-01', '2026-11-30')).totals, {
        sessions: 1,
        participantMinutes: 60,
      });
    } finally {
      await store.close();
    }
  });
});

describe('ledger: a company’s usage, over real HTTP and the CLI', () => {
  let tandem: TestTandem;
  before(async () => {
    tandem = await startTestTandem();
  });
  after(() => tandem.stop());

  it('counts the session and the time both participants were connected, for the company’s admin only', async () => {
    const admin = await signUpCompany(tandem.url, 'Initech', 'admin@initech.example');
    await tandem.store.createSession({
      id: 'initech-session',
      tenantId: admin.tenantId,
      createdAt: Date.now(),
      startUrl: null,
      batonPolicy: 'support',
      hostKeyHash: hashSecret('host-key'),
      joinKeyHash: hashSecret('join-key'),
    });
    const host = await joinAs(tandem.url, 'initech-session', 'Peter', 'host-key');
    const visitor = await joinAs(tandem.url, 'initech-session', 'Milton', 'join-key');
    const sockets = [
      await WsClient.connect(tandem.url, 'initech-session', host.token),
      await WsClient.connect(tandem.url, 'initech-session', visitor.token),
    ];
    await Promise.all(sockets.map((s) => s.next((m) => m.type === 'welcome')));
    // Two people for a little over three seconds: at least a tenth of a minute between them.
    await new Promise((resolve) => setTimeout(resolve, 3200));
    for (const s of sockets) s.close();
    const today = new Date().toISOString().slice(0, 10);
    let report: { days: Array<{ day: string; sessions: number; participantMinutes: number }> } = { days: [] };
    for (let i = 0; i < 50; i++) {
      report = await admin.client.ok('GET', `/usage?from=${today}&to=${today}`);
      if ((report.days[0]?.participantMinutes ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(report.days.length, 1);
    assert.equal(report.days[0]?.day, today);
    assert.equal(report.days[0]?.sessions, 1);
    const minutes = report.days[0]?.participantMinutes ?? 0;
    assert.ok(minutes >= 0.1 && minutes < 1, `${minutes} participant minutes`);

    const csv = await admin.client.call('GET', `/usage.csv?from=${today}&to=${today}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', new RegExp(`usage-${today}-${today}\\.csv`));
    assert.equal(csv.text, `day,sessions,participant_minutes\r\n${today},1,${minutes}\r\n`);

    const bad = await admin.client.call('GET', '/usage?from=2026-02-30');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /no such day/);
    const other = await signUpCompany(tandem.url, 'Initrode', 'admin@initrode.example');
    const theirs = await other.client.ok<{ totals: { sessions: number } }>('GET', '/usage');
    assert.equal(theirs.totals.sessions, 0, 'another company sees only its own');
    for (const path of ['/usage', '/usage.csv']) {
      const anonymous = await fetch(`${tandem.url}/api/desk${path}`);
      assert.equal(anonymous.status, 401, path);
    }

    const cli = await runCli(['tenant', 'usage', admin.tenantId, today, today, '--data-dir', tandem.dataDir]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, new RegExp(`${today}\\s+1\\s+${minutes}\\n`));
    assert.match(cli.stdout, new RegExp(`total\\s+1\\s+${minutes}\\n`));
  });
});
