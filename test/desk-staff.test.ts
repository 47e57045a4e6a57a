import assert from 'node:assert/strict';
import { type DeskClient, type DeskTenant, deskTenant, visitor } from './helpers/desk.js';
import { joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

const SHOP = 'https://shop.example';
const GRACE_MS = 300;

interface Created {
  id: string;
  requestKey: string;
}

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

/** A visitor asks, the given agent (the only one Ready) accepts, and both enter the session. */
async function placed(base: string, t: DeskTenant, agent: DeskClient) {
  await agent.ok('PUT', '/api/desk/me/state', { state: 'ready' });
  const r = (
    await visitor<Created>(base, 'POST', '/api/desk/requests', {
      key: t.publicKey,
      from: `${SHOP}/`,
      name: 'Vic',
    })
  ).body;
  const accepted = await agent.ok<{ sessionId: string; viewerUrl: string }>(
    'POST',
    `/api/desk/offers/${r.id}/accept`,
  );
  const status = await visitor<{ joinUrl: string }>(
    base,
    'GET',
    `/api/desk/requests/${r.id}?requestKey=${r.requestKey}`,
  );
  const agentSide = await enter(base, accepted.viewerUrl);
  const visitorSide = await enter(base, status.body.joinUrl);
  return { request: r, sessionId: accepted.sessionId, agentSide, visitorSide };
}

const names = (welcome: Record<string, unknown>) =>
  (welcome.participants as Array<{ name: string }>).map((p) => p.name).sort();

describe('desk staff: watch, whisper, barge, transfer, conference, isolation, live channel', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  let base: string;

  before(async () => {
    tandem = await startTestTandem({}, { deskLeaveGraceMs: GRACE_MS });
    base = tandem.url;
  });
  after(() => tandem.stop());

  it('lets a supervisor watch silently, whisper to the agent only, and barge in', async () => {
    const t = await deskTenant(base, 'Fern', { origins: [SHOP], agents: [{ name: 'Kim' }] });
    const s = await placed(base, t, t.agents[0] as DeskClient);
    const watch = await t.supervisor.ok<{ viewerUrl: string; monitorNotice: boolean }>(
      'POST',
      `/api/desk/sessions/${s.sessionId}/watch`,
    );
    assert.equal(watch.monitorNotice, true);
    const monitor = await enter(base, watch.viewerUrl);
    assert.equal((monitor.welcome.you as { hidden?: boolean }).hidden, true);
    // The visitor's view never lists the monitor; a newcomer's neither.
    const late = await WsClient.connect(base, s.sessionId, s.visitorSide.token);
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

    await t.supervisor.ok('POST', `/api/desk/sessions/${s.sessionId}/barge`);
    const joined = await s.visitorSide.ws.next((m) => m.type === 'joined');
    assert.equal((joined.participant as { id: string }).id, monitor.participantId);
    monitor.ws.send({ type: 'chat', text: 'I am the supervisor' });
    await s.visitorSide.ws.next((m) => m.type === 'chat' && m.text === 'I am the supervisor');
    for (const c of [monitor.ws, late, s.agentSide.ws, s.visitorSide.ws]) c.close();
  });

  it('brings in a second agent, transfers the session, and ends it when the agent in charge or the last visitor leaves', async () => {
    const t = await deskTenant(base, 'Gale', {
      origins: [SHOP],
      agents: [{ name: 'Lee' }, { name: 'Max' }, { name: 'Ned' }],
    });
    const [lee, max, ned] = t.agents as [DeskClient, DeskClient, DeskClient];
    const maxLive = await max.live();
    const nedLive = await ned.live();
    const s = await placed(base, t, lee);
    await lee.ok(
      'POST',
      `/api/desk/sessions/${s.sessionId}/invite`,
      { userId: max.userId, mode: 'conference' },
      201,
    );
    const invite = await maxLive.next((m) => m.type === 'invite');
    assert.equal(invite.mode, 'conference');
    const maxSide = await enter(base, invite.viewerUrl as string);
    assert.equal(maxSide.role, 'follower');
    await lee.ok(
      'POST',
      `/api/desk/sessions/${s.sessionId}/invite`,
      { userId: ned.userId, mode: 'transfer' },
      201,
    );
    const transfer = await nedLive.next((m) => m.type === 'invite');
    const nedSide = await enter(base, transfer.viewerUrl as string);
    assert.equal(nedSide.role, 'owner', 'the agent taking over leads like the first one did');
    // Lee handed over: Lee leaving does not end it; the invite is Ned's now.
    assert.equal(
      (
        await lee.call('POST', `/api/desk/sessions/${s.sessionId}/invite`, {
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
      '/api/desk/board',
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

  it('keeps every queue route to the caller’s tenant', async () => {
    const a = await deskTenant(base, 'Hale', { origins: [SHOP], agents: [{ name: 'Oda' }] });
    const b = await deskTenant(base, 'Isle', { origins: [SHOP], agents: [{ name: 'Pat' }] });
    const s = await placed(base, a, a.agents[0] as DeskClient);
    const r = (
      await visitor<Created>(base, 'POST', '/api/desk/requests', { key: a.publicKey, from: `${SHOP}/` })
    ).body;
    const pat = b.agents[0] as DeskClient;
    const other = b.supervisor;
    const oda = a.agents[0] as DeskClient;
    const tries: Array<[DeskClient, string, string, unknown, number]> = [
      [pat, 'POST', `/api/desk/offers/${r.id}/accept`, undefined, 409],
      [pat, 'POST', `/api/desk/offers/${r.id}/decline`, undefined, 409],
      [
        pat,
        'POST',
        `/api/desk/sessions/${s.sessionId}/invite`,
        { userId: oda.userId, mode: 'conference' },
        404,
      ],
      [pat, 'POST', `/api/desk/sessions/${s.sessionId}/end`, undefined, 404],
      [other, 'POST', `/api/desk/sessions/${s.sessionId}/watch`, undefined, 404],
      [other, 'POST', `/api/desk/sessions/${s.sessionId}/barge`, undefined, 404],
      [
        oda,
        'POST',
        `/api/desk/sessions/${s.sessionId}/invite`,
        { userId: pat.userId, mode: 'conference' },
        404,
      ],
    ];
    for (const [who, method, path, body, status] of tries) {
      assert.equal((await who.call(method, path, body)).status, status, `${method} ${path}`);
    }
    const board = await other.ok<{ agents: Array<{ name: string }>; queue: unknown[]; sessions: unknown[] }>(
      'GET',
      '/api/desk/board',
    );
    assert.deepEqual(
      board.agents.map((x) => x.name),
      ['Pat'],
    );
    assert.deepEqual([board.queue, board.sessions], [[], []]);
    assert.deepEqual(await pat.ok('GET', '/api/desk/calendar'), []);
    assert.deepEqual(await pat.ok('GET', '/api/desk/offers'), []);
    // Roles: an agent sees no board, a supervisor takes no offers.
    assert.equal((await oda.call('GET', '/api/desk/board')).status, 403);
    assert.equal((await a.supervisor.call('PUT', '/api/desk/me/state', { state: 'ready' })).status, 403);
    // Without the CSRF header a change is refused.
    oda.csrf = '';
    assert.equal((await oda.call('PUT', '/api/desk/me/state', { state: 'away' })).status, 403);
    s.agentSide.ws.close();
    s.visitorSide.ws.close();
  });

  it('sends boards, offers and wait updates live on /desk/ws, to the right people only', async () => {
    const t = await deskTenant(base, 'Jade', { origins: [SHOP], agents: [{ name: 'Quin' }] });
    const url = `${base.replace(/^http/, 'ws')}/desk/ws`;
    await assert.rejects(
      WsClient.open(url, { origin: 'https://evil.example', cookie: t.supervisor.cookie }),
      /403/,
    );
    await assert.rejects(WsClient.open(url, { origin: base }), /401/);
    await assert.rejects(WsClient.open(`${url}?request=nope&requestKey=nope`, { origin: base }), /404/);

    const board = await t.supervisor.live();
    await board.next((m) => m.type === 'board');
    const quin = t.agents[0] as DeskClient;
    await quin.ok('PUT', '/api/desk/me/state', { state: 'away' });
    await board.next(
      (m) =>
        m.type === 'board' && (m.board as { agents: Array<{ state: string }> }).agents[0]?.state === 'away',
    );
    const first = (
      await visitor<Created>(base, 'POST', '/api/desk/requests', { key: t.publicKey, from: `${SHOP}/` })
    ).body;
    const second = (
      await visitor<Created>(base, 'POST', '/api/desk/requests', { key: t.publicKey, from: `${SHOP}/` })
    ).body;
    const wait = await WsClient.open(`${url}?request=${second.id}&requestKey=${second.requestKey}`, {
      origin: base,
    });
    await wait.next((m) => m.type === 'request' && m.position === 2);
    await visitor(base, 'DELETE', `/api/desk/requests/${first.id}?requestKey=${first.requestKey}`);
    await wait.next((m) => m.type === 'request' && m.position === 1);
    const quinLive = await quin.live();
    await quin.ok('PUT', '/api/desk/me/state', { state: 'ready' });
    const offer = await quinLive.next((m) => m.type === 'offer');
    assert.equal((offer.request as { id: string }).id, second.id);
    await wait.next((m) => m.type === 'request' && m.status === 'offered');
    await quin.ok('POST', `/api/desk/offers/${second.id}/accept`);
    const done = await wait.next((m) => m.type === 'request' && m.status === 'placed');
    assert.match(String(done.joinUrl), /\/s\//);
    assert.ok(!board.received.some((m) => m.type === 'offer'), 'offers go to the agent only');
    for (const c of [board, wait, quinLive]) c.close();
  });
});
