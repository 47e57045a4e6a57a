import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { REPLAY_CSP } from '../server/archive-routes.js';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { openSqliteStore } from '../store/sqlite.js';
import { enter, request } from './helpers/content.js';
import { runCli } from './helpers/process.js';
import {
  type CreatedSession,
  createSession,
  joinAs,
  startTestTandem,
  type TestTandem,
} from './helpers/tandem.js';
import { type Received, WsClient } from './helpers/ws-client.js';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => unknown;
}

async function call(
  base: string,
  pathAndQuery: string,
  options: { method?: string; cookie?: string; bearer?: string; body?: string; json?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await fetch(`${base}${pathAndQuery}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

/** Signs in with an access key and answers the cookie to send back. */
async function signIn(base: string, key: string): Promise<string> {
  const res = await call(base, '/api/archive/sign-in', { json: { key } });
  assert.equal(res.status, 200, res.text);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0] as string;
}

const errorCode = (a: Answer) => (a.json() as { error: { code: string } }).error.code;

async function eventually<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('archive API and CLI, over real HTTP', function () {
  this.timeout(60_000);
  let site: FixtureSite;
  let tandem: TestTandem;
  let session: CreatedSession;
  let olivia: WsClient;
  let felix: WsClient;
  let oliviaId: string;
  let label: string;
  let contentHost: string;
  let logo: string;
  let keyA: string;
  let keyB: string;
  let cookieA: string;
  let cookieB: string;
  const lines = [
    'hello from Olivia',
    'hi Olivia, Felix here',
    'a line with "quotes" and ünïcödé',
    '100% sure',
  ];
  const felixSaw: Received[] = [];

  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    session = await createSession(tandem.url, { startUrl: `${site.url}/` });
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const follower = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    oliviaId = owner.participantId;
    olivia = await WsClient.connect(tandem.url, session.id, owner.token);
    felix = await WsClient.connect(tandem.url, session.id, follower.token);
    await olivia.next((m) => m.type === 'welcome');
    await felix.next((m) => m.type === 'welcome');

    // The owner's page loads an image through the proxy: that is what the archive captures.
    const entered = await enter(tandem.url, tandem.port, session.id, owner.token, `${site.url}/`);
    contentHost = entered.host;
    label = contentHost.split('.')[0] as string;
    const served = await request(tandem.port, contentHost, '/img/logo.svg', {
      headers: { cookie: entered.cookie },
    });
    assert.equal(served.status, 200);
    logo = served.body;

    olivia.send({ type: 'location', tab: 't1', url: `${site.url}/`, title: 'Acme Outfitters' });
    olivia.send({
      type: 'rec',
      tab: 't1',
      events: [
        { type: 4, timestamp: 1, data: { href: `http://${contentHost}/`, width: 800, height: 600 } },
        {
          type: 3,
          timestamp: 2,
          data: {
            source: 0,
            adds: [
              {
                parentId: 1,
                node: { type: 2, tagName: 'img', attributes: { src: `http://${contentHost}/img/logo.svg` } },
              },
            ],
          },
        },
      ],
    });
    for (const [i, text] of lines.entries()) (i % 2 ? felix : olivia).send({ type: 'chat', text });
    for (const text of lines) felixSaw.push(await felix.next((m) => m.type === 'chat' && m.text === text));
    await felix.next((m) => m.type === 'rec');

    keyA = (await tandem.auditors.create('demo', 'Ann Auditor')).key;
    await tandem.store.ensureTenant({ id: 'globex', name: 'Globex' });
    keyB = (await tandem.auditors.create('globex', 'Bob Auditor')).key;
    cookieA = await signIn(tandem.url, keyA);
    cookieB = await signIn(tandem.url, keyB);
  });

  after(async () => {
    olivia?.close();
    felix?.close();
    await tandem?.stop();
    await site?.close();
  });

  const api = (p: string) => `/api/archive${p}`;
  const sessionRoutes = () => {
    const s = `/sessions/${session.id}`;
    return [s, `${s}/events`, `${s}/assets/${label}/img/logo.svg`, `${s}/verify`, `${s}/export`];
  };

  describe('signing in', () => {
    it('refuses a wrong key with 403 and an empty one with 400', async () => {
      const wrong = await call(tandem.url, api('/sign-in'), { json: { key: 'tak_not-a-key' } });
      assert.equal(wrong.status, 403);
      assert.equal(errorCode(wrong), 'bad-key');
      assert.equal(wrong.headers.get('set-cookie'), null);
      const empty = await call(tandem.url, api('/sign-in'), { json: { key: '  ' } });
      assert.equal(empty.status, 400);
    });

    it('sets an HttpOnly, SameSite=Strict cookie for the whole app that then works', async () => {
      const res = await call(tandem.url, api('/sign-in'), { json: { key: keyA } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { name: 'Ann Auditor', tenant: 'demo' });
      const setCookie = res.headers.get('set-cookie') ?? '';
      assert.match(setCookie, /^tandem_auditor=[^;]+;/);
      assert.match(setCookie, /; HttpOnly/);
      assert.match(setCookie, /; SameSite=Strict/);
      assert.match(setCookie, /; Path=\/(;|$)/);
      assert.match(setCookie, /; Max-Age=\d+/);
      assert.doesNotMatch(setCookie, /Secure/, 'plain http on localhost');
      const cookie = setCookie.split(';')[0] as string;
      const me = await call(tandem.url, api('/me'), { cookie });
      assert.equal(me.status, 200);
      assert.deepEqual(me.json(), { name: 'Ann Auditor', tenant: 'demo' });
      assert.equal(me.headers.get('cache-control'), 'no-store');
    });

    it('accepts the key as a bearer token, and refuses a forged or altered cookie', async () => {
      assert.equal((await call(tandem.url, api('/me'), { bearer: keyA })).status, 200);
      assert.equal((await call(tandem.url, api('/me'), { bearer: 'tak_wrong' })).status, 401);
      const value = cookieA.slice('tandem_auditor='.length);
      const [id, expires, signature] = value.split('.') as [string, string, string];
      const altered = [
        `${id}.${Number(expires) + 1000}.${signature}`,
        `${id}.${expires}.${signature.slice(0, -2)}AA`,
        `other.${expires}.${signature}`,
        'garbage',
      ];
      for (const v of altered) {
        assert.equal((await call(tandem.url, api('/me'), { cookie: `tandem_auditor=${v}` })).status, 401, v);
      }
    });

    it('signs out by clearing the cookie', async () => {
      const res = await call(tandem.url, api('/sign-out'), { method: 'POST', cookie: cookieA });
      assert.equal(res.status, 204);
      assert.match(res.headers.get('set-cookie') ?? '', /^tandem_auditor=; .*Max-Age=0/);
    });
  });

  it('answers 401 on every API route without a sign-in', async () => {
    const routes = [
      ...['/me', '/sessions', '/sessions/nope', '/deletions', ...sessionRoutes()].map((p) => ['GET', p]),
      ['POST', '/import'],
    ] as Array<[string, string]>;
    for (const [method, p] of routes) {
      for (const cookie of [undefined, 'tandem_auditor=forged.1.x', 'other=1']) {
        const res = await call(tandem.url, api(p), {
          method,
          cookie,
          ...(method === 'POST' ? { body: '' } : {}),
        });
        assert.equal(res.status, 401, `${method} ${p} with ${cookie}`);
        assert.equal(errorCode(res), 'sign-in');
      }
    }
  });

  it('lists and finds the tenant’s sessions, with who took part', async () => {
    const list = (await call(tandem.url, api('/sessions'), { cookie: cookieA })).json() as {
      sessions: Array<{ id: string; participants: Array<{ name: string; role: string }>; startUrl: string }>;
    };
    const mine = list.sessions.find((s) => s.id === session.id);
    assert.ok(mine, 'the session is listed');
    assert.equal(mine.startUrl, `${site.url}/`);
    assert.deepEqual(mine.participants.map((p) => [p.name, p.role]).sort(), [
      ['Felix', 'follower'],
      ['Olivia', 'owner'],
    ]);
    const found = async (q: string) =>
      (
        (await call(tandem.url, api(`/sessions?${q}`), { cookie: cookieA })).json() as {
          sessions: Array<{ id: string }>;
        }
      ).sessions.map((s) => s.id);
    assert.deepEqual(await found('text=Felix%20here'), [session.id]);
    assert.deepEqual(await found('text=100%25'), [session.id]);
    assert.deepEqual(await found('participant=felix'), [session.id]);
    assert.deepEqual(await found('host=olivia'), [session.id]);
    assert.deepEqual(await found('host=felix'), []);
    assert.deepEqual(await found(`url=${encodeURIComponent(site.url)}`), [session.id]);
    assert.deepEqual(await found(`from=${Date.now() + 60_000}`), []);
    assert.equal((await call(tandem.url, api('/sessions?from=abc'), { cookie: cookieA })).status, 400);
  });

  it('gives another tenant’s auditor 404 on every route naming the session, and an empty list', async () => {
    const unknown = await call(tandem.url, api('/sessions/no-such-session'), { cookie: cookieA });
    assert.equal(unknown.status, 404);
    for (const p of sessionRoutes()) {
      const res = await call(tandem.url, api(p), { cookie: cookieB });
      assert.equal(res.status, 404, p);
      assert.equal(res.text, unknown.text, `${p}: indistinguishable from a session that does not exist`);
      const own = await call(tandem.url, api(p), { cookie: cookieA });
      assert.equal(own.status, 200, `${p} for the session’s own tenant`);
    }
    const viaBearer = await call(tandem.url, api(`/sessions/${session.id}`), { bearer: keyB });
    assert.equal(viaBearer.status, 404);
    assert.deepEqual((await call(tandem.url, api('/sessions'), { cookie: cookieB })).json(), {
      sessions: [],
    });
    assert.deepEqual(
      (
        await call(tandem.url, api(`/sessions?text=${encodeURIComponent(lines[0] as string)}`), {
          cookie: cookieB,
        })
      ).json(),
      { sessions: [] },
    );
    assert.deepEqual((await call(tandem.url, api('/deletions'), { cookie: cookieB })).json(), {
      deletions: [],
    });

    const page = (cookie?: string) =>
      fetch(`${tandem.url}/archive/${session.id}`, { headers: cookie ? { cookie } : {} });
    const other = await page(cookieB);
    assert.equal(other.status, 404);
    assert.doesNotMatch(await other.text(), new RegExp(session.id), 'the page does not echo the id');
    const own = await page(cookieA);
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('content-security-policy'), REPLAY_CSP);
  });

  it('serves the events exactly as participants received them, in seq order, paged with after/limit/next', async () => {
    const all = (
      await call(tandem.url, api(`/sessions/${session.id}/events?limit=5000`), { cookie: cookieA })
    ).json() as {
      events: Received[];
      next: number | null;
    };
    assert.equal(all.next, null);
    const seqs = all.events.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'every ordered event from seq 1, gap-free',
    );
    for (const seen of felixSaw) {
      assert.deepEqual(
        all.events.find((e) => e.seq === seen.seq),
        seen,
      );
    }
    assert.ok(all.events.some((e) => e.type === 'joined'));
    assert.ok(all.events.some((e) => e.type === 'location' && e.from === oliviaId));

    const paged: Received[] = [];
    let after = 0;
    let pages = 0;
    for (;;) {
      const page = (
        await call(tandem.url, api(`/sessions/${session.id}/events?after=${after}&limit=3`), {
          cookie: cookieA,
        })
      ).json() as { events: Received[]; next: number | null };
      pages++;
      assert.ok(page.events.length <= 3);
      paged.push(...page.events);
      if (page.next === null) break;
      assert.equal(page.next, page.events.at(-1)?.seq);
      after = page.next;
    }
    assert.deepEqual(paged, all.events);
    assert.ok(pages >= Math.ceil(all.events.length / 3));
    const tail = (
      await call(tandem.url, api(`/sessions/${session.id}/events?after=${seqs.length - 1}`), {
        cookie: cookieA,
      })
    ).json() as {
      events: Received[];
    };
    assert.deepEqual(
      tail.events.map((e) => e.seq),
      [seqs.length],
    );
  });

  it('serves an asset the proxy served during the session, with the same bytes, from the archive', async () => {
    const assetPath = api(`/sessions/${session.id}/assets/${label}/img/logo.svg`);
    const res = await eventually('the capture', async () => {
      const r = await call(tandem.url, assetPath, { cookie: cookieA });
      return r.status === 200 ? r : undefined;
    });
    assert.equal(res.text, logo);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml');
    assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
    const missing = await call(tandem.url, api(`/sessions/${session.id}/assets/${label}/img/never.svg`), {
      cookie: cookieA,
    });
    assert.equal(missing.status, 404);

    // The recording named the image by its content-host URL; replayed, it names the archive's copy.
    const events = (await call(tandem.url, api(`/sessions/${session.id}/events`), { cookie: cookieA })).text;
    assert.doesNotMatch(
      events,
      new RegExp(contentHost.replace(/[.:]/g, '\\$&')),
      'no content-host URL is left',
    );
    const archived = `${tandem.url}${assetPath}`;
    assert.ok(events.includes(archived), 'the recorded image URL points into the archive');
    const replayed = await fetch(archived, { headers: { cookie: cookieA } });
    assert.equal(await replayed.text(), logo);
  });

  it('verifies the session, and reports a record changed in the database file', async () => {
    const verifyUrl = api(`/sessions/${session.id}/verify`);
    const intact = (await call(tandem.url, verifyUrl, { cookie: cookieA })).json() as {
      intact: boolean;
      records: number;
    };
    assert.equal(intact.intact, true);
    const chat = felixSaw[1] as Received;
    const db = new Database(path.join(tandem.dataDir, 'tandem.db'));
    const original = (
      db
        .prepare('SELECT body FROM archive_events WHERE session_id = ? AND seq = ?')
        .get(session.id, chat.seq) as {
        body: string;
      }
    ).body;
    const update = db.prepare('UPDATE archive_events SET body = ? WHERE session_id = ? AND seq = ?');
    try {
      update.run(original.replace('Felix here', 'Felix was never here'), session.id, chat.seq);
      const broken = (await call(tandem.url, verifyUrl, { cookie: cookieA })).json();
      assert.deepEqual(broken, {
        intact: false,
        records: chat.seq,
        brokenAt: chat.seq,
        reason: 'the hash does not match the record and the one before it',
      });
      const cli = await runCli(['archive', 'verify', session.id, '--data-dir', tandem.dataDir]);
      assert.equal(cli.code, 1, cli.stdout + cli.stderr);
      assert.match(cli.stdout, new RegExp(`^broken at seq ${chat.seq} `));
    } finally {
      update.run(original, session.id, chat.seq);
      db.close();
    }
    const again = (await call(tandem.url, verifyUrl, { cookie: cookieA })).json() as { intact: boolean };
    assert.equal(again.intact, true, 'the original record restores the chain');
  });

  describe('export and import', () => {
    let exported: string;
    before(async () => {
      const res = await call(tandem.url, api(`/sessions/${session.id}/export`), { cookie: cookieA });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
      assert.match(
        res.headers.get('content-disposition') ?? '',
        new RegExp(`tandem-session-${session.id}\\.ndjson`),
      );
      exported = res.text;
    });

    it('imports an export into another Tandem: the same events, verified intact', async () => {
      const second = await startTestTandem();
      try {
        const key = (await second.auditors.create('demo', 'Ivy Importer')).key;
        const cookie = await signIn(second.url, key);
        const res = await call(second.url, api('/import'), {
          cookie,
          body: exported,
        });
        assert.equal(res.status, 201, res.text);
        const count = exported.split('\n').filter((l) => l.startsWith('{"event"')).length;
        assert.deepEqual(res.json(), { id: session.id, events: count });
        const verdict = (
          await call(second.url, api(`/sessions/${session.id}/verify`), { cookie })
        ).json() as {
          intact: boolean;
          records: number;
        };
        assert.equal(verdict.intact, true);
        assert.equal(verdict.records, count);
        const there = (await call(second.url, api(`/sessions/${session.id}/events?limit=5000`), { cookie }))
          .text;
        const here = (
          await call(tandem.url, api(`/sessions/${session.id}/events?limit=5000`), { cookie: cookieA })
        ).text;
        assert.equal(there, here.replaceAll(tandem.url, second.url));
        const asset = await call(second.url, api(`/sessions/${session.id}/assets/${label}/img/logo.svg`), {
          cookie,
        });
        assert.equal(asset.text, logo);
        const twice = await call(second.url, api('/import'), { cookie, body: exported });
        assert.equal(twice.status, 409);
      } finally {
        await second.stop();
      }
    });

    it('refuses a tampered export with 400 and a session already archived with 409', async () => {
      const tampered = exported.replace('hi Olivia, Felix here', 'hi Olivia, someone else here');
      assert.notEqual(tampered, exported);
      const bad = await call(tandem.url, api('/import'), { cookie: cookieA, body: tampered });
      assert.equal(bad.status, 400);
      assert.equal(errorCode(bad), 'broken-chain');
      const notJson = await call(tandem.url, api('/import'), { cookie: cookieA, body: 'not json\n' });
      assert.equal(notJson.status, 400);
      assert.equal(errorCode(notJson), 'bad-file');
      const exists = await call(tandem.url, api('/import'), { cookie: cookieA, body: exported });
      assert.equal(exists.status, 409);
      assert.equal(errorCode(exists), 'exists');
    });
  });

  describe('the operator CLI', () => {
    const cli = (...args: string[]) => runCli([...args, '--data-dir', tandem.dataDir]);

    it('archive verify: 0 and the record count when intact, 2 for an unknown session', async () => {
      const ok = await cli('archive', 'verify', session.id);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      const records = ((await tandem.archive.verify('demo', session.id)) as { records: number }).records;
      // The session is still open here: nothing is sealed yet.
      assert.match(
        ok.stdout,
        new RegExp(`^intact: ${records} records, last hash [0-9a-f]{64}, still open\\n$`),
      );
      const unknown = await cli('archive', 'verify', 'no-such-session');
      assert.equal(unknown.code, 2);
      assert.match(unknown.stdout, /no session no-such-session/);
    });

    it('auditor add prints a key, once, that then signs in', async () => {
      const res = await cli('auditor', 'add', 'demo', 'Carol Checker');
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const key = /access key \(shown once\): (\S+)/.exec(res.stdout)?.[1];
      assert.ok(key, res.stdout);
      const signedIn = await call(tandem.url, api('/sign-in'), { json: { key } });
      assert.equal(signedIn.status, 200);
      assert.deepEqual(signedIn.json(), { name: 'Carol Checker', tenant: 'demo' });
      const noTenant = await cli('auditor', 'add', 'no-such-tenant', 'Dan');
      assert.equal(noTenant.code, 2);
      assert.match(noTenant.stdout, /no tenant no-such-tenant/);
    });

    it('tenant add and tenant retention set what they say, and refuse bad use with 2', async () => {
      const retention = () => {
        const db = new Database(path.join(tandem.dataDir, 'tandem.db'), { readonly: true });
        try {
          return (db.prepare('SELECT name, retention_days FROM tenants WHERE id = ?').get('acme') ??
            null) as {
            name: string;
            retention_days: number | null;
          } | null;
        } finally {
          db.close();
        }
      };
      const added = await cli('tenant', 'add', 'acme', 'Acme Corp');
      assert.equal(added.code, 0);
      assert.deepEqual(retention(), { name: 'Acme Corp', retention_days: null });
      const set = await cli('tenant', 'retention', 'acme', '30');
      assert.equal(set.code, 0);
      assert.match(set.stdout, /30 days/);
      assert.equal(retention()?.retention_days, 30);
      for (const bad of ['0', '-1', '1.5', 'abc']) {
        const res = await cli('tenant', 'retention', 'acme', bad);
        assert.equal(res.code, 2, bad);
      }
      assert.equal(retention()?.retention_days, 30, 'unchanged by refused values');
      assert.equal((await cli('tenant', 'retention', 'no-such-tenant', '5')).code, 2);
      const off = await cli('tenant', 'retention', 'acme', 'off');
      assert.equal(off.code, 0);
      assert.equal(retention()?.retention_days, null);
      const usage = await cli('tenant');
      assert.equal(usage.code, 2);
      assert.match(usage.stdout, /^usage:/);
    });
  });
});

describe('archive: a session still live when Tandem stops', function () {
  this.timeout(30_000);

  // Retention deletes sessions a number of days after they end; one never sealed is kept forever.
  it('is sealed by a clean stop: its end and final hash are stored', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-stop-'));
    try {
      const config = parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []);
      const tandem = await startTandem(config, { logger: pino({ level: 'silent' }) });
      let id: string;
      try {
        const session = await createSession(tandem.url);
        id = session.id;
        const owner = await joinAs(tandem.url, id, 'Olivia', session.hostKey);
        const ws = await WsClient.connect(tandem.url, id, owner.token);
        ws.send({ type: 'chat', text: 'still here when the server stops' });
        await ws.next((m) => m.type === 'chat');
      } finally {
        await tandem.stop();
      }
      const store = openSqliteStore(dataDir);
      try {
        const summary = await store.archivedSession('demo', id);
        const last = await store.lastEvent(id);
        assert.ok(last, 'the chat line is archived');
        assert.notEqual(summary?.endedAt, null, 'the session is marked ended');
        assert.equal(summary?.finalHash, last.hash);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
