import assert from 'node:assert/strict';
import { RawWebSocket } from '../bench/raw-websocket.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

/** A recorder batch the mask check passes through: one custom rrweb event carrying `pad`. */
const batch = (pad: string) => ({
  type: 'rec',
  tab: 't1',
  events: [{ type: 5, timestamp: 1, data: { tag: 'filler', payload: { pad } } }],
});

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The room frames each relayed message once and writes the same bytes to every follower's socket.
 * The frames must be what any client reads: the length in 7, 16 or 64 bits on each side of the
 * boundaries, counted in UTF-8 bytes, not characters.
 */
describe('relayed frames on the wire', function () {
  this.timeout(60_000);
  let tandem: TestTandem;

  before(async () => {
    tandem = await startTestTandem();
  });
  after(async () => {
    await tandem?.stop();
  });

  it('reach ws and a second, independent client intact at every length boundary, then close cleanly', async () => {
    const session = await createSession(tandem.url);
    const connect = async (name: string, key: string) => {
      const joined = await joinAs(tandem.url, session.id, name, key);
      const client = await WsClient.connect(tandem.url, session.id, joined.token);
      await client.next((m) => m.type === 'welcome');
      return client;
    };
    const owner = await connect('Olivia', session.hostKey);
    const viaWs = await connect('Felix', session.joinKey);
    const raw: string[] = [];
    let closedWith: number | null = null;
    const sam = await joinAs(tandem.url, session.id, 'Sam', session.joinKey);
    const viaRaw = await RawWebSocket.open(
      `${tandem.url.replace(/^http/, 'ws')}/ws?session=${session.id}&token=${encodeURIComponent(sam.token)}`,
      (text) => raw.push(text),
      (code) => {
        closedWith = code;
      },
    );
    await viaWs.next((m) => m.type === 'joined' && (m.participant as { name: string }).name === 'Sam');
    // Two-digit seqs from here on, so every relayed batch carries the same number of bytes around its pad.
    for (let i = 0; i < 10; i++) owner.send({ type: 'chat', text: `warm-up ${i} 👋` });
    await viaWs.next((m) => m.type === 'chat' && m.text === 'warm-up 9 👋');

    // A chat line is small enough for the 7-bit lengths, a recorder batch for the longer ones.
    const relayed = async (kind: 'chat' | 'rec', pad: string) => {
      owner.send(kind === 'chat' ? { type: 'chat', text: pad } : batch(pad));
      const seen = await viaWs.next((m) => m.type === kind && JSON.stringify(m).includes(pad));
      return JSON.stringify(seen);
    };
    const around = {
      chat: Buffer.byteLength(await relayed('chat', 'probe')) - Buffer.byteLength('probe'),
      rec: Buffer.byteLength(await relayed('rec', 'probe')) - Buffer.byteLength('probe'),
    };
    const sizes = [125, 126, 127, 0xffff, 0x10000, 0x10001, 300_000];
    for (const [n, bytes] of sizes.entries()) {
      const kind = bytes < 1000 ? 'chat' : 'rec';
      // The euro sign is three bytes but one character.
      const pad = `€${n}${'x'.repeat(bytes - around[kind] - 4)}`;
      const text = await relayed(kind, pad);
      assert.equal(Buffer.byteLength(text), bytes, 'ws read the whole message');
      await until(() => raw.some((t) => t.includes(pad)));
      assert.equal(
        raw.find((t) => t.includes(pad)),
        text,
        'the second client read the same bytes',
      );
    }
    const lines = raw.filter((t) => t.startsWith('{"type":"chat"')).map((t) => JSON.parse(t).text);
    assert.deepEqual(
      lines.slice(0, 10),
      Array.from({ length: 10 }, (_, i) => `warm-up ${i} 👋`),
    );

    viaRaw.close();
    await until(() => closedWith !== null);
    assert.equal(closedWith, 1000, 'the server answered the closing handshake');
    await viaWs.next((m) => m.type === 'left');
  });
});
