import assert from 'node:assert/strict';
import type { Connection } from '../session/connection.js';
import { MaskCheck } from '../session/mask-check.js';
import { MASK } from '../session/privacy.js';
import { Room } from '../session/room.js';

const SECRET = 'hunter2-CANARY';

const el = (
  id: number,
  tagName: string,
  attributes: Record<string, unknown>,
  childNodes: unknown[] = [],
) => ({
  type: 2,
  id,
  tagName,
  attributes,
  childNodes,
});
const text = (id: number, textContent: string) => ({ type: 3, id, textContent });
const snapshot = (...body: unknown[]) => ({
  type: 2,
  timestamp: 1,
  data: { node: { type: 0, id: 1, childNodes: [el(2, 'html', {}, [el(3, 'body', {}, body)])] } },
});
const input = (id: number, value: string) => ({
  type: 3,
  timestamp: 2,
  data: { source: 5, id, text: value, isChecked: false },
});
const mutation = (data: object) => ({
  type: 3,
  timestamp: 3,
  data: { source: 0, texts: [], attributes: [], removes: [], adds: [], ...data },
});

describe('MaskCheck: the server checks the recording for private values again', () => {
  it('passes a correctly masked recording untouched', () => {
    const check = new MaskCheck();
    const events = [
      snapshot(
        el(10, 'input', { type: 'password', value: MASK }),
        el(11, 'input', { type: 'text', value: 'Olivia' }),
      ),
      input(10, MASK),
      input(11, 'Olivia Owner'),
    ];
    const before = JSON.stringify(events);
    const out = check.apply(events);
    assert.equal(out.violations, 0);
    assert.equal(JSON.stringify(out.events), before);
  });

  it('scrubs clear text from snapshots: password, private attribute, payment autocomplete, private subtree', () => {
    const check = new MaskCheck();
    const events = [
      snapshot(
        el(10, 'input', { type: 'password', value: SECRET }),
        el(11, 'input', { 'data-tandem-private': '', value: SECRET }),
        el(12, 'input', { autocomplete: 'cc-number', value: SECRET }),
        el(13, 'div', { 'data-tandem-private': '' }, [
          el(14, 'textarea', { value: SECRET }),
          text(15, SECRET),
        ]),
      ),
    ];
    const out = check.apply(events);
    assert.equal(out.violations, 5);
    assert.ok(!JSON.stringify(out.events).includes(SECRET));
    assert.equal(out.events.length, 1, 'the snapshot itself is kept so the mirror still builds');
  });

  it('drops input events that carry a private field’s clear text, and keeps the others', () => {
    const check = new MaskCheck();
    check.apply([snapshot(el(10, 'input', { type: 'password' }), el(11, 'input', { type: 'text' }))]);
    const out = check.apply([input(10, SECRET), input(11, 'fine'), input(10, MASK)]);
    assert.equal(out.violations, 1);
    assert.deepEqual(out.events, [input(11, 'fine'), input(10, MASK)]);
  });

  it('follows mutations: added private nodes, attributes that make a node private, text changes', () => {
    const check = new MaskCheck();
    check.apply([snapshot(el(10, 'form', {}))]);
    const added = check.apply([
      mutation({
        adds: [{ parentId: 10, node: el(20, 'div', { 'data-tandem-private': '' }, [el(21, 'input', {})]) }],
      }),
    ]);
    assert.equal(added.violations, 0);
    assert.equal(check.apply([input(21, SECRET)]).violations, 1, 'inside an added private subtree');

    check.apply([mutation({ adds: [{ parentId: 10, node: el(30, 'input', { type: 'text' }) }] })]);
    check.apply([mutation({ attributes: [{ id: 30, attributes: { type: 'password' } }] })]);
    assert.equal(check.apply([input(30, SECRET)]).violations, 1, 'turned into a password field');

    const changed = check.apply([mutation({ attributes: [{ id: 21, attributes: { value: SECRET } }] })]);
    assert.equal(changed.violations, 1);
    assert.ok(!JSON.stringify(changed.events).includes(SECRET));

    check.apply([mutation({ adds: [{ parentId: 20, node: text(40, '****') }] })]);
    const texts = check.apply([mutation({ texts: [{ id: 40, value: SECRET }] })]);
    assert.equal(texts.violations, 1);
    assert.ok(!JSON.stringify(texts.events).includes(SECRET));
  });

  it('starts over with each full snapshot (a new page)', () => {
    const check = new MaskCheck();
    check.apply([snapshot(el(10, 'input', { type: 'password' }))]);
    check.apply([snapshot(el(10, 'input', { type: 'text' }))]);
    assert.equal(check.apply([input(10, 'visible on the new page')]).violations, 0);
  });

  it('in a room: nothing private is relayed or kept, and the recorder is told', () => {
    const sent = new Map<string, string[]>();
    const conn = (id: string): Connection => {
      sent.set(id, []);
      return { send: (m) => sent.get(id)?.push(m.text), bufferedAmount: 0, close() {} };
    };
    const room = new Room('s', { startUrl: null, log: { warn() {} } });
    const owner = conn('owner');
    room.connect({ id: 'owner', name: 'O', role: 'owner' }, owner);
    room.connect({ id: 'f', name: 'F', role: 'follower' }, conn('f'));
    room.receive('owner', owner, {
      type: 'rec',
      tab: 't1',
      events: [snapshot(el(10, 'input', { type: 'password', value: SECRET }))],
    });
    room.receive('owner', owner, { type: 'rec', tab: 't1', events: [input(10, SECRET)] });
    assert.ok(!(sent.get('f') ?? []).join('').includes(SECRET), 'not relayed');
    const late = conn('late');
    room.connect({ id: 'late', name: 'L', role: 'follower' }, late);
    assert.ok(!(sent.get('late') ?? []).join('').includes(SECRET), 'not in the checkpoint');
    const reports = (sent.get('owner') ?? []).filter((t) => t.includes('mask-violation'));
    assert.equal(reports.length, 2);
  });
});
