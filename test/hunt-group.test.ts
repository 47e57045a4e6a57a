import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type AgentState, type HuntAgent, HuntGroup, type Offer } from '../desk/hunt-group.js';

const SETTINGS = { offerTimeoutMs: 20_000, seatCap: 100 };

function agent(id: string, idleSince: number, extra: Partial<HuntAgent> = {}): HuntAgent {
  return { id, state: 'ready', idleSince, skills: [], sessions: 0, maxSessions: 1, ...extra };
}

const who = (offers: Offer[]) => offers.map((o) => `${o.requestId}>${o.agentId}`);

describe('hunt group', () => {
  it('offers to the longest-idle Ready agent, and each agent one offer at a time', () => {
    const g = new HuntGroup(SETTINGS);
    g.upsertAgent(agent('b', 200), 0);
    g.upsertAgent(agent('a', 300), 0);
    g.upsertAgent(agent('c', 100), 0);
    assert.deepEqual(who(g.add({ id: 'r1', skill: null, waitingSince: 1000 }, 1000).offers), ['r1>c']);
    assert.deepEqual(who(g.add({ id: 'r2', skill: null, waitingSince: 1001 }, 1001).offers), ['r2>b']);
    assert.deepEqual(who(g.add({ id: 'r3', skill: null, waitingSince: 1002 }, 1002).offers), ['r3>a']);
    assert.deepEqual(g.add({ id: 'r4', skill: null, waitingSince: 1003 }, 1003).offers, []);
    assert.equal(g.position('r4'), 1);
  });

  it('orders agents idle since the same millisecond by who became idle first', () => {
    const g = new HuntGroup(SETTINGS);
    g.upsertAgent(agent('a', 0, { state: 'not-ready' }), 0);
    g.upsertAgent(agent('b', 0, { state: 'not-ready' }), 0);
    g.setState('b', 'ready', 5);
    g.setState('a', 'ready', 5);
    assert.deepEqual(who(g.add({ id: 'r1', skill: null, waitingSince: 6 }, 6).offers), ['r1>b']);
  });

  it('passes a declined request to the next agent and never back to the one who declined', () => {
    const g = new HuntGroup(SETTINGS);
    for (const [id, idle] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      g.upsertAgent(agent(id, idle), 0);
    g.add({ id: 'r1', skill: null, waitingSince: 10 }, 10);
    const d = g.decline('r1', 'a', 11);
    assert.deepEqual(who(d.withdrawn), ['r1>a']);
    assert.deepEqual(who(d.offers), ['r1>b']);
    assert.deepEqual(who(g.decline('r1', 'b', 12).offers), ['r1>c']);
    assert.deepEqual(g.decline('r1', 'c', 13).offers, []);
    assert.equal(g.isQueued('r1'), true, 'the request keeps waiting for an agent who has not passed');
    assert.deepEqual(who(g.add({ id: 'r2', skill: null, waitingSince: 14 }, 14).offers), ['r2>a']);
  });

  it('lets an unanswered offer lapse to the next agent and names who let it lapse', () => {
    const g = new HuntGroup(SETTINGS);
    g.upsertAgent(agent('a', 1), 0);
    g.upsertAgent(agent('b', 2), 0);
    g.add({ id: 'r1', skill: null, waitingSince: 10 }, 10);
    assert.equal(g.nextExpiry(), 10 + SETTINGS.offerTimeoutMs);
    assert.deepEqual(g.expire(10 + SETTINGS.offerTimeoutMs - 1).offers, []);
    const lapsed = g.expire(10 + SETTINGS.offerTimeoutMs);
    assert.deepEqual(lapsed.lapsed, ['a']);
    assert.deepEqual(who(lapsed.offers), ['r1>b']);
    assert.equal(g.accept('r1', 'a', 10 + SETTINGS.offerTimeoutMs), false);
  });

  it('keeps an agent in a session out of the hunt unless they take more than one', () => {
    const g = new HuntGroup(SETTINGS);
    g.upsertAgent(agent('a', 1), 0);
    g.upsertAgent(agent('b', 2, { maxSessions: 2 }), 0);
    g.add({ id: 'r1', skill: null, waitingSince: 10 }, 10);
    assert.equal(g.accept('r1', 'a', 11), true);
    assert.deepEqual(who(g.add({ id: 'r2', skill: null, waitingSince: 12 }, 12).offers), ['r2>b']);
    assert.equal(g.accept('r2', 'b', 13), true);
    assert.deepEqual(who(g.add({ id: 'r3', skill: null, waitingSince: 14 }, 14).offers), ['r3>b']);
    assert.equal(g.accept('r3', 'b', 15), true);
    assert.deepEqual(g.add({ id: 'r4', skill: null, waitingSince: 16 }, 16).offers, []);
    // a finishes first and becomes the longest idle; b still has a session going.
    assert.deepEqual(who(g.sessionEnded('a', 20).offers), ['r4>a']);
  });

  it('matches the skill the link names', () => {
    const g = new HuntGroup(SETTINGS);
    g.upsertAgent(agent('a', 1, { skills: ['billing'] }), 0);
    g.upsertAgent(agent('b', 2, { skills: ['sales'] }), 0);
    assert.deepEqual(who(g.add({ id: 'r1', skill: 'sales', waitingSince: 10 }, 10).offers), ['r1>b']);
    assert.equal(g.wouldOverflow('legal'), true);
    assert.deepEqual(g.add({ id: 'r2', skill: 'legal', waitingSince: 11 }, 11).offers, []);
    assert.deepEqual(who(g.add({ id: 'r3', skill: 'billing', waitingSince: 12 }, 12).offers), ['r3>a']);
    assert.equal(g.position('r2'), 1);
  });

  it('offers nothing beyond the seat cap, and overflows when it is reached', () => {
    const g = new HuntGroup({ ...SETTINGS, seatCap: 1 });
    g.upsertAgent(agent('a', 1), 0);
    g.upsertAgent(agent('b', 2), 0);
    assert.equal(g.wouldOverflow(null), false);
    g.add({ id: 'r1', skill: null, waitingSince: 10 }, 10);
    assert.deepEqual(g.add({ id: 'r2', skill: null, waitingSince: 11 }, 11).offers, []);
    assert.equal(g.accept('r1', 'a', 12), true);
    assert.equal(g.wouldOverflow(null), true);
    assert.deepEqual(who(g.sessionEnded('a', 13).offers), ['r2>b']);
  });

  it('frees no seat when an agent in no session is said to end one', () => {
    const g = new HuntGroup({ ...SETTINGS, seatCap: 1 });
    g.upsertAgent(agent('a', 1, { maxSessions: 2 }), 0);
    g.upsertAgent(agent('b', 2, { state: 'not-ready' }), 0);
    g.add({ id: 'r1', skill: null, waitingSince: 10 }, 10);
    assert.equal(g.accept('r1', 'a', 11), true);
    g.add({ id: 'r2', skill: null, waitingSince: 12 }, 12);
    assert.deepEqual(who(g.sessionEnded('b', 13).offers), [], 'the one seat is still taken by a');
    assert.equal(g.wouldOverflow(null), true);
  });

  it('withdraws the offer of an agent who stops being Ready, and of a request that leaves', () => {
    const g = new HuntGroup(SETTINGS);
    g.upsertAgent(agent('a', 1), 0);
    g.upsertAgent(agent('b', 2), 0);
    g.add({ id: 'r1', skill: null, waitingSince: 10 }, 10);
    const away = g.setState('a', 'away', 11);
    assert.deepEqual(who(away.withdrawn), ['r1>a']);
    assert.deepEqual(who(away.offers), ['r1>b']);
    assert.deepEqual(who(g.remove('r1', 12).withdrawn), ['r1>b']);
    assert.equal(g.isQueued('r1'), false);
  });

  it('counts position per skill and expects a wait shared among the agents at work', () => {
    const g = new HuntGroup(SETTINGS);
    g.upsertAgent(agent('a', 1, { state: 'not-ready' }), 0);
    g.add({ id: 'r1', skill: null, waitingSince: 10 }, 10);
    g.add({ id: 'r2', skill: 'x', waitingSince: 11 }, 11);
    g.add({ id: 'r3', skill: null, waitingSince: 12 }, 12);
    assert.deepEqual([g.position('r1'), g.position('r2'), g.position('r3')], [1, 1, 2]);
    assert.equal(g.expectedWaitMs('r3'), null, 'nobody at work');
    g.upsertAgent(agent('b', 5, { state: 'not-ready' }), 13);
    g.setState('a', 'ready', 20);
    assert.equal(g.expectedWaitMs('r1'), 0, 'offered now');
    assert.equal(g.expectedWaitMs('r3'), 5 * 60_000, 'r1 is offered, so r3 is next');
    g.accept('r1', 'a', 21);
    assert.equal(g.position('r3'), 1);
    assert.equal(g.expectedWaitMs('r3'), 5 * 60_000);
    assert.deepEqual(who(g.sessionEnded('a', 21 + 60_000, true, 60_000).offers), ['r3>a']);
    g.add({ id: 'r4', skill: null, waitingSince: 22 + 60_000 }, 22 + 60_000);
    // The average moves a fifth of the way from five minutes towards the one-minute session.
    assert.equal(g.expectedWaitMs('r4'), 252_000);
  });
});

type Command =
  | { kind: 'add'; skill: string | null }
  | { kind: 'state'; agent: number; state: AgentState }
  | { kind: 'decline'; pick: number }
  | { kind: 'accept'; pick: number }
  | { kind: 'end'; agent: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'tick'; ms: number };

const skill = fc.constantFrom<string | null>(null, 'a', 'b');
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), skill }),
  fc.record({
    kind: fc.constant('state' as const),
    agent: fc.nat(5),
    state: fc.constantFrom<AgentState>('ready', 'ready', 'not-ready', 'away', 'break'),
  }),
  fc.record({ kind: fc.constant('decline' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('accept' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('end' as const), agent: fc.nat(5) }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 15_000 }) }),
);

describe('hunt group properties', () => {
  it('offers every request, oldest first, to the longest-idle eligible agent and keeps every limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ skills: fc.subarray(['a', 'b']), maxSessions: fc.integer({ min: 1, max: 2 }) }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.integer({ min: 1, max: 6 }),
        fc.array(command, { maxLength: 80 }),
        (profiles, seatCap, commands) => {
          const g = new HuntGroup({ offerTimeoutMs: 20_000, seatCap });
          const ids = profiles.map((_, i) => `ag${i}`);
          profiles.forEach((p, i) => {
            g.upsertAgent({ id: `ag${i}`, state: 'not-ready', idleSince: 0, sessions: 0, ...p }, 0);
          });
          const declined = new Map<string, Set<string>>();
          let now = 1;
          let requests = 0;
          for (const c of commands) {
            now++;
            const queueBefore = g.waiting().map((r) => ({ ...r, offered: g.offerFor(r.id) !== undefined }));
            const offersBefore = new Set(queueBefore.filter((r) => r.offered).map((r) => r.id));
            let made: Offer[] = [];
            let withdrawn: Offer[] = [];
            const offers = queueBefore.map((r) => g.offerFor(r.id)).filter((o): o is Offer => !!o);
            switch (c.kind) {
              case 'add': {
                const id = `r${++requests}`;
                ({ offers: made, withdrawn } = g.add({ id, skill: c.skill, waitingSince: now }, now));
                queueBefore.push({ id, skill: c.skill, waitingSince: now, offered: false });
                break;
              }
              case 'state':
                ({ offers: made, withdrawn } = g.setState(ids[c.agent % ids.length] as string, c.state, now));
                break;
              case 'decline': {
                const o = offers[c.pick % Math.max(1, offers.length)];
                if (!o) continue;
                const set = declined.get(o.requestId) ?? new Set();
                set.add(o.agentId);
                declined.set(o.requestId, set);
                ({ offers: made, withdrawn } = g.decline(o.requestId, o.agentId, now));
                break;
              }
              case 'accept': {
                const o = offers[c.pick % Math.max(1, offers.length)];
                if (!o) continue;
                assert.equal(g.accept(o.requestId, o.agentId, now), true);
                continue;
              }
              case 'end':
                ({ offers: made, withdrawn } = g.sessionEnded(ids[c.agent % ids.length] as string, now));
                break;
              case 'remove': {
                const r = queueBefore[c.pick % Math.max(1, queueBefore.length)];
                if (!r) continue;
                ({ offers: made, withdrawn } = g.remove(r.id, now));
                break;
              }
              case 'tick': {
                now += c.ms;
                const e = g.expire(now);
                for (const w of e.withdrawn) {
                  const set = declined.get(w.requestId) ?? new Set();
                  set.add(w.agentId);
                  declined.set(w.requestId, set);
                }
                made = e.offers;
                withdrawn = e.withdrawn;
                break;
              }
            }
            // Each new offer went to the longest idle of those free to take it when it was made.
            const madeTo = new Set(made.map((m) => m.agentId));
            const holdingBefore = new Set(
              [...g.allAgents()].map((a) => a.id).filter((id) => holds(g, id) && !madeTo.has(id)),
            );
            const chosenEarlier = new Set<string>();
            for (const o of made) {
              const request = queueBefore.find((r) => r.id === o.requestId);
              assert.ok(request);
              if (offersBefore.has(o.requestId))
                assert.ok(
                  withdrawn.some((w) => w.requestId === o.requestId),
                  'offered twice at once',
                );
              assert.ok(!declined.get(o.requestId)?.has(o.agentId), 'offered again to one who passed');
              const candidates = g
                .allAgents()
                .filter(
                  (a) =>
                    a.state === 'ready' &&
                    a.sessions < a.maxSessions &&
                    (request.skill === null || a.skills.includes(request.skill)) &&
                    !declined.get(o.requestId)?.has(a.id) &&
                    !holdingBefore.has(a.id) &&
                    !chosenEarlier.has(a.id),
                )
                .sort((x, y) => x.idleSince - y.idleSince || (x.id < y.id ? -1 : 1));
              assert.equal(o.agentId, candidates[0]?.id, `${request.id} went past the longest idle`);
              chosenEarlier.add(o.agentId);
            }
            // Limits hold after every event.
            const all = g.allAgents();
            const offersNow = g
              .waiting()
              .map((r) => g.offerFor(r.id))
              .filter((o): o is Offer => !!o);
            const sessions = all.reduce((n, a) => n + a.sessions, 0);
            assert.ok(sessions + offersNow.length <= seatCap || offersNow.length === 0);
            assert.equal(new Set(offersNow.map((o) => o.agentId)).size, offersNow.length);
            for (const a of all) assert.ok(a.sessions <= a.maxSessions);
            for (const o of offersNow) assert.equal(g.agent(o.agentId)?.state, 'ready');
            // Nothing that could be offered is left waiting, oldest first.
            if (sessions + offersNow.length < seatCap) {
              for (const r of g.waiting()) {
                if (g.offerFor(r.id)) continue;
                const someone = all.find(
                  (a) =>
                    a.state === 'ready' &&
                    a.sessions < a.maxSessions &&
                    !holds(g, a.id) &&
                    (r.skill === null || a.skills.includes(r.skill)) &&
                    !declined.get(r.id)?.has(a.id),
                );
                assert.equal(someone, undefined, `${r.id} waits while ${someone?.id} is free`);
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

function holds(g: HuntGroup, agentId: string): boolean {
  return g.waiting().some((r) => g.offerFor(r.id)?.agentId === agentId);
}
