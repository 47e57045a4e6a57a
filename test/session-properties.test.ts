import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Connection, Outgoing } from '../session/connection.js';
import { type ClientMessage, clientMessage } from '../session/protocol.js';
import { Room } from '../session/room.js';

class Inbox implements Connection {
  sent: string[] = [];
  bufferedAmount = 0;
  send(message: Outgoing) {
    this.sent.push(message.text);
  }
  close() {}
  types(): string[] {
    return this.sent.map((t) => (JSON.parse(t) as { type: string }).type);
  }
}

const tabId = fc.constantFrom('t1', 't2');
const node = fc.integer({ min: 0, max: 50 });
const epoch = fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined });
const coordinate = fc.double({ min: -1e6, max: 1e6, noNaN: true });
/** Every kind of input and navigation, as a follower without the baton might send it. */
const control: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    type: fc.constant('nav'),
    tab: tabId,
    url: fc.constantFrom('https://evil.example/', 'shop.example/x', 'javascript:alert(1)'),
    epoch,
  }),
  fc.record({ type: fc.constant('scroll'), tab: tabId, x: coordinate, y: coordinate, epoch }),
  fc.record({ type: fc.constant('click'), tab: tabId, node, epoch }),
  fc.record({ type: fc.constant('input'), tab: tabId, node, value: fc.string(), epoch }),
  fc.record({
    type: fc.constant('history'),
    tab: tabId,
    action: fc.constantFrom('back', 'forward', 'reload'),
    epoch,
  }),
  fc.record({ type: fc.constant('key'), tab: tabId, key: fc.constantFrom('Enter', 'Tab', 'Escape'), epoch }),
  fc.record({ type: fc.constant('baton.give'), to: fc.constantFrom('fol', 'oth', 'own') }),
  fc.record({ type: fc.constant('baton.take') }),
  fc.record({ type: fc.constant('tab.give'), tab: tabId, to: fc.constantFrom('fol', 'oth', 'own') }),
  fc.record({ type: fc.constant('tab.close'), tab: tabId }),
  fc.record({ type: fc.constant('highlight.clear'), tab: tabId, all: fc.constant(true) }),
  fc.record({ type: fc.constant('participant.remove'), participant: fc.constantFrom('fol', 'own') }),
);

describe('Room, property-based: messages from someone without the baton change nothing', () => {
  it('300 random sequences from a follower: no input reaches the owner, the baton and the page stay put', () => {
    fc.assert(
      fc.property(fc.array(control, { minLength: 1, maxLength: 20 }), (raw) => {
        const r = new Room('s', { startUrl: 'https://shop.example/', log: { warn() {} }, now: () => 1 });
        const owner = new Inbox();
        const follower = new Inbox();
        const other = new Inbox();
        r.connect({ id: 'own', name: 'Owner', role: 'owner' }, owner);
        r.connect({ id: 'fol', name: 'Follower', role: 'follower' }, follower);
        r.connect({ id: 'oth', name: 'Other', role: 'follower' }, other);
        owner.sent = [];
        const before = { baton: { ...r.batonState }, url: r.currentUrl, owner: r.tabOwner, tabs: r.tabIds };
        for (const m of raw) {
          const parsed = clientMessage.safeParse(m);
          if (parsed.success) r.receive('oth', other, parsed.data as ClientMessage);
        }
        assert.deepEqual(owner.types(), [], 'the owner’s page receives nothing to execute');
        assert.deepEqual(
          { baton: { ...r.batonState }, url: r.currentUrl, owner: r.tabOwner, tabs: r.tabIds },
          before,
        );
        assert.ok(
          other.types().every((t) => t === 'error' || t === 'welcome'),
          other.types().join(),
        );
      }),
      { numRuns: 300 },
    );
  });
});
