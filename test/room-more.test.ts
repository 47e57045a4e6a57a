import assert from 'node:assert/strict';
import type { Connection, Outgoing } from '../session/connection.js';
import { MAX_STROKES_PER_AUTHOR, REMOVED_CLOSE_CODE } from '../session/limits.js';
import type { ServerMessage } from '../session/protocol.js';
import { parseNavigableUrl, Room, type RoomJournal } from '../session/room.js';

class Fake implements Connection {
  sent: string[] = [];
  bufferedAmount = 0;
  send(message: Outgoing) {
    this.sent.push(message.text);
  }
  close(_code?: number, _reason?: string) {}
  take(): Array<ServerMessage & Record<string, unknown>> {
    const out = this.sent.map((t) => JSON.parse(t) as ServerMessage & Record<string, unknown>);
    this.sent = [];
    return out;
  }
}

const quiet = { warn() {} };

function room(lastSeq = 0, journal?: RoomJournal) {
  const r = new Room('s1', { startUrl: 'https://shop.example/', log: quiet, now: () => 1, lastSeq, journal });
  const owner = new Fake();
  const follower = new Fake();
  const other = new Fake();
  r.connect({ id: 'own', name: 'Owner', role: 'owner' }, owner);
  r.connect({ id: 'fol', name: 'Follower', role: 'follower' }, follower);
  r.connect({ id: 'oth', name: 'Other', role: 'follower' }, other);
  r.receive('own', owner, { type: 'baton.give', to: 'fol' });
  for (const c of [owner, follower, other]) c.take();
  return { r, owner, follower, other };
}

describe('Room: privacy, tabs, checkpoints and sequence numbers', () => {
  it('gives a typed value to the tab owner only; others get the same seq without the value', () => {
    const { r, owner, follower, other } = room();
    r.receive('fol', follower, { type: 'input', tab: 't1', node: 9, value: 'my secret' });
    const toOwner = owner.take();
    const toOther = other.take();
    assert.equal(toOwner.length, 1);
    assert.equal(toOwner[0]?.value, 'my secret');
    assert.equal(toOther.length, 1);
    assert.equal(toOther[0]?.type, 'input');
    assert.equal('value' in (toOther[0] ?? {}), false);
    assert.equal(toOther[0]?.seq, toOwner[0]?.seq);
    assert.ok(!JSON.stringify(follower.take()).includes('my secret'));
  });

  it('refuses messages for a tab the session does not have', () => {
    const { r, follower, other } = room();
    r.receive('fol', follower, { type: 'scroll', tab: 't9', x: 0, y: 10 });
    const [err] = follower.take();
    assert.equal(err?.type, 'error');
    assert.equal(err?.code, 'unknown-tab');
    assert.deepEqual(other.take(), []);
  });

  it('asks the owner for a fresh full snapshot once the checkpoint grows past 4 MiB, once', () => {
    const { r, owner } = room();
    r.receive('own', owner, { type: 'rec', tab: 't1', events: [{ type: 4, timestamp: 1 }] });
    const big = { type: 3, timestamp: 2, data: 'x'.repeat(1024 * 1024) };
    for (let i = 0; i < 6; i++) r.receive('own', owner, { type: 'rec', tab: 't1', events: [big] });
    const requests = owner.take().filter((m) => m.type === 'snapshot.request');
    assert.equal(requests.length, 1);
    r.receive('own', owner, { type: 'rec', tab: 't1', events: [{ type: 4, timestamp: 3 }] });
    for (let i = 0; i < 6; i++) r.receive('own', owner, { type: 'rec', tab: 't1', events: [big] });
    assert.equal(
      owner.take().filter((m) => m.type === 'snapshot.request').length,
      1,
      'asked again after a new one',
    );
  });

  it('continues from the last archived seq, gap-free', () => {
    const { r, owner, other } = room(5000);
    for (let i = 0; i < 3; i++) r.receive('own', owner, { type: 'chat', text: `${i}` });
    assert.deepEqual(
      other.take().map((m) => m.seq),
      [5007, 5008, 5009],
      'after the six events of the setup (joins, tab, baton)',
    );
  });

  it('delivers nothing until the journal has committed it, and then in seq order', () => {
    const appended: number[] = [];
    const waiting: Array<() => void> = [];
    let committed = true;
    const journal: RoomJournal = {
      append: (e) => {
        appended.push(e.seq);
        committed = false;
      },
      after: (deliver) => (committed ? deliver() : waiting.push(deliver)),
    };
    const { r, owner, other } = room(0, journal);
    r.receive('own', owner, { type: 'chat', text: 'one' });
    r.receive('own', owner, { type: 'chat', text: 'two' });
    assert.deepEqual(other.sent, [], 'nothing before the commit');
    assert.deepEqual(owner.sent, [], 'not even the sender’s own echo, its acknowledgement');
    committed = true;
    for (const deliver of waiting.splice(0)) deliver();
    const seqs = other.take().map((m) => Number(m.seq));
    assert.ok(seqs.length >= 2);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1] as number) + 1);
    assert.deepEqual(
      owner
        .take()
        .filter((m) => m.type === 'chat')
        .map((m) => m.text),
      ['one', 'two'],
    );
    assert.deepEqual(appended.slice(-2), [seqs.at(-2), seqs.at(-1)]);
  });
});

describe('parseNavigableUrl: scheme-like input', () => {
  for (const input of ['http:/example.com', 'mailto:x@y.z', 'data:text/html,hi']) {
    it(`refuses "${input}"`, () => assert.equal(parseNavigableUrl(input), null));
  }
  it('still reads host:port as an address', () => {
    assert.equal(parseNavigableUrl('shop.localhost:3000?q=1'), 'http://shop.localhost:3000/?q=1');
  });
});

describe('Room: typed values without a tab owner', () => {
  it('still never fans a typed value out when the owner has left the holder alone', () => {
    const { r, owner, follower, other } = room();
    r.disconnect('own', owner);
    assert.equal(r.tabOwner, null);
    assert.equal(r.batonState.holder, 'fol', 'the follower still holds the baton');
    other.take();
    r.receive('fol', follower, { type: 'input', tab: 't1', node: 1, value: 'secret' });
    const got = other.take();
    assert.equal(got[0]?.type, 'input');
    assert.ok(!JSON.stringify(got).includes('secret'));
  });
});

describe('Room: baton epochs', () => {
  it('refuses input sent under an earlier hand-over, even from the current holder', () => {
    const { r, owner, follower, other } = room();
    const firstEpoch = r.batonState.epoch;
    r.receive('own', owner, { type: 'baton.take' });
    r.receive('own', owner, { type: 'baton.give', to: 'fol' });
    assert.equal(r.batonState.holder, 'fol');
    assert.ok(r.batonState.epoch > firstEpoch);
    for (const c of [owner, follower, other]) c.take();

    r.receive('fol', follower, { type: 'scroll', tab: 't1', x: 0, y: 500, epoch: firstEpoch });
    const [refusal] = follower.take();
    assert.equal(refusal?.code, 'stale-epoch');
    assert.deepEqual(other.take(), [], 'nothing relayed');

    r.receive('fol', follower, { type: 'scroll', tab: 't1', x: 0, y: 500, epoch: r.batonState.epoch });
    assert.equal(other.take()[0]?.type, 'scroll');
  });
});

describe('Room: pointers and highlights', () => {
  it('relays pointers to the others, keeps one highlight per author, and clears them', () => {
    const { r, follower, other } = room();
    r.receive('fol', follower, { type: 'pointer', tab: 't1', node: 5, x: 0.25, y: 0.5 });
    assert.equal(follower.take().length, 0, 'a pointer is not echoed');
    const [p] = other.take();
    assert.deepEqual(
      { type: p?.type, node: p?.node, x: p?.x, y: p?.y },
      { type: 'pointer', node: 5, x: 0.25, y: 0.5 },
    );

    r.receive('oth', other, { type: 'highlight', tab: 't1', node: 7 });
    r.receive('oth', other, { type: 'highlight', tab: 't1', node: 8 });
    r.receive('fol', follower, { type: 'highlight', tab: 't1', node: 9 });
    const late = new Fake();
    r.connect({ id: 'late', name: 'Late', role: 'follower' }, late);
    const welcome = late.take().find((m) => m.type === 'welcome') as { tabs: Array<{ highlights: unknown }> };
    assert.deepEqual(welcome.tabs[0]?.highlights, [
      { author: 'oth', node: 8 },
      { author: 'fol', node: 9 },
    ]);

    other.take();
    r.receive('oth', other, { type: 'highlight.clear', tab: 't1', all: true });
    assert.equal(other.take()[0]?.code, 'not-baton-holder', 'only the person in control clears everyone’s');
    r.receive('fol', follower, { type: 'highlight.clear', tab: 't1', all: true });
    const again = new Fake();
    r.connect({ id: 'again', name: 'Again', role: 'follower' }, again);
    const w2 = again.take().find((m) => m.type === 'welcome') as { tabs: Array<{ highlights: unknown }> };
    assert.deepEqual(w2.tabs[0]?.highlights, []);
  });

  it('drops highlights when the page changes', () => {
    const { r, owner, follower } = room();
    r.receive('fol', follower, { type: 'highlight', tab: 't1', node: 9 });
    r.receive('own', owner, { type: 'location', tab: 't1', url: 'https://shop.example/next', title: 'Next' });
    const late = new Fake();
    r.connect({ id: 'late', name: 'Late', role: 'follower' }, late);
    const welcome = late.take().find((m) => m.type === 'welcome') as { tabs: Array<{ highlights: unknown }> };
    assert.deepEqual(welcome.tabs[0]?.highlights, []);
  });
});

describe('Room: strokes and arrows', () => {
  const lateWelcome = (r: Room) => {
    const late = new Fake();
    r.connect({ id: `late${Math.random()}`, name: 'Late', role: 'follower' }, late);
    return late.take().find((m) => m.type === 'welcome') as unknown as {
      tabs: Array<{ strokes: Array<Record<string, unknown>>; highlights: Array<Record<string, unknown>> }>;
    };
  };
  const stroke = (
    id: number,
    points: Array<[number, number]>,
    done = true,
    shape: 'free' | 'arrow' = 'free',
  ) => ({ type: 'stroke', tab: 't1', id, node: 12, shape, points, done }) as const;

  it('relays a growing stroke to everyone and keeps its latest version for late joiners', () => {
    const { r, follower, other } = room();
    r.receive('oth', other, stroke(1, [[0, 0]], false));
    r.receive(
      'oth',
      other,
      stroke(1, [
        [0, 0],
        [30, -4],
        [60, 12],
      ]),
    );
    const [first, second] = follower.take();
    assert.equal(first?.type, 'stroke');
    assert.equal(first?.from, 'oth');
    assert.deepEqual(second?.points, [
      [0, 0],
      [30, -4],
      [60, 12],
    ]);
    assert.equal(second?.done, true);
    assert.equal(other.take().length, 2, 'the author gets the echo too');
    assert.deepEqual(lateWelcome(r).tabs[0]?.strokes, [
      {
        author: 'oth',
        id: 1,
        node: 12,
        shape: 'free',
        points: [
          [0, 0],
          [30, -4],
          [60, 12],
        ],
        done: true,
      },
    ]);
  });

  it('keeps an arrow as its two ends', () => {
    const { r, other } = room();
    r.receive(
      'oth',
      other,
      stroke(
        3,
        [
          [1, 1],
          [5, 5],
          [9, 2],
        ],
        true,
        'arrow',
      ),
    );
    assert.deepEqual(other.take()[0]?.points, [
      [1, 1],
      [9, 2],
    ]);
    assert.deepEqual(lateWelcome(r).tabs[0]?.strokes[0]?.points, [
      [1, 1],
      [9, 2],
    ]);
  });

  it('keeps at most the limit per author, dropping their oldest', () => {
    const { r, other, follower } = room();
    r.receive('fol', follower, stroke(999, [[0, 0]]));
    for (let id = 0; id <= MAX_STROKES_PER_AUTHOR; id++) r.receive('oth', other, stroke(id, [[id, id]]));
    const kept = lateWelcome(r).tabs[0]?.strokes ?? [];
    const theirs = kept.filter((s) => s.author === 'oth').map((s) => s.id);
    assert.equal(theirs.length, MAX_STROKES_PER_AUTHOR);
    assert.equal(theirs[0], 1, 'the first one went');
    assert.ok(
      kept.some((s) => s.author === 'fol'),
      'someone else’s stays',
    );
  });

  it('clears the author’s own, everyone’s only for the baton holder, and all on a new page', () => {
    const { r, owner, follower, other } = room();
    r.receive('oth', other, stroke(1, [[0, 0]]));
    r.receive('fol', follower, stroke(2, [[0, 0]]));
    other.take();
    r.receive('oth', other, { type: 'stroke.clear', tab: 't1', all: true });
    assert.equal(other.take()[0]?.code, 'not-baton-holder');
    r.receive('oth', other, { type: 'stroke.clear', tab: 't1' });
    assert.deepEqual(
      lateWelcome(r).tabs[0]?.strokes.map((s) => s.author),
      ['fol'],
    );
    r.receive('oth', other, stroke(4, [[0, 0]]));
    r.receive('fol', follower, { type: 'stroke.clear', tab: 't1', all: true });
    const cleared = owner.take().at(-1);
    assert.deepEqual({ type: cleared?.type, all: cleared?.all }, { type: 'stroke.clear', all: true });
    assert.deepEqual(lateWelcome(r).tabs[0]?.strokes, []);
    r.receive('oth', other, stroke(5, [[0, 0]]));
    r.receive('own', owner, { type: 'location', tab: 't1', url: 'https://shop.example/next', title: 'Next' });
    assert.deepEqual(lateWelcome(r).tabs[0]?.strokes, [], 'node ids start over on a new page');
  });

  it('keeps marks when the page only reports its address again, and clears them when it is loaded again', () => {
    const { r, owner, other, follower } = room();
    const location = (load?: true) =>
      r.receive('own', owner, {
        type: 'location',
        tab: 't1',
        url: 'https://shop.example/',
        title: 'Shop',
        ...(load ? { load } : {}),
      });
    location();
    r.receive('oth', other, stroke(1, [[0, 0]]));
    r.receive('fol', follower, { type: 'highlight', tab: 't1', node: 7 });
    location();
    assert.equal(lateWelcome(r).tabs[0]?.strokes.length, 1, 'a replaceState at the same address');
    assert.equal(lateWelcome(r).tabs[0]?.highlights.length, 1);
    follower.take();
    location(true);
    assert.deepEqual(lateWelcome(r).tabs[0]?.strokes, [], 'a reload numbers the elements afresh');
    assert.deepEqual(lateWelcome(r).tabs[0]?.highlights, []);
    const relayed = follower.take().find((m) => m.type === 'location');
    assert.equal(relayed?.load, true, 'followers are told, so their marks go too');
  });

  it('archives strokes like every relayed message', () => {
    const appended: string[] = [];
    const journal: RoomJournal = { append: (e) => appended.push(e.type), after: (deliver) => deliver() };
    const { r, other } = room(0, journal);
    r.receive('oth', other, stroke(1, [[0, 0]]));
    r.receive('oth', other, { type: 'stroke.clear', tab: 't1' });
    assert.deepEqual(appended.slice(-2), ['stroke', 'stroke.clear']);
  });
});

describe('Room: reports from browsers', () => {
  it('logs a recorder error and relays nothing', () => {
    const warnings: Array<{ fields: object; message: string }> = [];
    const r = new Room('s', {
      startUrl: null,
      log: { warn: (fields, message) => warnings.push({ fields, message }) },
    });
    const a = new Fake();
    const b = new Fake();
    r.connect({ id: 'a', name: 'A', role: 'owner' }, a);
    r.connect({ id: 'b', name: 'B', role: 'follower' }, b);
    b.take();
    r.receive('a', a, { type: 'report', kind: 'recorder-error', message: 'TypeError: boom' });
    assert.deepEqual(b.take(), []);
    assert.equal(warnings.length, 1);
    assert.match(JSON.stringify(warnings[0]?.fields), /boom/);
  });
});

describe('Room: pages visited', () => {
  it('keeps the last 50 pages, a repeated report of the same page once', () => {
    const { r, owner } = room();
    r.receive('own', owner, { type: 'location', tab: 't1', url: 'https://shop.example/a', title: '' });
    r.receive('own', owner, { type: 'location', tab: 't1', url: 'https://shop.example/a', title: 'A' });
    for (let i = 0; i < 60; i++) {
      r.receive('own', owner, {
        type: 'location',
        tab: 't1',
        url: `https://shop.example/p${i}`,
        title: `P${i}`,
      });
    }
    const late = new Fake();
    r.connect({ id: 'late', name: 'Late', role: 'follower' }, late);
    const welcome = late.take().find((m) => m.type === 'welcome') as {
      tabs: Array<{ visited: Array<{ url: string; title: string }> }>;
    };
    const visited = welcome.tabs[0]?.visited ?? [];
    assert.equal(visited.length, 50);
    assert.equal(visited.at(-1)?.url, 'https://shop.example/p59');
    assert.equal(visited[0]?.url, 'https://shop.example/p10');

    const again = room();
    again.r.receive('own', again.owner, {
      type: 'location',
      tab: 't1',
      url: 'https://shop.example/a',
      title: '',
    });
    again.r.receive('own', again.owner, {
      type: 'location',
      tab: 't1',
      url: 'https://shop.example/a',
      title: 'A',
    });
    const w = new Fake();
    again.r.connect({ id: 'w', name: 'W', role: 'follower' }, w);
    const tabs = (
      w.take().find((m) => m.type === 'welcome') as {
        tabs: Array<{ visited: Array<{ url: string; title: string }> }>;
      }
    ).tabs;
    assert.deepEqual(
      (tabs[0]?.visited ?? []).map((v) => [v.url, v.title]),
      [['https://shop.example/a', 'A']],
    );
  });
});

describe('Room: lagging sockets', () => {
  it('holds pointers and typing for a socket with over 1 MiB queued, sending it chat meanwhile', () => {
    const { r, follower, other, owner } = room();
    other.bufferedAmount = 2 * 1024 * 1024;
    r.receive('fol', follower, { type: 'pointer', tab: 't1', node: 3, x: 0.5, y: 0.5 });
    r.receive('fol', follower, { type: 'typing', active: true });
    r.receive('fol', follower, { type: 'chat', text: 'still delivered' });
    assert.deepEqual(
      other.take().map((m) => m.type),
      ['chat'],
    );
    assert.deepEqual(
      owner.take().map((m) => m.type),
      ['pointer', 'typing', 'chat'],
      'the others are not held back',
    );
    r.closeAll(1001, 'test over');
  });

  it('sends a socket that caught up only the latest of each person’s pointer, scroll and typing', async () => {
    const { r, owner, follower, other } = room();
    other.bufferedAmount = 2 * 1024 * 1024;
    for (let i = 1; i <= 5; i++) {
      r.receive('fol', follower, { type: 'pointer', tab: 't1', node: 3, x: i / 10, y: 0.5 });
      r.receive('fol', follower, { type: 'scroll', tab: 't1', x: 0, y: i * 100 });
    }
    r.receive('own', owner, { type: 'pointer', tab: 't1', node: 4, x: 0.9, y: 0.9 });
    r.receive('own', owner, { type: 'pointer.leave', tab: 't1' });
    r.receive('fol', follower, { type: 'typing', active: true });
    r.receive('fol', follower, { type: 'typing', active: false });
    assert.deepEqual(other.take(), []);
    other.bufferedAmount = 0;
    await new Promise((resolve) => setTimeout(resolve, 250));
    const caughtUp = other.take();
    assert.deepEqual(
      caughtUp.map((m) => [m.type, m.from, m.y === 500 ? 500 : (m.x ?? m.active ?? null)]),
      [
        ['pointer', 'fol', 0.5],
        ['scroll', 'fol', 500],
        ['pointer.leave', 'own', null],
        ['typing', 'fol', false],
      ],
    );
    r.receive('fol', follower, { type: 'pointer', tab: 't1', node: 3, x: 0.6, y: 0.5 });
    assert.equal(other.take().length, 1, 'once caught up, it gets every message again');
  });

  it('forgets what it held for a socket that went away', async () => {
    const { r, follower, other } = room();
    other.bufferedAmount = 2 * 1024 * 1024;
    r.receive('fol', follower, { type: 'pointer', tab: 't1', node: 3, x: 0.5, y: 0.5 });
    r.disconnect('oth', other);
    other.bufferedAmount = 0;
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.deepEqual(other.take(), []);
  });
});

describe('Room: baton policy', () => {
  it('lets a follower take the baton without asking in a collaboration session, not in support', () => {
    for (const [policy, allowed] of [
      ['collaboration', true],
      ['support', false],
    ] as const) {
      const r = new Room('s', { startUrl: null, log: { warn() {} }, now: () => 1, batonPolicy: policy });
      const owner = new Fake();
      const follower = new Fake();
      r.connect({ id: 'own', name: 'O', role: 'owner' }, owner);
      r.connect({ id: 'fol', name: 'F', role: 'follower' }, follower);
      const welcome = follower.take().find((m) => m.type === 'welcome') as { batonPolicy: string };
      assert.equal(welcome.batonPolicy, policy);
      r.receive('fol', follower, { type: 'baton.take' });
      assert.equal(r.batonState.holder === 'fol', allowed, policy);
    }
  });
});

describe('Room: private chat lines (sidebars)', () => {
  it('reaches only the sender and the people named, now, in a late checkpoint and in a resume', () => {
    const { r, owner, follower, other } = room();
    r.receive('fol', follower, { type: 'chat', text: 'psst, the size chart is below', to: ['own'] });
    const toOwner = owner.take().find((m) => m.type === 'chat');
    assert.equal(toOwner?.text, 'psst, the size chart is below');
    assert.deepEqual(toOwner?.to, ['own']);
    assert.equal(follower.take().filter((m) => m.type === 'chat').length, 1, 'the sender sees it');
    assert.deepEqual(other.take(), [], 'nobody else');

    const otherAgain = new Fake();
    r.connect({ id: 'oth', name: 'Other', role: 'follower' }, otherAgain);
    assert.equal(otherAgain.take().filter((m) => m.type === 'chat').length, 0, 'not in a checkpoint either');
    r.receive('oth', otherAgain, { type: 'resume', after: 0 });
    assert.equal(otherAgain.take().filter((m) => m.type === 'chat').length, 0, 'nor in a resume');
    const ownerAgain = new Fake();
    r.connect({ id: 'own', name: 'Owner', role: 'owner' }, ownerAgain);
    assert.equal(
      ownerAgain.take().filter((m) => m.type === 'chat').length,
      1,
      'the recipient’s new tab has it',
    );
  });

  it('refuses a private line to someone not in the session, or only to oneself', () => {
    const { r, follower, other } = room();
    r.receive('fol', follower, { type: 'chat', text: 'hello?', to: ['nobody'] });
    r.receive('fol', follower, { type: 'chat', text: 'hello?', to: ['fol'] });
    assert.deepEqual(
      follower.take().map((m) => [m.type, m.code]),
      [
        ['error', 'unknown-participant'],
        ['error', 'unknown-participant'],
      ],
    );
    assert.deepEqual(other.take(), []);
  });

  it('keeps archived private lines private after a restart', () => {
    const line = (seq: number, to?: string[]) =>
      JSON.stringify({ type: 'chat', seq, at: 1, from: 'own', text: `line ${seq}`, ...(to ? { to } : {}) });
    const r = new Room('s1', {
      startUrl: null,
      log: quiet,
      lastSeq: 2,
      chat: [
        { seq: 1, body: line(1) },
        { seq: 2, body: line(2, ['fol']) },
      ],
    });
    const other = new Fake();
    r.connect({ id: 'oth', name: 'Other', role: 'follower' }, other);
    assert.deepEqual(
      other
        .take()
        .filter((m) => m.type === 'chat')
        .map((m) => m.text),
      ['line 1'],
    );
    const follower = new Fake();
    r.connect({ id: 'fol', name: 'Follower', role: 'follower' }, follower);
    assert.deepEqual(
      follower
        .take()
        .filter((m) => m.type === 'chat')
        .map((m) => m.text),
      ['line 1', 'line 2'],
    );
  });
});

describe('Room: the host removes a follower', () => {
  it('tells everyone, closes the follower’s sockets after telling them, hands back the baton, and turns them away', async () => {
    const removedIds: string[] = [];
    const r = new Room('s1', {
      startUrl: null,
      log: quiet,
      records: {
        remove: async (id) => {
          removedIds.push(id);
          return { inviteReplaced: true };
        },
        setLocked: async () => {},
        attended: async () => {},
      },
    });
    const owner = new Fake();
    const follower = new Fake();
    const other = new Fake();
    const closed: Array<[number, string]> = [];
    follower.close = (code: number, reason: string) => void closed.push([code, reason]);
    r.connect({ id: 'own', name: 'Owner', role: 'owner' }, owner);
    r.connect({ id: 'fol', name: 'Follower', role: 'follower' }, follower);
    r.connect({ id: 'oth', name: 'Other', role: 'follower' }, other);
    r.receive('own', owner, { type: 'baton.give', to: 'fol' });
    r.receive('fol', follower, { type: 'highlight', tab: 't1', node: 7 });
    for (const c of [owner, follower, other]) c.take();

    r.receive('oth', other, { type: 'participant.remove', participant: 'fol' });
    assert.equal(other.take()[0]?.code, 'not-owner', 'only the host removes');
    r.receive('own', owner, { type: 'participant.remove', participant: 'own' });
    assert.equal(owner.take()[0]?.code, 'unknown-participant', 'not a host');

    r.receive('own', owner, { type: 'participant.remove', participant: 'fol' });
    assert.deepEqual(
      other.take().map((m) => [m.type, m.holder ?? m.participant]),
      [
        ['baton', 'own'],
        ['removed', 'fol'],
      ],
    );
    assert.ok(
      follower.take().some((m) => m.type === 'removed'),
      'told before being closed',
    );
    assert.deepEqual(closed, [[REMOVED_CLOSE_CODE, 'the host removed you from this session']]);
    assert.equal(r.batonState.holder, 'own');
    assert.deepEqual(removedIds, ['fol'], 'made to last beyond the room');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      owner.take().map((m) => m.type),
      ['baton', 'removed', 'invite.changed'],
      'the host hears that the invite link was replaced',
    );
    assert.deepEqual(other.take(), [], 'a follower does not');

    const again = new Fake();
    const closedAgain: number[] = [];
    again.close = (code: number) => void closedAgain.push(code);
    r.connect({ id: 'fol', name: 'Follower', role: 'follower' }, again);
    assert.deepEqual(closedAgain, [REMOVED_CLOSE_CODE]);
    assert.deepEqual(again.take(), [], 'no welcome');
    const late = new Fake();
    r.connect({ id: 'new', name: 'Newcomer', role: 'follower' }, late);
    const welcome = late.take().find((m) => m.type === 'welcome') as unknown as {
      participants: Array<{ id: string }>;
      tabs: Array<{ highlights: unknown[] }>;
    };
    assert.deepEqual(
      welcome.participants.map((p) => p.id),
      ['own', 'oth', 'new'],
    );
    assert.deepEqual(welcome.tabs[0]?.highlights, [], 'their highlight went with them');
  });
});

describe('Room: lines shown as they are typed', () => {
  for (const liveTyping of [true, false]) {
    it(`${liveTyping ? 'relays' : 'strips'} the line so far when the session ${liveTyping ? 'shows' : 'does not show'} it`, () => {
      const r = new Room('s1', { startUrl: null, log: quiet, liveTyping });
      const a = new Fake();
      const b = new Fake();
      r.connect({ id: 'a', name: 'A', role: 'owner' }, a);
      r.connect({ id: 'b', name: 'B', role: 'follower' }, b);
      const welcome = b.take().find((m) => m.type === 'welcome') as unknown as { liveTyping: boolean };
      assert.equal(welcome.liveTyping, liveTyping);
      r.receive('a', a, { type: 'typing', active: true, text: 'hello wor' });
      r.receive('a', a, { type: 'typing', active: false, text: 'ignored when inactive' });
      assert.deepEqual(
        b.take().map((m) => [m.active, m.text]),
        [
          [true, liveTyping ? 'hello wor' : undefined],
          [false, undefined],
        ],
      );
    });
  }
});

describe('Room: the audience of a large session', () => {
  function large() {
    const archived: string[] = [];
    const journal: RoomJournal = { append: (e) => archived.push(e.body), after: (deliver) => deliver() };
    const r = new Room('big', { startUrl: null, log: quiet, journal, stageSize: 3 });
    const people = ['own', 'f1', 'f2', 'f3', 'f4'].map((id, i) => {
      const conn = new Fake();
      r.connect({ id, name: id.toUpperCase(), role: i === 0 ? 'owner' : 'follower' }, conn);
      return { id, conn };
    });
    return { r, archived, people: Object.fromEntries(people.map((p) => [p.id, p.conn])) };
  }
  const types = (messages: ServerMessage[]) => messages.map((m) => m.type);

  it('announces the stage one by one, counts the rest, and archives every arrival', async () => {
    const { r, archived, people } = large();
    const owner = people.own as Fake;
    const heard = owner.take();
    const joined = heard
      .filter((m) => m.type === 'joined')
      .map((m) => (m as { participant: { id: string } }).participant.id);
    assert.deepEqual(joined, ['f1', 'f2'], 'only the stage is announced');
    const f4 = (people.f4 as Fake).take()[0] as ServerMessage & { participants: Array<{ id: string }> };
    assert.equal(f4.type, 'welcome');
    assert.deepEqual(
      f4.participants.map((p) => p.id),
      ['own', 'f1', 'f2', 'f4'],
      'an audience member sees the stage and itself',
    );
    assert.equal(archived.filter((b) => b.includes('"type":"joined"')).length, 5, 'every arrival archived');
    assert.equal(r.connectedCount, 5);
    await new Promise((done) => setTimeout(done, 1100));
    const counts = owner.take().filter((m) => m.type === 'audience');
    assert.deepEqual(
      counts.map((m) => (m as { count: number }).count),
      [2],
      'the audience size told once',
    );
    r.closeAll(1001, 'test over');
  });

  it('brings an audience member who speaks up onto the stage before their line', () => {
    const { r, people } = large();
    const owner = people.own as Fake;
    owner.take();
    r.receive('f3', people.f3 as Fake, { type: 'chat', text: 'a question' });
    const heard = owner.take();
    assert.deepEqual(types(heard), ['joined', 'chat']);
    assert.equal((heard[0] as { participant: { name: string } }).participant.name, 'F3');
    r.receive('f3', people.f3 as Fake, { type: 'chat', text: 'and another' });
    assert.deepEqual(types(owner.take()), ['chat'], 'announced once');
    r.closeAll(1001, 'test over');
  });

  it('keeps a departure in the audience quiet, and one on the stage announced', () => {
    const { r, archived, people } = large();
    const owner = people.own as Fake;
    owner.take();
    r.disconnect('f4', people.f4 as Fake);
    assert.deepEqual(types(owner.take()), [], 'an audience member leaves quietly');
    assert.ok(archived.some((b) => b.includes('"type":"left"') && b.includes('"participant":"f4"')));
    r.disconnect('f1', people.f1 as Fake);
    assert.deepEqual(types(owner.take()), ['left']);
    assert.equal(r.connectedCount, 3);
    r.closeAll(1001, 'test over');
  });
});

describe('Room: the session’s budget for what people say to everyone', () => {
  class Quiet implements Connection {
    bufferedAmount = 0;
    received = 0;
    send() {
      this.received++;
    }
    close() {}
  }

  function crowd(size: number) {
    let t = 0;
    const r = new Room('crowd', { startUrl: null, log: quiet, now: () => t });
    const host = new Fake();
    r.connect({ id: 'host', name: 'Host', role: 'owner' }, host);
    const followers = Array.from({ length: size - 1 }, () => new Quiet());
    for (const [i, conn] of followers.entries()) {
      r.connect({ id: `f${i + 1}`, name: `F${i + 1}`, role: 'follower' }, conn);
    }
    host.take();
    return { r, host, first: followers[0] as Quiet, advance: (ms: number) => (t += ms) };
  }
  const say = (r: Room, host: Fake, lines: number) => {
    for (let i = 0; i < lines; i++) r.receive('host', host, { type: 'chat', text: `line ${i}` });
    const got = host.take();
    return {
      relayed: got.filter((m) => m.type === 'chat').length,
      refused: got.filter((m) => m.type === 'error' && m.code === 'rate-limited').length,
    };
  };

  it('never limits a pair', () => {
    const { r, host } = crowd(2);
    assert.deepEqual(say(r, host, 2000), { relayed: 2000, refused: 0 });
  });

  it('gives a crowd of 2,000 a burst of 200 lines, then 100 a second, refusing the rest clearly', () => {
    const { r, host, advance } = crowd(2000);
    assert.deepEqual(say(r, host, 250), { relayed: 200, refused: 50 });
    advance(1000);
    assert.deepEqual(say(r, host, 150), { relayed: 100, refused: 50 });
    r.closeAll(1001, 'test over');
  });

  it('drops pointer moves over the budget without an error, and never limits private lines', () => {
    const { r, host, first } = crowd(2000);
    say(r, host, 200);
    const before = first.received;
    r.receive('host', host, { type: 'pointer', tab: 't1', node: 1, x: 0.1, y: 0.1 });
    assert.equal(first.received, before, 'not relayed');
    assert.deepEqual(host.take(), [], 'and no error');
    r.receive('host', host, { type: 'chat', text: 'just for you', to: ['f1'] });
    assert.deepEqual(
      host.take().map((m) => m.type),
      ['chat'],
    );
    r.closeAll(1001, 'test over');
  });

  it('counts a host’s lock against it, and a follower’s refused attempts not at all', () => {
    const { r, host, first } = crowd(2000);
    const follower = new Fake();
    r.connect({ id: 'f1', name: 'F1', role: 'follower' }, follower);
    follower.take();
    for (let i = 0; i < 1000; i++) r.receive('f1', follower, { type: 'session.lock', locked: i % 2 === 0 });
    assert.ok(
      follower.take().every((m) => m.type === 'error' && m.code === 'not-owner'),
      'refused as not a host, never as over budget',
    );
    assert.deepEqual(say(r, host, 200), { relayed: 200, refused: 0 }, 'the budget is whole');
    const before = first.received;
    r.receive('host', host, { type: 'session.lock', locked: true });
    assert.equal(host.take()[0]?.code, 'rate-limited', 'the host is told the session is busy');
    assert.equal(first.received, before);
    r.closeAll(1001, 'test over');
  });
});

describe('Room: a tab owner that does not want its own location back', () => {
  it('leaves out only the connections that asked, and still archives the location', () => {
    const archived: string[] = [];
    const journal: RoomJournal = { append: (e) => archived.push(e.type), after: (deliver) => deliver() };
    const r = new Room('s', { startUrl: null, log: quiet, journal });
    const quietOne = new Fake();
    const otherWindow = new Fake();
    const follower = new Fake();
    r.connect({ id: 'own', name: 'Owner', role: 'owner' }, quietOne);
    r.connect({ id: 'own', name: 'Owner', role: 'owner' }, otherWindow);
    r.connect({ id: 'fol', name: 'Follower', role: 'follower' }, follower);
    r.receive('own', quietOne, { type: 'prefs', ownLocation: false });
    for (const c of [quietOne, otherWindow, follower]) c.take();
    const location = { type: 'location', tab: 't1', url: 'https://a.example/', title: 'A' } as const;
    r.receive('own', quietOne, location);
    assert.deepEqual(quietOne.take(), [], 'not echoed to the connection that asked');
    assert.equal(otherWindow.take()[0]?.type, 'location', 'the owner’s other connection still gets it');
    assert.equal(follower.take()[0]?.type, 'location');
    assert.equal(archived.filter((t) => t === 'location').length, 1);
    r.receive('own', quietOne, { type: 'prefs', ownLocation: true });
    r.receive('own', quietOne, { ...location, url: 'https://b.example/' });
    assert.equal(quietOne.take()[0]?.type, 'location', 'asked for again');
  });
});

describe('Room: moderated questions', () => {
  it('a question reaches only the hosts and the asker, and a host shows it to everyone as the asker’s line', () => {
    const r = new Room('s1', { startUrl: null, log: quiet, stageSize: 2 });
    const host = new Fake();
    const cohost = new Fake();
    const onStage = new Fake();
    const asker = new Fake();
    r.connect({ id: 'own', name: 'Olivia', role: 'owner' }, host);
    r.connect({ id: 'co', name: 'Cora', role: 'owner' }, cohost);
    r.connect({ id: 'st', name: 'Stan', role: 'follower' }, onStage);
    // The stage is full: Quinn is in the audience, not announced.
    r.connect({ id: 'q', name: 'Quinn', role: 'follower' }, asker);
    for (const c of [host, cohost, onStage, asker]) c.take();

    r.receive('q', asker, { type: 'question', text: 'Can I pay by invoice?' });
    const [asked] = host.take();
    assert.deepEqual(
      [asked?.type, asked?.text, asked?.name, asked?.from],
      ['question', 'Can I pay by invoice?', 'Quinn', 'q'],
    );
    assert.equal(cohost.take()[0]?.type, 'question');
    assert.equal(asker.take()[0]?.type, 'question', 'the asker sees their own question');
    assert.deepEqual(onStage.take(), [], 'other followers do not, nor hear of the asker');

    r.receive('st', onStage, { type: 'question.show', question: asked?.seq as number });
    assert.equal(onStage.take()[0]?.code, 'not-owner');

    // A host joining late, and the asker coming back, get the open question with their checkpoint.
    const late = new Fake();
    r.connect({ id: 'co', name: 'Cora', role: 'owner' }, late);
    assert.ok(late.take().some((m) => m.type === 'question' && m.seq === asked?.seq));
    const again = new Fake();
    r.connect({ id: 'q', name: 'Quinn', role: 'follower' }, again);
    assert.ok(again.take().some((m) => m.type === 'question'));
    const stranger = new Fake();
    r.connect({ id: 'st', name: 'Stan', role: 'follower' }, stranger);
    assert.ok(!stranger.take().some((m) => m.type === 'question'), 'nobody else gets it on connect');
    for (const c of [host, cohost, asker]) c.take();

    r.receive('own', host, { type: 'question.show', question: asked?.seq as number });
    const seen = onStage.take();
    assert.deepEqual(
      seen.map((m) => m.type),
      ['joined', 'chat'],
      'the asker is announced before their line',
    );
    assert.deepEqual(
      [seen[1]?.from, seen[1]?.text, seen[1]?.question, seen[1]?.shownBy],
      ['q', 'Can I pay by invoice?', asked?.seq, 'own'],
    );
    assert.ok(asker.take().some((m) => m.type === 'chat' && m.question === asked?.seq));

    r.receive('co', cohost, { type: 'question.show', question: asked?.seq as number });
    assert.equal(cohost.take().at(-1)?.code, 'unknown-question', 'shown once');
    const later = new Fake();
    r.connect({ id: 'co', name: 'Cora', role: 'owner' }, later);
    const checkpoint = later.take();
    assert.ok(!checkpoint.some((m) => m.type === 'question'), 'no longer open');
    assert.ok(
      checkpoint.some((m) => m.type === 'chat' && m.question === asked?.seq),
      'in the chat now',
    );
  });

  it('a dismissed question is told to the hosts and the asker only; a removed asker’s questions go', () => {
    const r = new Room('s1', { startUrl: null, log: quiet });
    const host = new Fake();
    const asker = new Fake();
    const other = new Fake();
    r.connect({ id: 'own', name: 'Olivia', role: 'owner' }, host);
    r.connect({ id: 'q', name: 'Quinn', role: 'follower' }, asker);
    r.connect({ id: 'o', name: 'Otto', role: 'follower' }, other);
    r.receive('q', asker, { type: 'question', text: 'first?' });
    r.receive('o', other, { type: 'question', text: 'mine' });
    const [first, mine] = host.take().filter((m) => m.type === 'question');
    for (const c of [asker, other]) c.take();

    r.receive('own', host, { type: 'question.dismiss', question: first?.seq as number });
    assert.deepEqual(
      asker.take().map((m) => [m.type, m.question]),
      [['question.dismissed', first?.seq]],
    );
    assert.deepEqual(other.take(), []);
    assert.equal(host.take()[0]?.type, 'question.dismissed');

    r.receive('own', host, { type: 'participant.remove', participant: 'o' });
    assert.deepEqual(
      host
        .take()
        .filter((m) => m.type.startsWith('question'))
        .map((m) => [m.type, m.question]),
      [['question.dismissed', mine?.seq]],
    );
    const late = new Fake();
    r.connect({ id: 'own', name: 'Olivia', role: 'owner' }, late);
    assert.ok(!late.take().some((m) => m.type === 'question'), 'nothing left open');
  });

  it('holds at most five open questions per asker, saying so, and takes more once one is settled', () => {
    const r = new Room('s1', { startUrl: null, log: quiet });
    const host = new Fake();
    const asker = new Fake();
    r.connect({ id: 'own', name: 'Olivia', role: 'owner' }, host);
    r.connect({ id: 'q', name: 'Quinn', role: 'follower' }, asker);
    for (let i = 0; i < 6; i++) r.receive('q', asker, { type: 'question', text: `question ${i}` });
    const got = asker.take();
    assert.equal(got.filter((m) => m.type === 'question').length, 5);
    const refusal = got.find((m) => m.type === 'error');
    assert.equal(refusal?.code, 'rate-limited');
    assert.match(String(refusal?.message), /5 questions waiting/);
    const first = host.take().find((m) => m.type === 'question');
    r.receive('own', host, { type: 'question.dismiss', question: first?.seq as number });
    r.receive('q', asker, { type: 'question', text: 'one more' });
    assert.ok(asker.take().some((m) => m.type === 'question' && m.text === 'one more'));
  });
});

describe('Room: the host locks the session', () => {
  it('only a host locks it; everyone hears of it, newcomers see it in their welcome, and it is recorded', async () => {
    const recorded: Array<[string, boolean]> = [];
    const r = new Room('s1', {
      startUrl: null,
      log: quiet,
      records: {
        remove: async () => ({ inviteReplaced: false }),
        setLocked: async (sessionId, locked) => void recorded.push([sessionId, locked]),
        attended: async () => {},
      },
    });
    const host = new Fake();
    const follower = new Fake();
    r.connect({ id: 'own', name: 'Olivia', role: 'owner' }, host);
    r.connect({ id: 'fol', name: 'Felix', role: 'follower' }, follower);
    assert.equal((follower.take().find((m) => m.type === 'welcome') as { locked?: boolean }).locked, false);
    host.take();

    r.receive('fol', follower, { type: 'session.lock', locked: true });
    assert.equal(follower.take()[0]?.code, 'not-owner');
    r.receive('own', host, { type: 'session.lock', locked: true });
    assert.deepEqual(
      follower.take().map((m) => [m.type, m.locked]),
      [['session.locked', true]],
    );
    r.receive('own', host, { type: 'session.lock', locked: true });
    assert.equal(host.take().length, 1, 'locking a locked session changes nothing');
    const late = new Fake();
    r.connect({ id: 'new', name: 'Nia', role: 'follower' }, late);
    assert.equal((late.take().find((m) => m.type === 'welcome') as { locked?: boolean }).locked, true);
    r.receive('own', host, { type: 'session.lock', locked: false });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(recorded, [
      ['s1', true],
      ['s1', false],
    ]);
  });
});

describe('Room: connected time for the ledger', () => {
  it('counts each participant once however many connections, through removal and the end, and hands it over in one go', () => {
    let t = 1_000;
    const handed: Array<Array<readonly [number, number]>> = [];
    const r = new Room('s1', {
      startUrl: null,
      log: quiet,
      now: () => t,
      records: {
        remove: async () => ({ inviteReplaced: false }),
        setLocked: async () => {},
        attended: async (_id, spans) => void handed.push([...spans]),
      },
    });
    const host = new Fake();
    const second = new Fake();
    const visitor = new Fake();
    const leaver = new Fake();
    r.connect({ id: 'own', name: 'Olivia', role: 'owner' }, host);
    r.connect({ id: 'own', name: 'Olivia', role: 'owner' }, second);
    t = 3_000;
    r.connect({ id: 'v', name: 'Vic', role: 'follower' }, visitor);
    r.connect({ id: 'l', name: 'Lee', role: 'follower' }, leaver);
    t = 5_000;
    r.disconnect('l', leaver);
    assert.deepEqual(handed, [], 'who leaves is handed over with the next count, not one by one');
    t = 10_000;
    r.countAttendance();
    assert.deepEqual(handed.splice(0), [
      [
        [3_000, 5_000],
        [1_000, 10_000],
        [3_000, 10_000],
      ],
    ]);
    r.countAttendance();
    assert.deepEqual(handed, [], 'nothing twice');
    t = 12_000;
    r.disconnect('own', second);
    r.receive('own', host, { type: 'participant.remove', participant: 'v' });
    r.disconnect('v', visitor);
    t = 20_000;
    r.closeAll(1001, 'shutting down');
    r.disconnect('own', host);
    assert.deepEqual(
      handed,
      [
        [
          [10_000, 12_000],
          [10_000, 20_000],
        ],
      ],
      'the removed visitor up to the removal, the host (still in through one tab) up to the end',
    );
  });
});
