import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import type { SqliteStore } from '../store/sqlite.js';
import { launchBrowser } from './helpers/browser.js';
import {
  DeskClient,
  type DeskTenant,
  deskTandem,
  deskTenant,
  enterSession,
  visitor,
} from './helpers/desk.js';
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
  visitor<Created>(base, 'POST', '/requests', { key: t.publicKey, from: `${SHOP}/cart`, ...body });

const statusOf = (base: string, r: Created) =>
  visitor<Record<string, unknown>>(base, 'GET', `/requests/${r.id}?requestKey=${r.requestKey}`);

const offerIn = (ws: WsClient, requestId: string) =>
  ws.next((m) => m.type === 'offer' && (m.request as { id: string }).id === requestId);

const ready = (a: DeskClient) => a.ok('PUT', '/me/state', { state: 'ready' });

describe('desk queue: hunt group, placing, ending, overflow, origins', function () {
  this.timeout(60_000);
  const ctx = deskTandem(GRACE_MS);

  it('offers each request to the longest-idle Ready agent, passes a decline on, and places an accepted one', async () => {
    const t = await deskTenant(ctx.base, 'Acme', {
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
      const r = await ask(ctx.base, t, { name: `V${i}`, question: 'Where is my parcel?' });
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
    await bea.ok('POST', `/offers/${first.id}/decline`, undefined, 204);
    assert.equal((await bea.call('POST', `/offers/${first.id}/accept`)).status, 409);
    await cy.ok('POST', `/offers/${second.id}/decline`, undefined, 204);
    // Bea (idle longest, free) now holds the second; the first waits for an agent who has not passed.
    await offerIn(live[1] as WsClient, second.id);
    const placed = await bea.ok<{ sessionId: string; viewerUrl: string }>(
      'POST',
      `/offers/${second.id}/accept`,
    );
    const visitorView = (await statusOf(ctx.base, second)).body;
    assert.equal(visitorView.status, 'placed');
    const agentSide = await enterSession(ctx.base, placed.viewerUrl);
    const visitorSide = await enterSession(ctx.base, visitorView.joinUrl as string);
    assert.equal(agentSide.role, 'owner', 'in support the agent leads first');
    assert.equal(visitorSide.role, 'follower');
    const tab = (visitorSide.welcome.tabs as Array<{ url: string }>)[0];
    assert.equal(tab?.url, `${SHOP}/cart`, 'the session starts on the page the visitor asked from');
    const session = await ctx.tandem.store.getSession(placed.sessionId);
    assert.equal(session?.tenantId, t.tenantId);
    assert.equal(session?.batonPolicy, 'support');

    // The agent leaves: after the grace the session ends for everyone and cannot be reopened.
    agentSide.ws.close();
    const closed = await visitorSide.ws.waitClosed();
    assert.equal(closed.code, 4410);
    await assert.rejects(WsClient.connect(ctx.base, placed.sessionId, visitorSide.token), /410/);
    const board = await t.supervisor.ok<{ agents: Array<{ name: string; sessions: string[] }> }>(
      'GET',
      '/board',
    );
    assert.deepEqual(board.agents.find((a) => a.name === 'Bea')?.sessions, []);
    for (const ws of live) ws.close();
  });

  it('gives the overflow choices when nobody is Ready: keep waiting, try later, book a time, stop', async () => {
    const t = await deskTenant(ctx.base, 'Bolt', {
      origins: [SHOP],
      agents: [{ name: 'Dan', skills: ['billing'] }],
    });
    const [dan] = t.agents as [DeskClient];
    const danLive = await dan.live();
    const a = (await ask(ctx.base, t)).body;
    assert.equal(a.status, 'overflow');
    const waited = await visitor(ctx.base, 'POST', `/requests/${a.id}/choice`, {
      requestKey: a.requestKey,
      choice: 'wait',
    });
    assert.equal(waited.body.status, 'waiting');
    assert.equal(waited.body.position, 1);

    const b = (await ask(ctx.base, t)).body;
    const later = await visitor(ctx.base, 'POST', `/requests/${b.id}/choice`, {
      requestKey: b.requestKey,
      choice: 'later',
    });
    assert.equal(later.body.status, 'abandoned');

    const c = (await ask(ctx.base, t, { skill: 'billing', name: 'Eve' })).body;
    const at = Date.now() + 2 * 86_400_000;
    const booked = await visitor(ctx.base, 'POST', `/requests/${c.id}/choice`, {
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
    >('GET', '/calendar');
    assert.deepEqual(
      calendar.map((e) => [e.id, e.scheduledAt, e.name]),
      [[c.id, at, 'Eve']],
    );
    // The booked session opens for both at the time; it is a desk session from then on.
    const agentSide = await enterSession(ctx.base, calendar[0]?.viewerUrl as string);
    const visitorSide = await enterSession(ctx.base, booked.body.joinUrl as string);
    assert.equal(agentSide.session, visitorSide.session);
    const board = await t.supervisor.ok<{ agents: Array<{ sessions: string[] }> }>('GET', '/board');
    assert.deepEqual(board.agents[0]?.sessions, [agentSide.session]);
    // A second booking at the same time finds nobody free.
    const d = (await ask(ctx.base, t, { skill: 'billing' })).body;
    const clash = await visitor(ctx.base, 'POST', `/requests/${d.id}/choice`, {
      requestKey: d.requestKey,
      choice: 'schedule',
      at: at + 60_000,
    });
    assert.equal(clash.status, 409);

    assert.equal(
      (await visitor(ctx.base, 'DELETE', `/requests/${a.id}?requestKey=${a.requestKey}`)).status,
      204,
    );
    assert.equal((await statusOf(ctx.base, a)).body.status, 'abandoned');
    const row = (ctx.tandem.store as SqliteStore).db
      .prepare('SELECT abandon_reason FROM desk_requests WHERE id = ?')
      .get(a.id) as {
      abandon_reason: string;
    };
    assert.equal(row.abandon_reason, 'left', 'abandoned requests are recorded');
    assert.equal((await visitor(ctx.base, 'GET', `/requests/${a.id}?requestKey=wrong`)).status, 404);
    for (const s of [agentSide, visitorSide]) s.ws.close();
    danLive.close();
  });

  it('refuses a page whose origin is not allowed, on every call, and alerts the admins once', async () => {
    const t = await deskTenant(ctx.base, 'Cove', { origins: [SHOP], agents: [{ name: 'Fay' }] });
    const bad = 'https://elsewhere.example/page';
    for (let i = 0; i < 2; i++) {
      const r = await ask(ctx.base, t, { from: bad });
      assert.equal(r.status, 403);
      assert.equal((r.body as unknown as { error: { code: string } }).error.code, 'origin-refused');
    }
    const page = await fetch(`${ctx.base}/help/${t.publicKey}?from=${encodeURIComponent(bad)}`);
    assert.equal(page.status, 403);
    assert.match(await page.text(), /does not offer live help on the page you came from/);
    const alerts = await t.admin.ok<Array<{ kind: string; detail: { origin: string } }>>('GET', '/alerts');
    const origin = alerts.filter((a) => a.kind === 'origin');
    assert.equal(origin.length, 1, 'rate-limited per tenant and origin');
    assert.equal(origin[0]?.detail.origin, 'https://elsewhere.example');

    // Allowed when asked, refused once the admin drops the origin: checked again on every call.
    const r = (await ask(ctx.base, t)).body;
    assert.equal((await statusOf(ctx.base, r)).status, 200);
    const current = await t.admin.ok<{ settings: Record<string, unknown> }>('GET', '/settings');
    await t.admin.ok('PUT', '/settings', { settings: { ...current.settings, allowedOrigins: [] } }, 201);
    assert.equal((await statusOf(ctx.base, r)).status, 403);

    const avail = await fetch(`${ctx.base}/api/desk/availability?key=${t.publicKey}`, {
      headers: { origin: SHOP },
    });
    assert.equal(
      avail.headers.get('access-control-allow-origin'),
      null,
      'no CORS for an origin no longer allowed',
    );
    await t.admin.ok('PUT', '/settings', { settings: { ...current.settings } }, 201);
    const again = await fetch(`${ctx.base}/api/desk/availability?key=${t.publicKey}`, {
      headers: { origin: SHOP },
    });
    assert.equal(again.headers.get('access-control-allow-origin'), SHOP);
    assert.deepEqual(await again.json(), { available: false, waiting: 1 });
  });

  it('works without JavaScript: a form with a CSRF token, then a status page that refreshes itself', async () => {
    const t = await deskTenant(ctx.base, 'Dune', { origins: [SHOP], agents: [{ name: 'Gus' }] });
    await ready(t.agents[0] as DeskClient);
    const from = `${SHOP}/help-me`;
    const page = await fetch(`${ctx.base}/help/${t.publicKey}?from=${encodeURIComponent(from)}`);
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
      fetch(`${ctx.base}/help/${t.publicKey}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ csrf: token, from, name: 'Hal', question: 'Hi' }).toString(),
      });
    assert.equal((await post({}, csrf)).status, 403, 'another site’s POST carries no visitor cookie');
    assert.equal((await post({ cookie }, 'forged')).status, 403);
    const created = await post({ cookie }, csrf);
    assert.equal(created.status, 303);
    const status = await fetch(`${ctx.base}${created.headers.get('location')}`, { headers: { cookie } });
    const statusHtml = await status.text();
    assert.match(statusHtml, /An agent is being asked/);
    assert.match(statusHtml, /http-equiv="refresh" content="5"/);
    assert.match(statusHtml, /"request":\{"id":"/, 'the live page resumes the same request');
  });

  it('lets an unanswered offer lapse to the next agent and sets the one who missed it Not ready', async () => {
    const t = await deskTenant(ctx.base, 'Echo', {
      origins: [SHOP],
      agents: [{ name: 'Ike' }, { name: 'Jo' }],
      settings: { offerTimeoutSeconds: 5 },
    });
    const [ike, jo] = t.agents as [DeskClient, DeskClient];
    const ikeLive = await ike.live();
    const joLive = await jo.live();
    await ready(ike);
    await ready(jo);
    const r = (await ask(ctx.base, t)).body;
    await offerIn(ikeLive, r.id);
    await ikeLive.next((m) => m.type === 'offer-withdrawn' && m.id === r.id, 10_000);
    const state = await ikeLive.next((m) => m.type === 'state');
    assert.equal(state.state, 'not-ready');
    assert.equal(state.reason, 'missed-offer');
    await offerIn(joLive, r.id);
    assert.equal((await ike.ok<{ state: string }>('GET', '/me/state')).state, 'not-ready');
    ikeLive.close();
    joLive.close();
  });
});

/** A visitor asks, the given agent (the only one Ready) accepts, and both enter the session. */
async function placed(base: string, t: DeskTenant, agent: DeskClient) {
  await agent.ok('PUT', '/me/state', { state: 'ready' });
  const r = (
    await visitor<Created>(base, 'POST', '/requests', {
      key: t.publicKey,
      from: `${SHOP}/`,
      name: 'Vic',
    })
  ).body;
  const accepted = await agent.ok<{ sessionId: string; viewerUrl: string }>('POST', `/offers/${r.id}/accept`);
  const status = await visitor<{ joinUrl: string }>(
    base,
    'GET',
    `/requests/${r.id}?requestKey=${r.requestKey}`,
  );
  const agentSide = await enterSession(base, accepted.viewerUrl);
  const visitorSide = await enterSession(base, status.body.joinUrl);
  return { request: r, sessionId: accepted.sessionId, agentSide, visitorSide };
}

const names = (welcome: Record<string, unknown>) =>
  (welcome.participants as Array<{ name: string }>).map((p) => p.name).sort();

describe('desk staff: watch, whisper, barge, transfer, conference, isolation, live channel', function () {
  this.timeout(60_000);
  const ctx = deskTandem(GRACE_MS);

  it('lets a supervisor watch silently, whisper to the agent only, and barge in', async () => {
    const t = await deskTenant(ctx.base, 'Fern', { origins: [SHOP], agents: [{ name: 'Kim' }] });
    const s = await placed(ctx.base, t, t.agents[0] as DeskClient);
    const watch = await t.supervisor.ok<{ viewerUrl: string; monitorNotice: boolean }>(
      'POST',
      `/sessions/${s.sessionId}/watch`,
    );
    assert.equal(watch.monitorNotice, true);
    const monitor = await enterSession(ctx.base, watch.viewerUrl);
    assert.equal((monitor.welcome.you as { hidden?: boolean }).hidden, true);
    // The visitor's view never lists the monitor; a newcomer's neither.
    const late = await WsClient.connect(ctx.base, s.sessionId, s.visitorSide.token);
    assert.deepEqual(names(await late.next((m) => m.type === 'welcome')), ['Kim', 'Vic']);
    monitor.ws.send({ type: 'chat', text: 'hello all' });
    const refused = await monitor.ws.next((m) => m.type === 'error');
    assert.equal(refused.code, 'watching');
    monitor.ws.send({ type: 'chat', text: 'offer the refund', to: [s.agentSide.participantId] });
    const whisper = await s.agentSide.ws.next((m) => m.type === 'chat' && m.text === 'offer the refund');
    assert.equal(whisper.from, monitor.participantId);
    s.visitorSide.ws.send({ type: 'chat', text: 'still there?' });
    await s.agentSide.ws.next((m) => m.type === 'chat' && m.text === 'still there?');
    assert.ok(!s.visitorSide.ws.received.some((m) => m.text === 'offer the refund' || m.participant));

    await t.supervisor.ok('POST', `/sessions/${s.sessionId}/barge`);
    const joined = await s.visitorSide.ws.next((m) => m.type === 'joined');
    assert.equal((joined.participant as { id: string }).id, monitor.participantId);
    monitor.ws.send({ type: 'chat', text: 'I am the supervisor' });
    await s.visitorSide.ws.next((m) => m.type === 'chat' && m.text === 'I am the supervisor');
    for (const c of [monitor.ws, late, s.agentSide.ws, s.visitorSide.ws]) c.close();
  });

  it('brings in a second agent, transfers the session, and ends it when the agent in charge or the last visitor leaves', async () => {
    const t = await deskTenant(ctx.base, 'Gale', {
      origins: [SHOP],
      agents: [{ name: 'Lee' }, { name: 'Max' }, { name: 'Ned' }],
    });
    const [lee, max, ned] = t.agents as [DeskClient, DeskClient, DeskClient];
    const maxLive = await max.live();
    const nedLive = await ned.live();
    const s = await placed(ctx.base, t, lee);
    await lee.ok('POST', `/sessions/${s.sessionId}/invite`, { userId: max.userId, mode: 'conference' }, 201);
    const invite = await maxLive.next((m) => m.type === 'invite');
    assert.equal(invite.mode, 'conference');
    const maxSide = await enterSession(ctx.base, invite.viewerUrl as string);
    assert.equal(maxSide.role, 'follower');
    await lee.ok('POST', `/sessions/${s.sessionId}/invite`, { userId: ned.userId, mode: 'transfer' }, 201);
    const transfer = await nedLive.next((m) => m.type === 'invite');
    const nedSide = await enterSession(ctx.base, transfer.viewerUrl as string);
    assert.equal(nedSide.role, 'owner', 'the agent taking over leads like the first one did');
    // Lee handed over: Lee leaving does not end it; the invite is Ned's now.
    assert.equal(
      (
        await lee.call('POST', `/sessions/${s.sessionId}/invite`, {
          userId: max.userId,
          mode: 'conference',
        })
      ).status,
      404,
    );
    s.agentSide.ws.close();
    await new Promise((r) => setTimeout(r, GRACE_MS * 3));
    assert.equal(s.visitorSide.ws.closed, null);
    const board = await t.supervisor.ok<{ agents: Array<{ name: string; sessions: string[] }> }>(
      'GET',
      '/board',
    );
    assert.deepEqual(board.agents.map((a) => [a.name, a.sessions.length]).sort(), [
      ['Lee', 0],
      ['Max', 1],
      ['Ned', 1],
    ]);
    // The last visitor leaves: the session ends for the agents too.
    s.visitorSide.ws.close();
    assert.equal((await nedSide.ws.waitClosed()).code, 4410);
    assert.equal((await maxSide.ws.waitClosed()).code, 4410);
    maxLive.close();
    nedLive.close();
  });

  it('shows the visitor in the viewer that the session has ended when the agent ends it', async () => {
    const t = await deskTenant(ctx.base, 'Lark', { origins: [SHOP], agents: [{ name: 'Ros' }] });
    const ros = t.agents[0] as DeskClient;
    const s = await placed(ctx.base, t, ros);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const status = await visitor<{ joinUrl: string }>(
        ctx.base,
        'GET',
        `/requests/${s.request.id}?requestKey=${s.request.requestKey}`,
      );
      await page.goto(status.body.joinUrl);
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="connection"]')?.textContent?.includes('live'),
      );
      await ros.ok('POST', `/sessions/${s.sessionId}/end`, undefined, 204);
      await page.waitForFunction(() => document.body.textContent?.includes('The session has ended'));
    } finally {
      await browser.close();
      s.agentSide.ws.close();
      s.visitorSide.ws.close();
    }
  });

  it('lets an agent who takes two at once be offered a second, and alerts the supervisors', async () => {
    const t = await deskTenant(ctx.base, 'Moss', {
      origins: [SHOP],
      agents: [{ name: 'Sol', maxSessions: 2 }],
    });
    const sol = t.agents[0] as DeskClient;
    const one = await placed(ctx.base, t, sol);
    const two = await placed(ctx.base, t, sol);
    const states = (ctx.tandem.store as SqliteStore).db
      .prepare('SELECT state FROM desk_agent_states WHERE user_id = ?')
      .all(sol.userId);
    assert.deepEqual(states, [{ state: 'ready' }], 'choosing Ready again records nothing');
    const board = await t.supervisor.ok<{
      agents: Array<{ sessions: string[] }>;
      alerts: Array<{ kind: string }>;
      sessions: Array<{ channel: string }>;
    }>('GET', '/board');
    assert.deepEqual(board.agents[0]?.sessions.sort(), [one.sessionId, two.sessionId].sort());
    assert.deepEqual(
      board.alerts.map((a) => a.kind),
      ['multiple-sessions'],
    );
    assert.match(board.sessions[0]?.channel ?? '', /^Moss \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    for (const s of [one, two]) {
      s.agentSide.ws.close();
      s.visitorSide.ws.close();
    }
  });

  it('keeps every queue route to the caller’s tenant', async () => {
    const a = await deskTenant(ctx.base, 'Hale', { origins: [SHOP], agents: [{ name: 'Oda' }] });
    const b = await deskTenant(ctx.base, 'Isle', { origins: [SHOP], agents: [{ name: 'Pat' }] });
    const s = await placed(ctx.base, a, a.agents[0] as DeskClient);
    const r = (await visitor<Created>(ctx.base, 'POST', '/requests', { key: a.publicKey, from: `${SHOP}/` }))
      .body;
    const pat = b.agents[0] as DeskClient;
    const other = b.supervisor;
    const oda = a.agents[0] as DeskClient;
    const tries: Array<[DeskClient, string, string, unknown, number]> = [
      [pat, 'POST', `/offers/${r.id}/accept`, undefined, 409],
      [pat, 'POST', `/offers/${r.id}/decline`, undefined, 409],
      [pat, 'POST', `/sessions/${s.sessionId}/invite`, { userId: oda.userId, mode: 'conference' }, 404],
      [pat, 'POST', `/sessions/${s.sessionId}/end`, undefined, 404],
      [other, 'POST', `/sessions/${s.sessionId}/watch`, undefined, 404],
      [other, 'POST', `/sessions/${s.sessionId}/barge`, undefined, 404],
      [oda, 'POST', `/sessions/${s.sessionId}/invite`, { userId: pat.userId, mode: 'conference' }, 404],
    ];
    for (const [who, method, path, body, status] of tries) {
      assert.equal((await who.call(method, path, body)).status, status, `${method} ${path}`);
    }
    const board = await other.ok<{ agents: Array<{ name: string }>; queue: unknown[]; sessions: unknown[] }>(
      'GET',
      '/board',
    );
    assert.deepEqual(
      board.agents.map((x) => x.name),
      ['Pat'],
    );
    assert.deepEqual([board.queue, board.sessions], [[], []]);
    assert.deepEqual(await pat.ok('GET', '/calendar'), []);
    assert.deepEqual(await pat.ok('GET', '/offers'), []);
    // Roles: an agent sees no board, a supervisor takes no offers.
    assert.equal((await oda.call('GET', '/board')).status, 403);
    assert.equal((await a.supervisor.call('PUT', '/me/state', { state: 'ready' })).status, 403);
    // Without the CSRF header a change is refused.
    oda.csrf = '';
    assert.equal((await oda.call('PUT', '/me/state', { state: 'away' })).status, 403);
    s.agentSide.ws.close();
    s.visitorSide.ws.close();
  });

  it('sends boards, offers and wait updates live on /desk/ws, to the right people only', async () => {
    const t = await deskTenant(ctx.base, 'Jade', { origins: [SHOP], agents: [{ name: 'Quin' }] });
    const url = `${ctx.base.replace(/^http/, 'ws')}/desk/ws`;
    await assert.rejects(
      WsClient.open(url, { origin: 'https://evil.example', cookie: t.supervisor.cookie }),
      /403/,
    );
    await assert.rejects(WsClient.open(url, { origin: ctx.base }), /401/);
    await assert.rejects(WsClient.open(`${url}?request=nope&requestKey=nope`, { origin: ctx.base }), /404/);

    const board = await t.supervisor.live();
    await board.next((m) => m.type === 'board');
    const quin = t.agents[0] as DeskClient;
    await quin.ok('PUT', '/me/state', { state: 'away' });
    await board.next(
      (m) =>
        m.type === 'board' && (m.board as { agents: Array<{ state: string }> }).agents[0]?.state === 'away',
    );
    const first = (
      await visitor<Created>(ctx.base, 'POST', '/requests', { key: t.publicKey, from: `${SHOP}/` })
    ).body;
    const second = (
      await visitor<Created>(ctx.base, 'POST', '/requests', { key: t.publicKey, from: `${SHOP}/` })
    ).body;
    const wait = await WsClient.open(`${url}?request=${second.id}&requestKey=${second.requestKey}`, {
      origin: ctx.base,
    });
    await wait.next((m) => m.type === 'request' && m.position === 2);
    await visitor(ctx.base, 'DELETE', `/requests/${first.id}?requestKey=${first.requestKey}`);
    await wait.next((m) => m.type === 'request' && m.position === 1);
    const quinLive = await quin.live();
    await quin.ok('PUT', '/me/state', { state: 'ready' });
    const offer = await quinLive.next((m) => m.type === 'offer');
    assert.equal((offer.request as { id: string }).id, second.id);
    await wait.next((m) => m.type === 'request' && m.status === 'offered');
    await quin.ok('POST', `/offers/${second.id}/accept`);
    const done = await wait.next((m) => m.type === 'request' && m.status === 'placed');
    assert.match(String(done.joinUrl), /\/s\//);
    assert.ok(!board.received.some((m) => m.type === 'offer'), 'offers go to the agent only');
    for (const c of [board, wait, quinLive]) c.close();
  });
});

describe('desk queue across a restart', function () {
  this.timeout(60_000);

  it('rebuilds agents’ states, sessions in progress and the waiting queue from the store', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-desk-restart-'));
    const start = () =>
      startTandem(parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []), {
        logger: pino({ level: 'silent' }),
      });
    let tandem = await start();
    try {
      const t = await deskTenant(tandem.url, 'Kite', {
        origins: [SHOP],
        agents: [{ name: 'Ann' }, { name: 'Bo' }],
      });
      const [ann, bo] = t.agents as [DeskClient, DeskClient];
      await bo.ok('PUT', '/me/state', { state: 'ready' });
      const first = (
        await visitor<Created>(tandem.url, 'POST', '/requests', { key: t.publicKey, from: `${SHOP}/` })
      ).body;
      const placed = await bo.ok<{ sessionId: string }>('POST', `/offers/${first.id}/accept`);
      const second = (
        await visitor<Created>(tandem.url, 'POST', '/requests', { key: t.publicKey, from: `${SHOP}/` })
      ).body;
      assert.equal(second.status, 'waiting');
      await tandem.stop();

      tandem = await start();
      // The sign-ins are stored too: the same cookies work on the new process.
      const again = (c: DeskClient) =>
        Object.assign(new DeskClient(tandem.url), { cookie: c.cookie, csrf: c.csrf });
      const board = await again(t.supervisor).ok<{
        agents: Array<{ name: string; state: string; sessions: string[] }>;
        queue: Array<{ id: string }>;
      }>('GET', '/board');
      assert.deepEqual(board.agents.map((a) => [a.name, a.state, a.sessions]).sort(), [
        ['Ann', 'not-ready', []],
        ['Bo', 'ready', [placed.sessionId]],
      ]);
      assert.deepEqual(
        board.queue.map((r) => r.id),
        [second.id],
      );
      const annLive = await again(ann).live();
      await again(ann).ok('PUT', '/me/state', { state: 'ready' });
      const offer = await annLive.next((m) => m.type === 'offer');
      assert.equal((offer.request as { id: string }).id, second.id, 'Bo is still in his session');
      annLive.close();
    } finally {
      await tandem.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
