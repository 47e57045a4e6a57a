import assert from 'node:assert/strict';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { type Received, WsClient } from './helpers/ws-client.js';

const chatSeqs = (messages: Received[]) =>
  messages.filter((m) => m.type === 'chat').map((m) => Number(m.seq));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live sessions over real sockets: resume and late join', function () {
  this.timeout(40_000);
  let tandem: TestTandem;

  before(async () => {
    tandem = await startTestTandem();
  });
  after(async () => {
    await tandem?.stop();
  });

  it('a follower away for 10 s comes back with every chat line once, none lost', async () => {
    const session = await createSession(tandem.url);
    const host = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const guest = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const owner = await WsClient.connect(tandem.url, session.id, host.token);
    const first = await WsClient.connect(tandem.url, session.id, guest.token);
    await first.next((m) => m.type === 'welcome');
    for (let i = 0; i < 5; i++) owner.send({ type: 'chat', text: `before ${i}` });
    await first.next((m) => m.type === 'chat' && m.text === 'before 4');
    const lastSeen = Math.max(...first.received.map((m) => Number(m.seq ?? 0)));
    first.close();
    await first.waitClosed();

    // Ten seconds away while the host keeps talking.
    for (let i = 0; i < 20; i++) {
      owner.send({ type: 'chat', text: `while away ${i}` });
      await sleep(500);
    }
    const again = await WsClient.connect(tandem.url, session.id, guest.token);
    again.send({ type: 'resume', after: lastSeen });
    owner.send({ type: 'chat', text: 'welcome back' });
    await again.next((m) => m.type === 'chat' && m.text === 'welcome back');
    await sleep(200);

    const everyLine = chatSeqs(owner.received);
    const seenAgain = chatSeqs(again.received);
    assert.equal(new Set(seenAgain).size, seenAgain.length, 'nothing twice on the new connection');
    const merged = new Set([...chatSeqs(first.received), ...seenAgain]);
    assert.deepEqual(
      [...merged].sort((a, b) => a - b),
      everyLine,
      'every line the host sent, none lost',
    );
    assert.equal(again.received[0]?.type, 'welcome', 'a fresh checkpoint first');
    owner.close();
    again.close();
  });

  it('a late joiner after 500 events gets a checkpoint: the recording since the last snapshot and the recent chat', async () => {
    const session = await createSession(tandem.url);
    const host = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const owner = await WsClient.connect(tandem.url, session.id, host.token);
    await owner.next((m) => m.type === 'welcome');
    const snapshot = (t: number) => [
      { type: 4, timestamp: t, data: { href: 'https://shop.example/', width: 800, height: 600 } },
      {
        type: 2,
        timestamp: t,
        data: { node: { type: 0, id: 1, childNodes: [] }, initialOffset: { top: 0, left: 0 } },
      },
    ];
    owner.send({ type: 'rec', tab: 't1', events: snapshot(1) });
    for (let i = 0; i < 500; i++) {
      owner.send({
        type: 'rec',
        tab: 't1',
        events: [{ type: 3, timestamp: 2 + i, data: { source: 3, id: 1, x: 0, y: i } }],
      });
      if (i % 100 === 0) owner.send({ type: 'chat', text: `note ${i}` });
    }
    owner.send({ type: 'rec', tab: 't1', events: snapshot(600) });
    for (let i = 0; i < 3; i++) {
      owner.send({
        type: 'rec',
        tab: 't1',
        events: [{ type: 3, timestamp: 601 + i, data: { source: 3, id: 1, x: 0, y: i } }],
      });
    }
    owner.send({ type: 'chat', text: 'done' });
    await owner.next((m) => m.type === 'chat' && m.text === 'done');

    const guest = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const late = await WsClient.connect(tandem.url, session.id, guest.token);
    await late.next((m) => m.type === 'chat' && m.text === 'done');
    await late.next(
      (m) => m.type === 'rec' && (m.events as Array<{ timestamp: number }>)[0]?.timestamp === 603,
    );
    const welcome = late.received[0] as Received & { checkpoint: boolean; seq: number };
    assert.equal(welcome.type, 'welcome');
    assert.equal(welcome.checkpoint, true);
    const recs = late.received.filter((m) => m.type === 'rec');
    assert.equal(recs.length, 4, 'the last snapshot and what followed it, not 500 older events');
    const firstEvents = (recs[0]?.events ?? []) as Array<{ type: number }>;
    assert.equal(firstEvents[0]?.type, 4, 'starting with its Meta');
    assert.deepEqual(
      late.received.filter((m) => m.type === 'chat').map((m) => m.text),
      ['note 0', 'note 100', 'note 200', 'note 300', 'note 400', 'done'],
    );
    owner.close();
    late.close();
  });
});
