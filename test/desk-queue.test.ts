import assert from 'node:assert/strict';
import type { SqliteStore } from '../store/sqlite.js';
import { type DeskClient, type DeskTenant, deskTenant, visitor } from './helpers/desk.js';
import { joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { type Received, WsClient } from './helpers/ws-client.js';

const SHOP = 'https://shop.example';
const GRACE_MS = 300;

interface Created {
  id: string;
  requestKey: string;
  status: string;
  position: number | null;
}

const ask = (base: string, t: DeskTenant, body: Record<string, unknown> = {}) =>
  visitor<Created>(base, 'POST', '/api/desk/requests', { key: t.publicKey, from: `${SHOP}/cart`, ...body });

const statusOf = (base: string, r: Created) =>
  visitor<Record<string, unknown>>(base, 'GET', `/api/desk/requests/${r.id}?requestKey=${r.requestKey}`);

/** Joins the session a viewer link opens, as the API client the viewer is, and connects its socket. */
async function enter(base: string, viewerUrl: string) {
  const url = new URL(viewerUrl);
  const session = url.pathname.split('/').pop() as string;
  const joined = await joinAs(
    base,
    session,
    url.searchParams.get('name') ?? 'x',
    url.searchParams.get('key') ?? '',
  );
  const ws = await WsClient.connect(base, session, joined.token);
  const welcome = await ws.next((m) => m.type === 'welcome');
  return { session, ...joined, ws, welcome };
}

const offerIn = (ws: WsClient, requestId: string) =>
  ws.next((m) => m.type === 'offer' && (m.request as { id: string }).id === requestId);

const ready = (a: DeskClient) => a.ok('PUT', '/api/desk/me/state', { state: 'ready' });

describe('desk queue: hunt group, placing, ending, overflow, origins', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  let base: string;

  before(async () => {
    tandem = await startTestTandem({}, { deskLeaveGraceMs: GRACE_MS });
    base = tandem.url;
  });
  after(() => tandem.stop());

  it('offers each request to the longest-idle Ready agent, passes a decline on, and places an accepted one', async () => {
    const t = await deskTenant(base, 'Acme', {
      origins: [SHOP],
      agents: [{ name: 'Ann' }, { name: 'Bea' }, { name: 'Cy' }],
    });
    const [ann, bea, cy] = t.agents as [DeskClient, DeskClient, DeskClient];
    const live = await Promise.all(t.agents.map((a) => a.live()));
    // Bea has been Ready longest, then Cy, then Ann.
    await ready(bea);
    await ready(cy);
    await ready(ann);
    const order: string[] = [];
    const requests: Created[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await ask(base, t, { name: `V${i}`, question: 'Where is my parcel?' });
      assert.equal(r.status, 201);
      assert.equal(r.body.status, 'offered');
      requests.push(r.body);
    }
    for (const r of requests) {
      const i = await Promise.any(live.map((ws, n) => offerIn(ws, r.id).then(() => n)));
      order.push(['Ann', 'Bea', 'Cy'][i] as string);
    }
    assert.deepEqual(order, ['Bea', 'Cy', 'Ann']);
    const [first, second] = requests as [Created, Created];
    const offer = (await offerIn(live[1] as WsClient, first.id)) as Received & {
      request: Record<string, unknown>;
    };
    assert.equal(offer.request.question, 'Where is my parcel?');
    assert.equal(offer.request.from, `${SHOP}/cart`);

    // Bea passes: the request goes to whoever is free, never back to her.
    await bea.ok('POST', `/api/desk/offers/${first.id}/decline`, undefined, 204);
    assert.equal((await bea.call('POST', `/api/desk/offers/${first.id}/accept`)).status, 409);
    await cy.ok('POST', `/api/desk/offers/${second.id}/decline`, undefined, 204);
    // Bea (idle longest, free) now holds the second; the first waits for an agent who has not passed.
    await offerIn(live[1] as WsClient, second.id);
    const placed = await bea.ok<{ sessionId: string; viewerUrl: string }>(
      'POST',
      `/api/desk/offers/${second.id}/accept`,
    );
    const visitorView = (await statusOf(base, second)).body;
    assert.equal(visitorView.status, 'placed');
    const agentSide = await enter(base, placed.viewerUrl);
    const visitorSide = await enter(base, visitorView.joinUrl as string);
    assert.equal(agentSide.role, 'owner', 'in support the agent leads first');
    assert.equal(visitorSide.role, 'follower');
    const tab = (visitorSide.welcome.tabs as Array<{ url: string }>)[0];
    assert.equal(tab?.url, `${SHOP}/cart`, 'the session starts on the page the visitor asked from');
    const session = await tandem.store.getSession(placed.sessionId);
    assert.equal(session?.tenantId, t.tenantId);
    assert.equal(session?.batonPolicy, 'support');

    // The agent leaves: after the grace the session ends for everyone and cannot be reopened.
    agentSide.ws.close();
    const closed = await visitorSide.ws.waitClosed();
    assert.equal(closed.code, 4410);
    await assert.rejects(WsClient.connect(base, placed.sessionId, visitorSide.token), /410/);
    const board = await t.supervisor.ok<{ agents: Array<{ name: string; sessions: string[] }> }>(
      'GET',
      '/api/desk/board',
    );
    assert.deepEqual(board.agents.find((a) => a.name === 'Bea')?.sessions, []);
    for (const ws of live) ws.close();
  });

  it('gives the overflow choices when nobody is Ready: keep waiting, try later, book a time, stop', async () => {
    const t = await deskTenant(base, 'Bolt', {
      origins: [SHOP],
      agents: [{ name: 'Dan', skills: ['billing'] }],
    });
    const [dan] = t.agents as [DeskClient];
    const danLive = await dan.live();
    const a = (await ask(base, t)).body;
    assert.equal(a.status, 'overflow');
    const waited = await visitor(base, 'POST', `/api/desk/requests/${a.id}/choice`, {
      requestKey: a.requestKey,
      choice: 'wait',
    });
    assert.equal(waited.body.status, 'waiting');
    assert.equal(waited.body.position, 1);

    const b = (await ask(base, t)).body;
    const later = await visitor(base, 'POST', `/api/desk/requests/${b.id}/choice`, {
      requestKey: b.requestKey,
      choice: 'later',
    });
    assert.equal(later.body.status, 'abandoned');

    const c = (await ask(base, t, { skill: 'billing', name: 'Eve' })).body;
    const at = Date.now() + 2 * 86_400_000;
    const booked = await visitor(base, 'POST', `/api/desk/requests/${c.id}/choice`, {
      requestKey: c.requestKey,
      choice: 'schedule',
      at,
    });
    assert.equal(booked.body.status, 'scheduled');
    assert.equal(booked.body.scheduledAt, at);
    assert.match(String(booked.body.joinUrl), /\/s\/[\w-]+\?key=/, 'the visitor gets a link');
    await danLive.next((m) => m.type === 'calendar');
    const calendar = await dan.ok<
      Array<{ id: string; scheduledAt: number; name: string; viewerUrl: string }>
    >('GET', '/api/desk/calendar');
    assert.deepEqual(
      calendar.map((e) => [e.id, e.scheduledAt, e.name]),
      [[c.id, at, 'Eve']],
    );
    // The booked session opens for both at the time; it is a desk session from then on.
    const agentSide = await enter(base, calendar[0]?.viewerUrl as string);
    const visitorSide = await enter(base, booked.body.joinUrl as string);
    assert.equal(agentSide.session, visitorSide.session);
    const board = await t.supervisor.ok<{ agents: Array<{ sessions: string[] }> }>('GET', '/api/desk/board');
    assert.deepEqual(board.agents[0]?.sessions, [agentSide.session]);
    // A second booking at the same time finds nobody free.
    const d = (await ask(base, t, { skill: 'billing' })).body;
    const clash = await visitor(base, 'POST', `/api/desk/requests/${d.id}/choice`, {
      requestKey: d.requestKey,
      choice: 'schedule',
      at: at + 60_000,
    });
    assert.equal(clash.status, 409);

    assert.equal(
      (await visitor(base, 'DELETE', `/api/desk/requests/${a.id}?requestKey=${a.requestKey}`)).status,
      204,
    );
    assert.equal((await statusOf(base, a)).body.status, 'abandoned');
    const row = (tandem.store as SqliteStore).db
      .prepare('SELECT abandon_reason FROM desk_requests WHERE id = ?')
      .get(a.id) as {
      abandon_reason: string;
    };
    assert.equal(row.abandon_reason, 'left', 'abandoned requests are recorded');
    assert.equal((await visitor(base, 'GET', `/api/desk/requests/${a.id}?requestKey=wrong`)).status, 404);
    for (const s of [agentSide, visitorSide]) s.ws.close();
    danLive.close();
  });

  it('refuses a page whose origin is not allowed, on every call, and alerts the admins once', async () => {
    const t = await deskTenant(base, 'Cove', { origins: [SHOP], agents: [{ name: 'Fay' }] });
    const bad = 'https://elsewhere.example/page';
    for (let i = 0; i < 2; i++) {
      const r = await ask(base, t, { from: bad });
      assert.equal(r.status, 403);
      assert.equal((r.body as unknown as { error: { code: string } }).error.code, 'origin-refused');
    }
    const page = await fetch(`${base}/help/${t.publicKey}?from=${encodeURIComponent(bad)}`);
    assert.equal(page.status, 403);
    assert.match(await page.text(), /does not offer live help on the page you came from/);
    const alerts = await t.admin.ok<{ alerts: Array<{ kind: string; detail: { origin: string } }> }>(
      'GET',
      '/api/desk/alerts',
    );
    const origin = alerts.alerts.filter((a) => a.kind === 'origin');
    assert.equal(origin.length, 1, 'rate-limited per tenant and origin');
    assert.equal(origin[0]?.detail.origin, 'https://elsewhere.example');

    // Allowed when asked, refused once the admin drops the origin: checked again on every call.
    const r = (await ask(base, t)).body;
    assert.equal((await statusOf(base, r)).status, 200);
    const current = await t.admin.ok<{ settings: Record<string, unknown> }>('GET', '/api/desk/settings');
    await t.admin.ok(
      'PUT',
      '/api/desk/settings',
      { settings: { ...current.settings, allowedOrigins: [] } },
      201,
    );
    assert.equal((await statusOf(base, r)).status, 403);

    const avail = await fetch(`${base}/api/desk/availability?key=${t.publicKey}`, {
      headers: { origin: SHOP },
    });
    assert.equal(
      avail.headers.get('access-control-allow-origin'),
      null,
      'no CORS for an origin no longer allowed',
    );
    await t.admin.ok('PUT', '/api/desk/settings', { settings: { ...current.settings } }, 201);
    const again = await fetch(`${base}/api/desk/availability?key=${t.publicKey}`, {
      headers: { origin: SHOP },
    });
    assert.equal(again.headers.get('access-control-allow-origin'), SHOP);
    assert.deepEqual(await again.json(), { available: false, waiting: 1 });
  });

  it('works without JavaScript: a form with a CSRF token, then a status page that refreshes itself', async () => {
    const t = await deskTenant(base, 'Dune', { origins: [SHOP], agents: [{ name: 'Gus' }] });
    await ready(t.agents[0] as DeskClient);
    const from = `${SHOP}/help-me`;
    const page = await fetch(`${base}/help/${t.publicKey}?from=${encodeURIComponent(from)}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const cookie = (page.headers.getSetCookie().find((c) => c.startsWith('tandem_v=')) ?? '').split(
      ';',
    )[0] as string;
    assert.match(cookie, /^tandem_v=[\w-]{16,}$/);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.ok(csrf);
    assert.match(html, /<form method="post"/);
    const post = (headers: Record<string, string>, token: string) =>
      fetch(`${base}/help/${t.publicKey}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ csrf: token, from, name: 'Hal', question: 'Hi' }).toString(),
      });
    assert.equal((await post({}, csrf)).status, 403, 'another site’s POST carries no visitor cookie');
    assert.equal((await post({ cookie }, 'forged')).status, 403);
    const created = await post({ cookie }, csrf);
    assert.equal(created.status, 303);
    const status = await fetch(`${base}${created.headers.get('location')}`, { headers: { cookie } });
    const statusHtml = await status.text();
    assert.match(statusHtml, /An agent is being asked/);
    assert.match(statusHtml, /http-equiv="refresh" content="5"/);
    assert.match(statusHtml, /"request":\{"id":"/, 'the live page resumes the same request');
  });

  it('lets an unanswered offer lapse to the next agent and sets the one who missed it Not ready', async () => {
    const t = await deskTenant(base, 'Echo', {
      origins: [SHOP],
      agents: [{ name: 'Ike' }, { name: 'Jo' }],
      settings: { offerTimeoutSeconds: 5 },
    });
    const [ike, jo] = t.agents as [DeskClient, DeskClient];
    const ikeLive = await ike.live();
    const joLive = await jo.live();
    await ready(ike);
    await ready(jo);
    const r = (await ask(base, t)).body;
    await offerIn(ikeLive, r.id);
    await ikeLive.next((m) => m.type === 'offer-withdrawn' && m.id === r.id, 10_000);
    const state = await ikeLive.next((m) => m.type === 'state');
    assert.equal(state.state, 'not-ready');
    assert.equal(state.reason, 'missed-offer');
    await offerIn(joLive, r.id);
    assert.equal((await ike.ok<{ state: string }>('GET', '/api/desk/me/state')).state, 'not-ready');
    ikeLive.close();
    joLive.close();
  });
});
