import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ContentHosts } from '../proxy/content-hosts.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';

describe('content hosts: what a node holds in memory', () => {
  let store: SqliteStore;
  let hosts: ContentHosts;
  const errors: string[] = [];

  before(async () => {
    store = openSqliteStore(':memory:');
    await store.ensureTenant({ id: 'acme', name: 'Acme' });
    for (const id of ['s1', 's2']) {
      await store.createSession({
        id,
        tenantId: 'acme',
        createdAt: 1,
        startUrl: null,
        batonPolicy: 'support',
        hostKeyHash: 'h',
        joinKeyHash: 'j',
      });
    }
    hosts = new ContentHosts(crypto.randomBytes(32), store, 'localhost', new URL('http://localhost:8080'), {
      error: (_fields, message) => void errors.push(message),
    });
  });
  after(() => store.close());

  it('lets go of a session once its room is gone, and gives it the same hosts if it comes back', async () => {
    const shop = hosts.labelFor('s1', 'https://shop.example');
    const cdn = hosts.labelFor('s1', 'https://cdn.example');
    hosts.labelFor('s2', 'https://shop.example');
    assert.equal(hosts.sessionsHeld, 2);
    // The table is written behind; let it land.
    await new Promise((resolve) => setImmediate(resolve));

    hosts.forget('s1');
    assert.equal(hosts.sessionsHeld, 1);
    assert.deepEqual(await hosts.resolve(shop), { sessionId: 's1', origin: 'https://shop.example' });
    assert.deepEqual(await hosts.resolve(cdn), { sessionId: 's1', origin: 'https://cdn.example' });
    assert.equal(hosts.labelFor('s1', 'https://shop.example'), shop, 'the same label again');
    assert.equal(hosts.sessionsHeld, 2, 'held again once used');
    assert.equal(await hosts.resolve('no-such-label'), undefined);
    assert.deepEqual(errors, []);
  });
});
