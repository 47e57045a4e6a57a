import assert from 'node:assert/strict';
import { chooseScheduledAgent, SLOT_MS } from '../desk/schedule.js';

const AT = 1_900_000_000_000;
const agents = [
  { id: 'b', skills: ['billing'] },
  { id: 'a', skills: ['billing', 'sales'] },
  { id: 'c', skills: [] },
];

describe('desk: whom a booked session goes to', () => {
  it('takes an agent of the skill, the least booked, then by id', () => {
    assert.equal(chooseScheduledAgent(agents, [], 'sales', AT), 'a');
    assert.equal(chooseScheduledAgent(agents, [], null, AT), 'a');
    const booked = [{ agentId: 'a', scheduledAt: AT + 3 * SLOT_MS }];
    assert.equal(chooseScheduledAgent(agents, booked, 'billing', AT), 'b', 'a has more booked that day');
  });

  it('never books an agent twice within a slot, and finds nobody when all are taken', () => {
    const booked = [
      { agentId: 'a', scheduledAt: AT + SLOT_MS - 1 },
      { agentId: 'b', scheduledAt: AT - SLOT_MS + 1 },
    ];
    assert.equal(chooseScheduledAgent(agents, booked, 'billing', AT), null);
    assert.equal(chooseScheduledAgent(agents, booked, null, AT), 'c');
    assert.equal(
      chooseScheduledAgent(agents, [{ agentId: 'a', scheduledAt: AT + SLOT_MS }], 'sales', AT),
      'a',
      'a slot later is free again',
    );
  });
});
