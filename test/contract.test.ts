import assert from 'node:assert/strict';
import type WebSocket from 'ws';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

/** The wire contract of DESIGN.md §6, exactly as tests outside the project use it. */
describe('the HTTP and WebSocket contract', function () {
  this.timeout(20_000);
  let tandem: TestTandem;
  before(async () => {
    tandem = await startTestTandem();
  });
  after(() => tandem?.stop());

  it('creates a session with host and join URLs carrying their keys', async () => {
    const res = await fetch(`${tandem.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ startUrl: 'https://example.com/' }),
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['hostKey', 'hostUrl', 'id', 'joinKey', 'joinUrl']);
    assert.equal(new URL(body.hostUrl as string).searchParams.get('key'), body.hostKey);
    assert.equal(new URL(body.joinUrl as string).searchParams.get('key'), body.joinKey);
    assert.equal(
      (await fetch(`${tandem.url}/api/sessions`, { method: 'POST' })).status,
      201,
      'the body is optional',
    );
  });

  it('joins with a key and orders chat and the holder’s scroll with the exact shapes', async () => {
    const s = await createSession(tandem.url);
    const host = await joinAs(tandem.url, s.id, 'Host', s.hostKey);
    const guest = await joinAs(tandem.url, s.id, 'Guest', s.joinKey);
    assert.deepEqual(Object.keys(host).sort(), ['participantId', 'role', 'token']);
    assert.equal(host.role, 'owner');
    assert.equal(guest.role, 'follower');

    const a = await WsClient.connect(tandem.url, s.id, host.token);
    const b = await WsClient.connect(tandem.url, s.id, guest.token);
    await a.next((m) => m.type === 'welcome');
    await b.next((m) => m.type === 'welcome');
    const frames: string[] = [];
    b.ws.on('message', (d: WebSocket.RawData) => frames.push(d.toString()));

    b.send({ type: 'chat', text: 'hello there' });
    const seen = await a.next((m) => m.type === 'chat');
    await b.next((m) => m.type === 'chat');
    assert.equal(
      frames.find((f) => f.includes('"chat"')),
      `{"type":"chat","seq":${seen.seq},"at":${seen.at},"from":"${guest.participantId}","text":"hello there"}`,
    );

    a.send({ type: 'scroll', tab: 't1', x: 0, y: 1200 });
    const scroll = await b.next((m) => m.type === 'scroll');
    assert.deepEqual(scroll, {
      type: 'scroll',
      seq: scroll.seq,
      at: scroll.at,
      from: host.participantId,
      tab: 't1',
      x: 0,
      y: 1200,
    });
    assert.ok(Number(scroll.seq) === Number(seen.seq) + 1, 'seq is gap-free');
    a.close();
    b.close();
  });

  it('opens a page on its content host with a 303', async () => {
    const s = await createSession(tandem.url);
    const host = await joinAs(tandem.url, s.id, 'Host', s.hostKey);
    const res = await fetch(
      `${tandem.url}/api/sessions/${s.id}/open?url=${encodeURIComponent('https://example.com/a?b=1')}&token=${host.token}`,
      { redirect: 'manual' },
    );
    assert.equal(res.status, 303);
    const to = new URL(res.headers.get('location') ?? '');
    assert.match(to.hostname, /^[a-z][a-z2-7]{25}\.content\.localhost$/);
    assert.equal(to.searchParams.get('to'), '/a?b=1');
  });
});
