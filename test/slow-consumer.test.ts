import assert from 'node:assert/strict';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { type Received, WsClient } from './helpers/ws-client.js';

/** One recorder batch of about 1 MB: a custom rrweb event the mask check passes through. */
const batch = (n: number) => ({
  type: 'rec',
  tab: 't1',
  events: [{ type: 5, timestamp: n, data: { tag: 'filler', payload: { n, pad: 'x'.repeat(1 << 20) } } }],
});
const fullSnapshot = (t: number) => ({
  type: 'rec',
  tab: 't1',
  events: [
    { type: 4, timestamp: t, data: { href: 'https://shop.example/', width: 800, height: 600 } },
    {
      type: 2,
      timestamp: t,
      data: { node: { type: 0, id: 1, childNodes: [] }, initialOffset: { top: 0, left: 0 } },
    },
  ],
});
const seqsOf = (messages: Received[], type: string) =>
  messages.filter((m) => m.type === type).map((m) => Number(m.seq));

/**
 * The loopback kernel buffers take a few MB of what a paused reader is sent; these amounts clear them
 * with a wide margin, so the server's own queue for the paused socket is surely past the lagging mark
 * (1 MiB) after the first and past the cut-off (32 MiB) after the second.
 */
const LAGGING_MB = 12;
const CUT_OFF_MB = 64;

describe('a slow consumer that stops reading', function () {
  this.timeout(120_000);
  let tandem: TestTandem;

  before(async () => {
    tandem = await startTestTandem();
  });
  after(async () => {
    await tandem?.stop();
  });

  it('is coalesced, then cut off with 1013 while another follower gets everything in order, then resumes', async () => {
    const session = await createSession(tandem.url);
    const connect = async (name: string, key: string) => {
      const joined = await joinAs(tandem.url, session.id, name, key);
      const client = await WsClient.connect(tandem.url, session.id, joined.token);
      await client.next((m) => m.type === 'welcome');
      return { client, token: joined.token, id: joined.participantId };
    };
    const { client: owner } = await connect('Olivia', session.hostKey);
    const { client: fast } = await connect('Felix', session.joinKey);
    const slowOne = await connect('Sam', session.joinKey);
    const slow = slowOne.client;
    const { client: pointing, id: pointer } = await connect('Pia', session.joinKey);
    let chats = 0;
    /** A chat line from the owner that both followers would see, and the wait for the fast one. */
    const mark = async (text: string) => {
      chats++;
      owner.send({ type: 'chat', text });
      await fast.next((m) => m.type === 'chat' && m.text === text, 60_000);
    };
    owner.send(fullSnapshot(1));
    await mark('ready');
    await slow.next((m) => m.type === 'chat' && m.text === 'ready');

    // Phase 1: Sam stops reading while the owner streams; Pia's pointer moves pile up for him.
    slow.ws.pause();
    for (let i = 0; i < LAGGING_MB; i++) owner.send(batch(i));
    await mark('lagging');
    const moves = 20;
    for (let i = 0; i < moves; i++)
      pointing.send({ type: 'pointer', tab: 't1', node: 7, x: i / moves, y: 0.5 });
    await fast.next((m) => m.type === 'pointer' && m.x === (moves - 1) / moves);
    const xs = (c: WsClient) =>
      c.received.filter((m) => m.type === 'pointer' && m.from === pointer).map((m) => m.x);
    assert.deepEqual(
      xs(fast),
      Array.from({ length: moves }, (_, i) => i / moves),
      'the reading follower gets every move, in order',
    );
    slow.ws.resume();
    await slow.next((m) => m.type === 'pointer' && m.x === (moves - 1) / moves, 30_000);
    assert.deepEqual(xs(slow), [(moves - 1) / moves], 'the lagging follower gets only the latest move');
    assert.ok(slow.received.some((m) => m.type === 'chat' && m.text === 'lagging'));

    // Phase 2: Sam stops reading for good; once his queue passes its bound the server closes him.
    slow.ws.pause();
    for (let sent = 0; sent < CUT_OFF_MB; sent += 8) {
      for (let i = 0; i < 8; i++) owner.send(batch(LAGGING_MB + sent + i));
      await mark(`streamed ${sent + 8} MB`);
    }
    slow.ws.resume();
    const closed = await slow.waitClosed(60_000);
    assert.equal(closed.code, 1013);
    assert.match(closed.reason, /behind.*resume/);
    const slowSeqs = slow.received
      .filter((m) => m.seq !== undefined && m.type !== 'pointer')
      .map((m) => Number(m.seq));
    assert.deepEqual(
      slowSeqs,
      [...slowSeqs].sort((a, b) => a - b),
      'what he did get came in order',
    );
    const lastSeen = Math.max(...slowSeqs);

    // The owner carries on (a fresh snapshot, as its runtime does when asked) while Sam is away.
    await fast.next((m) => m.type === 'left' && m.participant === slowOne.id);
    owner.send(fullSnapshot(1000));
    owner.send(batch(1001));
    await mark('while Sam was away');

    const again = await WsClient.connect(tandem.url, session.id, slowOne.token);
    again.send({ type: 'resume', after: lastSeen });
    await again.next((m) => m.type === 'welcome');
    await mark('welcome back');
    await again.next((m) => m.type === 'chat' && m.text === 'welcome back');

    // Felix missed nothing and got it all in seq order, gap-free.
    const fastWelcome = fast.received[0] as Received & { seq: number };
    const live = fast.received.filter((m) => m.seq !== undefined && Number(m.seq) > fastWelcome.seq);
    assert.deepEqual(
      live.map((m) => Number(m.seq)),
      Array.from({ length: live.length }, (_, i) => fastWelcome.seq + 1 + i),
      'the reading follower got every message in order',
    );
    assert.equal(seqsOf(live, 'rec').length, 1 + LAGGING_MB + CUT_OFF_MB + 2);

    // Sam lost nothing: every chat line across his two connections, none twice on the new one, and
    // the recording from the latest full snapshot on.
    const chatAgain = seqsOf(again.received, 'chat');
    assert.equal(new Set(chatAgain).size, chatAgain.length, 'no chat line twice on the new connection');
    assert.deepEqual(
      [...new Set([...seqsOf(slow.received, 'chat'), ...chatAgain])].sort((a, b) => a - b),
      seqsOf(fast.received, 'chat'),
    );
    assert.equal(seqsOf(fast.received, 'chat').length, chats);
    const recs = fast.received.filter((m) => m.type === 'rec');
    const lastSnapshot = recs.findLastIndex((m) => (m.events as Array<{ type: number }>)[0]?.type === 4);
    assert.deepEqual(seqsOf(again.received, 'rec'), seqsOf(recs.slice(lastSnapshot), 'rec'));
    for (const c of [owner, fast, pointing, again]) c.close();
  });
});
