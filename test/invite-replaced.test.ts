import assert from 'node:assert/strict';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

async function tryJoin(base: string, session: string, key: string) {
  const res = await fetch(`${base}/api/sessions/${session}/participants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Someone', key }),
  });
  const body = (await res.json()) as { role?: string; error?: { code: string; message: string } };
  return { status: res.status, role: body.role, code: body.error?.code, message: body.error?.message ?? '' };
}

async function inviteKey(base: string, session: string, token: string): Promise<string> {
  const res = await fetch(`${base}/api/sessions/${session}/invite`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const { joinUrl } = (await res.json()) as { joinUrl: string };
  return new URL(joinUrl).searchParams.get('key') ?? '';
}

describe('removing a follower replaces the invite link they came in with', () => {
  let tandem: TestTandem;
  before(async () => {
    tandem = await startTestTandem();
  });
  after(() => tandem.stop());

  it('the old link turns everyone away with a reason, the hosts are told, and the new link works', async () => {
    const s = await createSession(tandem.url);
    const host = await joinAs(tandem.url, s.id, 'Olivia', s.hostKey);
    const troll = await joinAs(tandem.url, s.id, 'Troll', s.joinKey);
    const felix = await joinAs(tandem.url, s.id, 'Felix', s.joinKey);
    assert.equal(await inviteKey(tandem.url, s.id, host.token), s.joinKey);
    const hostWs = await WsClient.connect(tandem.url, s.id, host.token);
    const felixWs = await WsClient.connect(tandem.url, s.id, felix.token);
    const trollWs = await WsClient.connect(tandem.url, s.id, troll.token);
    await hostWs.next((m) => m.type === 'welcome');

    hostWs.send({ type: 'participant.remove', participant: troll.participantId });
    const removed = await hostWs.next((m) => m.type === 'removed');
    const changed = await hostWs.next((m) => m.type === 'invite.changed');
    assert.ok((changed.seq ?? 0) > (removed.seq ?? 0), 'ordered after the removal');
    await felixWs.next((m) => m.type === 'removed');
    await trollWs.next(() => false, 5000).catch(() => undefined);
    assert.equal(trollWs.closed?.code, 4403);

    const old = await tryJoin(tandem.url, s.id, s.joinKey);
    assert.equal(old.status, 403);
    assert.equal(old.code, 'bad-key');
    assert.match(old.message, /replaced by the host/);
    const wrong = await tryJoin(tandem.url, s.id, 'not-a-key-at-all');
    assert.equal(wrong.status, 403);
    assert.doesNotMatch(wrong.message, /replaced/, 'a key that never worked is not said to be replaced');

    const fresh = await inviteKey(tandem.url, s.id, host.token);
    assert.notEqual(fresh, s.joinKey);
    const newcomer = await tryJoin(tandem.url, s.id, fresh);
    assert.equal(newcomer.status, 201);
    assert.equal(newcomer.role, 'follower');
    assert.equal((await tryJoin(tandem.url, s.id, s.hostKey)).role, 'owner', 'the host key is untouched');

    // Those who came in with the old link keep their own way back in.
    const again = await WsClient.connect(tandem.url, s.id, felix.token);
    await again.next((m) => m.type === 'welcome');
    assert.ok(
      !felixWs.received.some((m) => m.type === 'invite.changed'),
      'a follower is not told of the host’s link',
    );

    // A second removal replaces the link once more; the first replacement's link is refused as well.
    hostWs.send({ type: 'participant.remove', participant: felix.participantId });
    await hostWs.next((m) => m.type === 'invite.changed' && m.seq !== changed.seq);
    const third = await inviteKey(tandem.url, s.id, host.token);
    assert.notEqual(third, fresh);
    assert.match((await tryJoin(tandem.url, s.id, fresh)).message, /replaced by the host/);
    assert.equal((await tryJoin(tandem.url, s.id, third)).status, 201);
    for (const ws of [hostWs, felixWs, trollWs, again]) ws.close();
  });

  it('two removals at once leave one working link: the one the host is shown', async () => {
    const s = await createSession(tandem.url);
    const host = await joinAs(tandem.url, s.id, 'Olivia', s.hostKey);
    const a = await joinAs(tandem.url, s.id, 'A', s.joinKey);
    const b = await joinAs(tandem.url, s.id, 'B', s.joinKey);
    const hostWs = await WsClient.connect(tandem.url, s.id, host.token);
    const aWs = await WsClient.connect(tandem.url, s.id, a.token);
    const bWs = await WsClient.connect(tandem.url, s.id, b.token);
    await hostWs.next((m) => m.type === 'joined' && (m.participant as { id: string }).id === b.participantId);
    hostWs.send({ type: 'participant.remove', participant: a.participantId });
    hostWs.send({ type: 'participant.remove', participant: b.participantId });
    await hostWs.next((m) => m.type === 'removed' && m.participant === b.participantId);
    await hostWs.next((m) => m.type === 'invite.changed');
    const key = await inviteKey(tandem.url, s.id, host.token);
    assert.notEqual(key, s.joinKey);
    assert.equal((await tryJoin(tandem.url, s.id, key)).status, 201);
    for (const ws of [hostWs, aWs, bWs]) ws.close();
  });

  it('a locked session lets nobody new in with the invite link; the host key still works, and unlocking opens it', async () => {
    const s = await createSession(tandem.url);
    const host = await joinAs(tandem.url, s.id, 'Olivia', s.hostKey);
    const felix = await joinAs(tandem.url, s.id, 'Felix', s.joinKey);
    const hostWs = await WsClient.connect(tandem.url, s.id, host.token);
    await hostWs.next((m) => m.type === 'welcome' && m.locked === false);
    hostWs.send({ type: 'session.lock', locked: true });
    await hostWs.next((m) => m.type === 'session.locked' && m.locked === true);

    const refused = await tryJoin(tandem.url, s.id, s.joinKey);
    assert.deepEqual([refused.status, refused.code], [403, 'locked']);
    assert.match(refused.message, /locked this session/);
    assert.equal((await tryJoin(tandem.url, s.id, s.hostKey)).role, 'owner', 'a host still comes in');
    const felixWs = await WsClient.connect(tandem.url, s.id, felix.token);
    const welcome = await felixWs.next((m) => m.type === 'welcome');
    assert.equal(welcome.locked, true, 'those already in come back, and see the lock');

    hostWs.send({ type: 'session.lock', locked: false });
    await felixWs.next((m) => m.type === 'session.locked' && m.locked === false);
    assert.equal((await tryJoin(tandem.url, s.id, s.joinKey)).status, 201);
    hostWs.close();
    felixWs.close();
  });
});
