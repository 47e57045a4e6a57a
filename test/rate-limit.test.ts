import assert from 'node:assert/strict';
import { ConnectionLimits, TokenBucket } from '../session/rate-limit.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

describe('rate limits', () => {
  it('a token bucket allows its capacity at once, then its rate', () => {
    const b = new TokenBucket(3, 2, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
    assert.equal(b.take(499), false);
    assert.equal(b.take(500), true, 'one token after half a second at 2/s');
  });

  it('limits chat more tightly than other frames, and warns at most once a second', () => {
    const l = new ConnectionLimits(0);
    let chats = 0;
    for (let i = 0; i < 150; i++) if (l.allow('chat', 0)) chats++;
    assert.equal(chats, 100);
    assert.equal(l.allow('scroll', 0), true, 'other frames still pass');
    assert.equal(l.shouldWarn(0), true);
    assert.equal(l.shouldWarn(500), false);
    assert.equal(l.shouldWarn(1000), true);
  });

  describe('over a real socket', function () {
    this.timeout(20_000);
    let tandem: TestTandem;
    before(async () => {
      tandem = await startTestTandem();
    });
    after(() => tandem?.stop());

    it('refuses a chat flood with one rate-limited error and relays only what the limit allows', async () => {
      const s = await createSession(tandem.url);
      const a = await joinAs(tandem.url, s.id, 'Flooder', s.hostKey);
      const b = await joinAs(tandem.url, s.id, 'Reader', s.joinKey);
      const flooder = await WsClient.connect(tandem.url, s.id, a.token);
      const reader = await WsClient.connect(tandem.url, s.id, b.token);
      await reader.next((m) => m.type === 'welcome');
      for (let i = 0; i < 300; i++) flooder.send({ type: 'chat', text: `spam ${i}` });
      const err = await flooder.next((m) => m.type === 'error' && m.code === 'rate-limited');
      assert.equal(err.ref, 'chat');
      await reader.next((m) => m.type === 'chat' && m.text === 'spam 99');
      await new Promise((r) => setTimeout(r, 200));
      const lines = reader.received.filter((m) => m.type === 'chat').length;
      assert.ok(lines >= 100 && lines < 150, `${lines} lines relayed`);
      assert.equal(flooder.received.filter((m) => m.code === 'rate-limited').length, 1);
      flooder.close();
      reader.close();
    });
  });
});
