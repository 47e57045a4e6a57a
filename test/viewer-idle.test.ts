import assert from 'node:assert/strict';
import type { ServerMessage } from '../session/protocol.js';
import { IDLE_AFTER_MS, initialState, isIdle, reduce, type SessionState } from '../viewer/state.js';

const welcome: ServerMessage = {
  type: 'welcome',
  you: { id: 'me', name: 'Me', role: 'owner', connected: true },
  session: 's',
  participants: [
    { id: 'me', name: 'Me', role: 'owner', connected: true },
    { id: 'ann', name: 'Ann', role: 'follower', connected: true },
  ],
  audience: 0,
  tabs: [
    {
      id: 't1',
      owner: 'me',
      url: null,
      title: '',
      highlights: [],
      strokes: [],
      visited: [],
      baton: { holder: 'me', epoch: 1 },
    },
  ],
  activeTab: 't1',
  baton: { holder: 'me', epoch: 1 },
  batonPolicy: 'support',
  liveTyping: false,
  locked: false,
  seq: 3,
  checkpoint: true,
};

const receive = (state: SessionState, msg: ServerMessage, receivedAt: number) =>
  reduce(state, { kind: 'server', msg, receivedAt });

describe('viewer: who is idle', () => {
  it('is someone connected who did nothing the others saw for two minutes, judged on this browser’s clock', () => {
    let s = receive(initialState, welcome, 1_000);
    assert.equal(isIdle(s, 'ann', 1_000 + IDLE_AFTER_MS * 2), false, 'never seen active: not judged');
    s = receive(s, { type: 'chat', seq: 4, at: 99, from: 'ann', text: 'hi' }, 10_000);
    assert.equal(isIdle(s, 'ann', 10_000 + IDLE_AFTER_MS - 1), false);
    assert.equal(isIdle(s, 'ann', 10_000 + IDLE_AFTER_MS + 1), true);
    s = receive(
      s,
      { type: 'pointer', seq: 5, at: 100, from: 'ann', tab: 't1', node: 1, x: 0, y: 0 },
      200_000,
    );
    assert.equal(isIdle(s, 'ann', 200_000 + 1000), false, 'pointing counts as activity');
    s = receive(s, { type: 'left', seq: 6, at: 101, from: 'ann', participant: 'ann' }, 210_000);
    assert.equal(isIdle(s, 'ann', 210_000 + IDLE_AFTER_MS * 2), false, 'away is not idle');
  });
});
