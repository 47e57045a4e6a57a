import assert from 'node:assert/strict';
import type { ServerMessage, TabInfo } from '../session/protocol.js';
import { initialState, reduce, type SessionState, viewedTabId } from '../viewer/state.js';

const tab = (id: string, holder: string): TabInfo => ({
  id,
  owner: 'own',
  url: `https://shop.example/${id}`,
  title: '',
  highlights: [],
  strokes: [],
  visited: [],
  baton: { holder, epoch: 1 },
});

const at = { at: 1, from: 'own' };
let seq = 10;
const receive = (state: SessionState, msg: ServerMessage) =>
  reduce(state, { kind: 'server', msg, receivedAt: 1 });
const relayed = (state: SessionState, body: object) =>
  receive(state, { ...at, seq: ++seq, ...body } as ServerMessage);

function joined(): SessionState {
  return receive(initialState, {
    type: 'welcome',
    you: { id: 'fol', name: 'Felix', role: 'follower', connected: true },
    session: 's',
    participants: [],
    audience: 0,
    tabs: [tab('t1', 'own'), tab('t2', 'fol')],
    activeTab: 't1',
    baton: { holder: 'own', epoch: 1 },
    batonPolicy: 'support',
    liveTyping: false,
    locked: false,
    seq: 3,
    checkpoint: true,
  });
}

describe('viewer: which tab is shown', () => {
  it('shows the active tab, with that tab’s baton, and follows it when it changes', () => {
    let s = joined();
    assert.equal(viewedTabId(s), 't1');
    assert.equal(s.baton.holder, 'own');
    s = relayed(s, { type: 'tab.focus', tab: 't2' });
    assert.equal(s.tab?.id, 't2');
    assert.equal(s.baton.holder, 'fol', 'the baton shown is the shown tab’s');
  });

  it('keeps a chosen tab while the active one moves, and follows again when the active one is chosen', () => {
    let s = reduce(joined(), { kind: 'view-tab', tab: 't2' });
    assert.equal(s.tab?.id, 't2');
    s = relayed(s, { type: 'tab', tab: tab('t3', 'own') });
    s = relayed(s, { type: 'tab.focus', tab: 't3' });
    assert.equal(s.tab?.id, 't2', 'still looking elsewhere');
    s = reduce(s, { kind: 'view-tab', tab: 't3' });
    assert.equal(s.chosenTab, null);
    s = relayed(s, { type: 'tab.focus', tab: 't1' });
    assert.equal(s.tab?.id, 't1', 'following again');
  });

  it('follows again once the tab chosen becomes the active one', () => {
    let s = reduce(joined(), { kind: 'view-tab', tab: 't2' });
    s = relayed(s, { type: 'tab.focus', tab: 't2' });
    assert.equal(s.chosenTab, null);
    s = relayed(s, { type: 'tab.focus', tab: 't1' });
    assert.equal(s.tab?.id, 't1');
  });

  it('remembers which tab someone asked to control', () => {
    const s = receive(joined(), { type: 'baton.request', tab: 't2', seq: 20, at: 1, from: 'ann' });
    assert.deepEqual(s.requests, ['ann']);
    assert.equal(s.requestedTab.ann, 't2');
  });

  it('falls back to the active tab when the chosen one closes, and keeps annotations per tab', () => {
    let s = reduce(joined(), { kind: 'view-tab', tab: 't2' });
    s = relayed(s, { type: 'highlight', tab: 't1', node: 4 });
    assert.deepEqual(s.tab?.highlights, [], 'another tab’s highlight is not drawn here');
    s = relayed(s, { type: 'tab.closed', tab: 't2' });
    assert.equal(s.tab?.id, 't1');
    assert.deepEqual(s.tab?.highlights, [{ author: 'own', node: 4 }]);
    assert.deepEqual(
      s.tabs.map((t) => t.id),
      ['t1'],
    );
  });
});
