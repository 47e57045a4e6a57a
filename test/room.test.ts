import assert from 'node:assert/strict';
import type { Connection, Outgoing } from '../session/connection.js';
import { clientMessage, type ServerMessage } from '../session/protocol.js';
import { MAIN_TAB, type ParticipantRecord, parseNavigableUrl, Room } from '../session/room.js';

const MIB = 1024 * 1024;
const START_URL = 'https://start.example/';

const ALICE: ParticipantRecord = { id: 'alice', name: 'Alice', role: 'owner' };
const BOB: ParticipantRecord = { id: 'bob', name: 'Bob', role: 'follower' };
const CAROL: ParticipantRecord = { id: 'carol', name: 'Carol', role: 'follower' };
const DAVE: ParticipantRecord = { id: 'dave', name: 'Dave', role: 'owner' };

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
type Relayed = Exclude<ServerMessage, { type: 'welcome' } | { type: 'error' } | { type: 'snapshot.request' }>;

/** A socket stand-in: records what the room sends and how it closes it. */
class FakeConnection implements Connection {
  readonly sent: string[] = [];
  readonly closes: Array<{ code: number; reason: string }> = [];
  bufferedAmount = 0;
  private read = 0;

  constructor(readonly label: string) {}

  send(message: Outgoing): void {
    this.sent.push(message.text);
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }

  /** Everything received so far, parsed. */
  all(): ServerMessage[] {
    return this.sent.map((text) => JSON.parse(text) as ServerMessage);
  }

  /** What was received since the previous take(). */
  take(): ServerMessage[] {
    const out = this.sent.slice(this.read).map((text) => JSON.parse(text) as ServerMessage);
    this.read = this.sent.length;
    return out;
  }

  /** The raw texts received since the previous take(), without parsing. */
  takeText(): string[] {
    const out = this.sent.slice(this.read);
    this.read = this.sent.length;
    return out;
  }
}

const isRelayed = (m: ServerMessage): m is Relayed =>
  m.type !== 'welcome' && m.type !== 'error' && m.type !== 'snapshot.request';

function only<T extends ServerMessage['type']>(messages: ServerMessage[], type: T): Of<T>[] {
  return messages.filter((m): m is Of<T> => m.type === type);
}

function single<T extends ServerMessage['type']>(messages: ServerMessage[], type: T): Of<T> {
  assert.deepEqual(
    messages.map((m) => m.type),
    [type],
    `expected exactly one "${type}", got ${JSON.stringify(messages)}`,
  );
  return messages[0] as Of<T>;
}

function assertError(messages: ServerMessage[], code: string, ref: string): void {
  const err = single(messages, 'error');
  assert.equal(err.code, code);
  assert.equal(err.ref, ref);
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0);
}

class Harness {
  time = 1_700_000_000_000;
  readonly warnings: Array<{ fields: object; message: string }> = [];
  readonly room: Room;

  constructor(startUrl: string | null = START_URL) {
    this.room = new Room('s1', {
      startUrl,
      log: { warn: (fields, message) => this.warnings.push({ fields, message }) },
      now: () => this.time,
    });
  }

  tick(ms = 1000): number {
    this.time += ms;
    return this.time;
  }

  join(p: ParticipantRecord): FakeConnection {
    const conn = new FakeConnection(p.id);
    this.room.connect(p, conn);
    return conn;
  }

  /** Validates like the socket does, then hands the message to the room. */
  send(p: ParticipantRecord, conn: Connection, raw: unknown): void {
    this.room.receive(p.id, conn, clientMessage.parse(raw));
  }
}

/** A room with Alice (owner), Bob and Carol (followers) connected, everyone's inbox emptied. */
function threeInRoom() {
  const h = new Harness();
  const alice = h.join(ALICE);
  const bob = h.join(BOB);
  const carol = h.join(CAROL);
  /** The last seq ordered so far. */
  const seq = (carol.all()[0] as Of<'welcome'>).seq;
  for (const c of [alice, bob, carol]) c.take();
  return { h, alice, bob, carol, seq };
}

const CONTROL_EXAMPLES = [
  { type: 'click', tab: MAIN_TAB, node: 3, x: 1, y: 2 },
  { type: 'scroll', tab: MAIN_TAB, x: 0, y: 400 },
  { type: 'input', tab: MAIN_TAB, node: 4, value: 'hello' },
  { type: 'nav', tab: MAIN_TAB, url: 'https://example.com/' },
  { type: 'key', tab: MAIN_TAB, key: 'Enter' },
] as const;

describe('Room', () => {
  describe('joining', () => {
    it('makes the first connected owner the tab owner and baton holder', () => {
      const h = new Harness();
      const alice = h.join(ALICE);
      const received = alice.take();
      // The welcome comes first and already holds the tab and the baton; nothing else is sent to Alice.
      assert.deepEqual(
        received.map((m) => m.type),
        ['welcome'],
      );
      const welcome = received[0] as Of<'welcome'>;
      assert.deepEqual(welcome.tabs, [
        {
          id: MAIN_TAB,
          owner: 'alice',
          url: START_URL,
          title: '',
          highlights: [],
          strokes: [],
          visited: [],
          baton: { holder: 'alice', epoch: 1 },
        },
      ]);
      assert.equal(welcome.activeTab, MAIN_TAB);
      assert.deepEqual(welcome.baton, { holder: 'alice', epoch: 1 });
      assert.equal(welcome.seq, 3, 'joined, tab and baton were ordered before the welcome');
      assert.equal(h.room.tabOwner, 'alice');
      assert.ok(h.room.isTabOwner('alice'));
      assert.deepEqual({ ...h.room.batonState }, { holder: 'alice', epoch: 1 });
    });

    it('does not give the tab to a follower, and gives it to the owner who comes later', () => {
      const h = new Harness();
      const bob = h.join(BOB);
      assert.equal(h.room.tabOwner, null);
      assert.equal(h.room.batonState.holder, null);
      const bobWelcome = single(bob.take(), 'welcome');
      assert.equal(bobWelcome.tabs[0]?.owner, null);

      h.join(ALICE);
      const received = bob.take();
      assert.deepEqual(
        received.map((m) => m.type),
        ['joined', 'tab', 'baton'],
      );
      assert.equal(only(received, 'tab')[0]?.tab.owner, 'alice');
      assert.equal(only(received, 'baton')[0]?.holder, 'alice');
      assert.equal(h.room.tabOwner, 'alice');
    });

    it('sends a welcome checkpoint with participants, tabs, baton and the current seq', () => {
      const h = new Harness();
      const alice = h.join(ALICE);
      const bob = h.join(BOB);
      const lastSeenByAlice = alice.take().filter(isRelayed).at(-1) as Relayed;
      assert.equal(lastSeenByAlice.type, 'joined');

      const welcome = single(bob.take(), 'welcome');
      assert.deepEqual(welcome, {
        type: 'welcome',
        you: { id: 'bob', name: 'Bob', role: 'follower', connected: true },
        session: 's1',
        participants: [
          { id: 'alice', name: 'Alice', role: 'owner', connected: true },
          { id: 'bob', name: 'Bob', role: 'follower', connected: true },
        ],
        audience: 0,
        tabs: [
          {
            id: MAIN_TAB,
            owner: 'alice',
            url: START_URL,
            title: '',
            highlights: [],
            strokes: [],
            visited: [],
            baton: { holder: 'alice', epoch: 1 },
          },
        ],
        activeTab: MAIN_TAB,
        baton: { holder: 'alice', epoch: 1 },
        batonPolicy: 'support',
        liveTyping: false,
        locked: false,
        seq: lastSeenByAlice.seq,
        checkpoint: true,
      });
    });

    it('tells the others who joined, but not the one joining', () => {
      const { h, alice, bob } = threeInRoom();
      const t = h.tick();
      const dave = h.join(DAVE);
      for (const conn of [alice, bob]) {
        const joined = single(conn.take(), 'joined');
        assert.deepEqual(joined.participant, { id: 'dave', name: 'Dave', role: 'owner', connected: true });
        assert.equal(joined.from, 'dave');
        assert.equal(joined.at, t);
      }
      assert.equal(only(dave.take(), 'joined').length, 0);
      assert.equal(h.room.tabOwner, 'alice', 'a second owner does not take the tab');
    });

    it('does not announce a second connection of someone already connected', () => {
      const { h, alice, bob } = threeInRoom();
      const second = h.join(BOB);
      assert.deepEqual(alice.take(), []);
      assert.deepEqual(bob.take(), []);
      single(second.take(), 'welcome');
      h.room.disconnect('bob', second);
      assert.deepEqual(alice.take(), [], 'bob is still connected through his first connection');
      assert.equal(h.room.connectedCount, 3);
    });

    it('refuses messages from someone who never joined', () => {
      const { h, alice } = threeInRoom();
      const stranger = new FakeConnection('stranger');
      h.room.receive('mallory', stranger, clientMessage.parse({ type: 'chat', text: 'hi' }));
      assertError(stranger.take(), 'unknown-participant', 'chat');
      assert.deepEqual(alice.take(), []);
    });
  });

  describe('ordering', () => {
    it('gives every relayed message a gap-free increasing seq, the clock time and the sender', () => {
      const h = new Harness();
      const carol = h.join(CAROL);
      const alice = h.join(ALICE);
      const bob = h.join(BOB);
      const [welcome, ...live] = carol.take();
      assert.equal(welcome?.type, 'welcome');
      let expectedSeq = (welcome as Of<'welcome'>).seq;
      // Carol saw Alice's join, the tab, the baton and Bob's join live.
      assert.deepEqual(
        live.map((m) => m.type),
        ['joined', 'tab', 'baton', 'joined'],
      );
      for (const m of live) {
        assert.ok(isRelayed(m));
        assert.equal(m.seq, ++expectedSeq);
      }

      const steps: Array<{ from: string; act: () => void; relayed: number }> = [
        { from: 'alice', act: () => h.send(ALICE, alice, { type: 'chat', text: 'one' }), relayed: 1 },
        {
          from: 'bob',
          act: () => h.send(BOB, bob, { type: 'scroll', tab: MAIN_TAB, x: 1, y: 2 }),
          relayed: 0,
        },
        {
          from: 'bob',
          act: () => h.send(BOB, bob, { type: 'rec', tab: MAIN_TAB, events: [{ type: 3, timestamp: 1 }] }),
          relayed: 0,
        },
        {
          from: 'alice',
          act: () =>
            h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [{ type: 4, timestamp: 1 }] }),
          relayed: 1,
        },
        { from: 'bob', act: () => h.send(BOB, bob, { type: 'baton.request' }), relayed: 1 },
        { from: 'alice', act: () => h.send(ALICE, alice, { type: 'baton.give', to: 'bob' }), relayed: 1 },
        { from: 'bob', act: () => h.send(BOB, bob, { type: 'click', tab: MAIN_TAB, node: 7 }), relayed: 1 },
        { from: 'dave', act: () => h.join(DAVE), relayed: 1 },
        { from: 'bob', act: () => h.room.disconnect('bob', bob), relayed: 2 },
        { from: 'carol', act: () => h.send(CAROL, carol, { type: 'chat', text: 'two' }), relayed: 1 },
      ];
      for (const [i, step] of steps.entries()) {
        const t = h.tick(i + 1);
        step.act();
        const relayed = carol.take().filter(isRelayed);
        assert.equal(relayed.length, step.relayed, `step ${i}: ${JSON.stringify(relayed)}`);
        for (const m of relayed) {
          assert.equal(m.seq, ++expectedSeq, `step ${i}`);
          assert.equal(m.at, t, `step ${i}`);
          assert.equal(m.from, step.from, `step ${i}`);
        }
      }
    });

    it('sends the same serialisation to every recipient', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(BOB, bob, { type: 'chat', text: 'same bytes' });
      const texts = [alice, bob, carol].map((c) => c.takeText());
      assert.equal(texts[0]?.length, 1);
      assert.deepEqual(texts[1], texts[0]);
      assert.deepEqual(texts[2], texts[0]);
    });
  });

  describe('chat', () => {
    it('is relayed to everyone, the sender included, with exactly {type, seq, at, from, text}', () => {
      const { h, alice, bob, carol } = threeInRoom();
      const t = h.tick();
      h.send(BOB, bob, { type: 'chat', text: '  hello there  ' });
      const expected = single(alice.take(), 'chat');
      assert.deepEqual(expected, {
        type: 'chat',
        seq: expected.seq,
        at: t,
        from: 'bob',
        text: 'hello there',
      });
      assert.deepEqual(Object.keys(expected).sort(), ['at', 'from', 'seq', 'text', 'type']);
      assert.deepEqual(single(bob.take(), 'chat'), expected);
      assert.deepEqual(single(carol.take(), 'chat'), expected);
    });
  });

  describe('recording', () => {
    it('accepts rec only from the tab owner', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(BOB, bob, { type: 'rec', tab: MAIN_TAB, events: [{ type: 4, timestamp: 1 }] });
      assertError(bob.take(), 'not-owner', 'rec');
      assert.deepEqual(alice.take(), []);
      assert.deepEqual(carol.take(), []);
    });

    it('relays the owner’s rec to the others and not back to the owner', () => {
      const { h, alice, bob, carol } = threeInRoom();
      const events = [
        { type: 4, timestamp: 10, data: { href: START_URL, width: 800, height: 600 } },
        { type: 2, timestamp: 11, data: { node: { id: 1 } } },
      ];
      const t = h.tick();
      h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events });
      assert.deepEqual(alice.take(), []);
      for (const conn of [bob, carol]) {
        const rec = single(conn.take(), 'rec');
        assert.deepEqual(rec, { type: 'rec', tab: MAIN_TAB, events, seq: rec.seq, at: t, from: 'alice' });
      }
    });

    it('does not send the owner’s rec to the owner’s other connections either', () => {
      const { h, alice, bob } = threeInRoom();
      const aliceElsewhere = h.join(ALICE);
      aliceElsewhere.take();
      h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [{ type: 3, timestamp: 1 }] });
      assert.deepEqual(aliceElsewhere.take(), []);
      single(bob.take(), 'rec');
    });

    it('brings a late joiner the recording since the last Meta event, and earlier chat', () => {
      const { h, alice, bob } = threeInRoom();
      const rec = (events: Array<{ type: number; timestamp: number }>) =>
        h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events });

      rec([
        { type: 4, timestamp: 1 },
        { type: 2, timestamp: 2 },
      ]);
      rec([{ type: 3, timestamp: 3 }]);
      h.send(BOB, bob, { type: 'chat', text: 'first' });
      rec([
        { type: 4, timestamp: 4 },
        { type: 2, timestamp: 5 },
      ]);
      rec([{ type: 3, timestamp: 6 }]);
      h.send(ALICE, alice, { type: 'chat', text: 'second' });
      rec([{ type: 3, timestamp: 7 }]);

      const live = bob.takeText().map((text) => ({ text, msg: JSON.parse(text) as ServerMessage }));
      const liveRec = live.filter((l) => l.msg.type === 'rec');
      const liveChat = live.filter((l) => l.msg.type === 'chat');
      assert.equal(liveRec.length, 5);
      assert.equal(liveChat.length, 2);

      const dave = h.join(DAVE);
      const texts = dave.takeText();
      const received = texts.map((text) => JSON.parse(text) as ServerMessage);
      assert.equal(received[0]?.type, 'welcome');
      const welcome = received[0] as Of<'welcome'>;
      assert.equal(welcome.checkpoint, true);

      const recTexts = texts.filter((_, i) => received[i]?.type === 'rec');
      const chatTexts = texts.filter((_, i) => received[i]?.type === 'chat');
      assert.deepEqual(
        recTexts,
        liveRec.slice(2).map((l) => l.text),
        'the rec messages from the last Meta event on, byte for byte, in order',
      );
      assert.deepEqual(
        chatTexts,
        liveChat.map((l) => l.text),
        'the chat so far, in order',
      );
      assert.equal(received.length, 1 + 3 + 2, JSON.stringify(received.map((m) => m.type)));
      for (const m of received.filter(isRelayed)) assert.ok(m.seq <= welcome.seq);
    });

    it('does not send the tab owner its own recording when it connects again', () => {
      const { h, alice } = threeInRoom();
      h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [{ type: 4, timestamp: 1 }] });
      const again = h.join(ALICE);
      assert.deepEqual(
        again.take().map((m) => m.type),
        ['welcome'],
      );
    });

    it('accepts location only from the tab owner and remembers it', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(BOB, bob, { type: 'location', tab: MAIN_TAB, url: 'https://evil.example/', title: 'x' });
      assertError(bob.take(), 'not-owner', 'location');
      assert.equal(h.room.currentUrl, START_URL);

      h.send(ALICE, alice, { type: 'location', tab: MAIN_TAB, url: 'https://next.example/p', title: 'Next' });
      const location = single(carol.take(), 'location');
      assert.equal(location.url, 'https://next.example/p');
      assert.equal(location.title, 'Next');
      assert.equal(h.room.currentUrl, 'https://next.example/p');
      const welcome = single(h.join(DAVE).take(), 'welcome');
      assert.deepEqual(welcome.tabs[0], {
        id: MAIN_TAB,
        owner: 'alice',
        url: 'https://next.example/p',
        title: 'Next',
        highlights: [],
        strokes: [],
        visited: [
          {
            url: 'https://next.example/p',
            title: 'Next',
            at: (welcome.tabs[0] as { visited: Array<{ at: number }> }).visited[0]?.at,
          },
        ],
        baton: { holder: 'alice', epoch: 1 },
      });
    });
  });

  describe('control and the baton', () => {
    for (const example of CONTROL_EXAMPLES) {
      it(`refuses "${example.type}" from a participant without the baton and relays it to nobody`, () => {
        const { h, alice, bob, carol, seq } = threeInRoom();
        h.send(BOB, bob, example);
        assertError(bob.take(), 'not-baton-holder', example.type);
        assert.deepEqual(alice.take(), []);
        assert.deepEqual(carol.take(), []);
        assert.equal(h.warnings.length, 1);

        // The refusal did not use up a seq.
        h.send(CAROL, carol, { type: 'chat', text: 'next' });
        assert.equal(single(alice.take(), 'chat').seq, seq + 1);
      });
    }

    it('lets the holder control: relayed to everyone with seq, at, from and the contract fields only', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.give', to: 'bob' });
      const baton = single(carol.take(), 'baton');
      assert.deepEqual(baton, {
        type: 'baton',
        tab: MAIN_TAB,
        holder: 'bob',
        epoch: 2,
        seq: baton.seq,
        at: h.time,
        from: 'alice',
      });
      assert.deepEqual(single(alice.take(), 'baton'), baton);
      assert.deepEqual(single(bob.take(), 'baton'), baton);

      const t = h.tick();
      h.send(BOB, bob, { type: 'scroll', tab: MAIN_TAB, x: 12.5, y: 300 });
      const scroll = single(alice.take(), 'scroll');
      assert.deepEqual(scroll, {
        type: 'scroll',
        tab: MAIN_TAB,
        x: 12.5,
        y: 300,
        seq: baton.seq + 1,
        at: t,
        from: 'bob',
      });
      assert.deepEqual(single(carol.take(), 'scroll'), scroll);
    });

    it('refuses control from the owner once the baton was given away', () => {
      const { h, alice, bob } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.give', to: 'bob' });
      alice.take();
      bob.take();
      h.send(ALICE, alice, { type: 'click', tab: MAIN_TAB, node: 1 });
      assertError(alice.take(), 'not-baton-holder', 'click');
      assert.deepEqual(bob.take(), []);
    });

    it('lets the holder pass the baton on', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.give', to: 'bob' });
      h.send(BOB, bob, { type: 'baton.give', to: 'carol' });
      const batons = only(alice.take(), 'baton');
      assert.deepEqual(
        batons.map((b) => [b.holder, b.epoch, b.from]),
        [
          ['bob', 2, 'alice'],
          ['carol', 3, 'bob'],
        ],
      );
      carol.take();
      h.send(CAROL, carol, { type: 'key', tab: MAIN_TAB, key: 'Tab' });
      assert.equal(single(alice.take(), 'key').from, 'carol');
    });

    it('refuses baton.give from a follower who does not hold it', () => {
      const { h, alice, bob } = threeInRoom();
      h.send(BOB, bob, { type: 'baton.give', to: 'bob' });
      assertError(bob.take(), 'not-baton-holder', 'baton.give');
      assert.deepEqual(alice.take(), []);
      assert.equal(h.room.batonState.holder, 'alice');
    });

    it('refuses baton.give to an unknown or disconnected participant', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.give', to: 'zed' });
      assertError(alice.take(), 'unknown-participant', 'baton.give');
      h.room.disconnect('carol', carol);
      bob.take();
      alice.take();
      h.send(ALICE, alice, { type: 'baton.give', to: 'carol' });
      assertError(alice.take(), 'unknown-participant', 'baton.give');
      assert.deepEqual(bob.take(), []);
      assert.deepEqual({ ...h.room.batonState }, { holder: 'alice', epoch: 1 });
    });

    it('refuses baton.take from a follower', () => {
      const { h, alice, bob } = threeInRoom();
      h.send(BOB, bob, { type: 'baton.take' });
      assertError(bob.take(), 'not-owner', 'baton.take');
      assert.deepEqual(alice.take(), []);
      assert.equal(h.room.batonState.holder, 'alice');
    });

    it('lets the owner take the baton back, bumping the epoch', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.give', to: 'bob' });
      for (const c of [alice, bob, carol]) c.take();
      const t = h.tick();
      h.send(ALICE, alice, { type: 'baton.take' });
      const baton = single(bob.take(), 'baton');
      assert.deepEqual(
        { holder: baton.holder, epoch: baton.epoch, from: baton.from, at: baton.at },
        { holder: 'alice', epoch: 3, from: 'alice', at: t },
      );
      assert.deepEqual({ ...h.room.batonState }, { holder: 'alice', epoch: 3 });
      h.send(BOB, bob, { type: 'scroll', tab: MAIN_TAB, x: 0, y: 0 });
      assertError(bob.take(), 'not-baton-holder', 'scroll');
    });

    it('ignores baton.take by the owner who already holds it', () => {
      const { h, alice, bob } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.take' });
      assert.deepEqual(alice.take(), []);
      assert.deepEqual(bob.take(), []);
      assert.equal(h.room.batonState.epoch, 1);
    });

    it('relays baton.request from a follower, and ignores it from the holder', () => {
      const { h, alice, bob } = threeInRoom();
      h.send(BOB, bob, { type: 'baton.request' });
      const request = single(alice.take(), 'baton.request');
      assert.equal(request.from, 'bob');
      assert.equal(request.tab, MAIN_TAB);
      bob.take();
      h.send(ALICE, alice, { type: 'baton.request' });
      assert.deepEqual(alice.take(), []);
      assert.deepEqual(bob.take(), []);
    });

    it('returns the baton to the tab owner when the holder disconnects', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.give', to: 'bob' });
      for (const c of [alice, bob, carol]) c.take();
      h.room.disconnect('bob', bob);
      const received = carol.take();
      assert.deepEqual(
        received.map((m) => m.type),
        ['left', 'baton'],
      );
      assert.equal(only(received, 'left')[0]?.participant, 'bob');
      const baton = only(received, 'baton')[0];
      assert.deepEqual([baton?.holder, baton?.epoch], ['alice', 3]);
      assert.deepEqual({ ...h.room.batonState }, { holder: 'alice', epoch: 3 });
      assert.equal(h.room.connectedCount, 2);
    });

    it('moves the tab and the baton to another connected owner when the tab owner leaves', () => {
      const { h, alice, bob } = threeInRoom();
      const dave = h.join(DAVE);
      dave.take();
      bob.take();
      h.room.disconnect('alice', alice);
      const received = bob.take();
      assert.deepEqual(
        received.map((m) => m.type),
        ['left', 'tab', 'baton'],
      );
      assert.equal(only(received, 'tab')[0]?.tab.owner, 'dave');
      assert.equal(only(received, 'baton')[0]?.holder, 'dave');
      assert.equal(h.room.tabOwner, 'dave');
      assert.equal(h.room.batonState.holder, 'dave');
      assert.deepEqual(
        dave.take().map((m) => m.type),
        ['left', 'tab', 'baton'],
      );

      h.send(DAVE, dave, { type: 'rec', tab: MAIN_TAB, events: [{ type: 4, timestamp: 1 }] });
      single(bob.take(), 'rec');
    });

    it('leaves the tab without an owner when no owner is left, and gives it back when one returns', () => {
      const { h, alice, bob } = threeInRoom();
      h.room.disconnect('alice', alice);
      const received = bob.take();
      assert.deepEqual(
        received.map((m) => m.type),
        ['left', 'tab', 'baton'],
      );
      assert.equal(only(received, 'tab')[0]?.tab.owner, null);
      assert.equal(only(received, 'tab')[0]?.from, 'server');
      assert.equal(only(received, 'baton')[0]?.holder, null);
      assert.equal(h.room.tabOwner, null);

      h.join(ALICE);
      const back = bob.take();
      assert.deepEqual(
        back.map((m) => m.type),
        ['joined', 'tab', 'baton'],
      );
      assert.equal(h.room.tabOwner, 'alice');
      assert.equal(h.room.batonState.holder, 'alice');
    });

    it('keeps the baton with a follower holder when the tab owner leaves', () => {
      const { h, alice, carol } = threeInRoom();
      h.send(ALICE, alice, { type: 'baton.give', to: 'bob' });
      carol.take();
      h.room.disconnect('alice', alice);
      assert.deepEqual(
        carol.take().map((m) => m.type),
        ['left', 'tab'],
      );
      assert.equal(h.room.batonState.holder, 'bob');
    });
  });

  describe('nav', () => {
    it('refuses an address that is not http or https with bad-url', () => {
      const { h, alice, bob } = threeInRoom();
      for (const url of [
        'javascript:alert(1)',
        'ftp://files.example/',
        'data:text/html,hi',
        'file:///etc/passwd',
      ]) {
        h.send(ALICE, alice, { type: 'nav', tab: MAIN_TAB, url });
        assertError(alice.take(), 'bad-url', 'nav');
      }
      assert.deepEqual(bob.take(), []);
    });

    it('relays a good address normalised', () => {
      const { h, alice, bob } = threeInRoom();
      const t = h.tick();
      h.send(ALICE, alice, { type: 'nav', tab: MAIN_TAB, url: '  example.com/docs?q=1 ' });
      const nav = single(bob.take(), 'nav');
      assert.deepEqual(nav, {
        type: 'nav',
        tab: MAIN_TAB,
        url: 'https://example.com/docs?q=1',
        seq: nav.seq,
        at: t,
        from: 'alice',
      });
      assert.deepEqual(single(alice.take(), 'nav'), nav);
    });
  });

  describe('resume', () => {
    it('gives a reconnecting connection its checkpoint, then only older missed chat on resume', () => {
      const { h, alice, bob, carol } = threeInRoom();
      h.send(ALICE, alice, { type: 'chat', text: 'seen' });
      const lastSeen = single(bob.take(), 'chat').seq;
      carol.take();

      h.room.disconnect('bob', bob);
      for (let i = 0; i < 203; i++) h.send(ALICE, alice, { type: 'chat', text: `missed ${i}` });
      h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [{ type: 4, timestamp: 1 }] });
      h.send(CAROL, carol, { type: 'baton.request' });
      const bob2 = h.join(BOB);
      const rejoined = bob2.take();
      const welcome = rejoined[0] as Of<'welcome'>;
      assert.equal(welcome.type, 'welcome');
      // State arrives as state, the last 200 chat lines and the recording as messages.
      assert.equal(only(rejoined, 'chat').length, 200);
      assert.equal(only(rejoined, 'chat')[0]?.text, 'missed 3');
      assert.equal(only(rejoined, 'rec').length, 1);

      alice.take();
      h.send(BOB, bob2, { type: 'resume', after: lastSeen });
      const filled = bob2.take();
      assert.deepEqual(
        filled.map((m) => (m as Of<'chat'>).text),
        ['missed 0', 'missed 1', 'missed 2'],
        'resume fills in exactly the chat lines the checkpoint did not carry',
      );
      assert.ok(filled.every((m) => isRelayed(m) && m.seq > lastSeen && m.seq <= welcome.seq));
      assert.deepEqual(alice.take(), [], 'a resume is answered to its sender only');
    });

    it('never replays recorder messages: the checkpoint already rebuilt the page', () => {
      const { h, alice, bob } = threeInRoom();
      h.send(ALICE, alice, { type: 'chat', text: 'before' });
      const after = single(bob.take(), 'chat').seq;
      h.room.disconnect('bob', bob);
      h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [{ type: 4, timestamp: 1 }] });
      h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [{ type: 3, timestamp: 2 }] });
      const bob2 = h.join(BOB);
      assert.equal(only(bob2.take(), 'rec').length, 2);
      h.send(BOB, bob2, { type: 'resume', after });
      assert.deepEqual(bob2.take(), []);
    });

    it('replays nothing when nothing was missed', () => {
      const { h, alice, bob } = threeInRoom();
      h.send(ALICE, alice, { type: 'chat', text: 'x' });
      const seq = single(bob.take(), 'chat').seq;
      h.send(BOB, bob, { type: 'resume', after: seq });
      assert.deepEqual(bob.take(), []);
    });

    it('still fills in missed chat after thousands of recorder messages: only chat lines count', function () {
      this.timeout(60_000);
      const { h, alice, bob } = threeInRoom();
      h.send(ALICE, alice, { type: 'chat', text: 'seen' });
      const after = single(bob.take(), 'chat').seq;
      h.room.disconnect('bob', bob);
      for (let i = 0; i < 250; i++) h.send(ALICE, alice, { type: 'chat', text: `missed ${i}` });
      for (let i = 0; i < 6000; i++) {
        h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [{ type: 3, timestamp: i }] });
      }
      const bob2 = h.join(BOB);
      bob2.take();
      h.send(BOB, bob2, { type: 'resume', after });
      const filled = bob2.take();
      assert.equal(filled[0]?.type, 'chat', 'missed chat, not a fresh checkpoint');
      assert.deepEqual(
        filled.map((m) => (m as Of<'chat'>).text),
        Array.from({ length: 50 }, (_, i) => `missed ${i}`),
      );
    });

    it('sends a fresh welcome checkpoint when the missed messages are no longer kept', function () {
      this.timeout(60_000);
      const { h, alice, bob, seq: seenByBob } = threeInRoom();
      h.room.disconnect('bob', bob);
      for (let i = 0; i < 5003; i++) h.send(ALICE, alice, { type: 'chat', text: `line ${i}` });

      const bob2 = h.join(BOB);
      const rejoined = bob2.take();
      assert.equal(rejoined[0]?.type, 'welcome');
      const lastSeq = (rejoined[0] as Of<'welcome'>).seq;
      assert.equal(lastSeq, seenByBob + 1 + 5003 + 1);

      // Still inside what is kept (exactly 5000 back): only the chat lines older than the checkpoint's 200.
      h.send(BOB, bob2, { type: 'resume', after: lastSeq - 5000 });
      const replay = bob2.take();
      assert.equal(replay.length, 4799, 'the 4999 chat lines after `after`, less the 200 in the checkpoint');
      assert.ok(replay.every((m) => m.type === 'chat'));
      assert.equal((replay[0] as Relayed).seq, lastSeq - 4999);

      // Older than what is kept: a checkpoint instead.
      h.send(BOB, bob2, { type: 'resume', after: seenByBob });
      const fresh = bob2.take();
      const welcome = fresh[0] as Of<'welcome'>;
      assert.equal(welcome.type, 'welcome');
      assert.equal(welcome.checkpoint, true);
      assert.equal(welcome.seq, lastSeq);
      assert.equal(welcome.you.id, 'bob');
      const chat = only(fresh, 'chat');
      assert.equal(fresh.length, 1 + chat.length);
      assert.equal(chat.length, 200);
      assert.equal(chat.at(-1)?.text, 'line 5002');
      assert.equal(chat[0]?.text, 'line 4803');
    });
  });

  describe('slow connections', () => {
    it('closes a connection with more than 32 MiB queued instead of sending to it', () => {
      const { h, alice, bob, carol } = threeInRoom();
      carol.bufferedAmount = 32 * MIB + 1;
      const sentBefore = carol.sent.length;
      h.send(ALICE, alice, { type: 'chat', text: 'hello' });
      assert.equal(carol.sent.length, sentBefore);
      assert.ok(carol.closes.length >= 1);
      assert.equal(carol.closes[0]?.code, 1013);
      assert.equal(typeof carol.closes[0]?.reason, 'string');
      assert.ok(h.warnings.length >= 1);
      single(bob.take(), 'chat');
      single(alice.take(), 'chat');
      assert.deepEqual(alice.closes, []);
    });

    it('still sends to a connection with exactly 32 MiB queued', () => {
      const { h, alice, carol } = threeInRoom();
      carol.bufferedAmount = 32 * MIB;
      h.send(ALICE, alice, { type: 'chat', text: 'hello' });
      single(carol.take(), 'chat');
      assert.deepEqual(carol.closes, []);
    });

    it('closes a slow connection rather than sending it a direct reply', () => {
      const { h, bob } = threeInRoom();
      bob.bufferedAmount = 64 * MIB;
      h.send(BOB, bob, { type: 'scroll', tab: MAIN_TAB, x: 0, y: 0 });
      assert.deepEqual(bob.take(), []);
      assert.equal(bob.closes[0]?.code, 1013);
    });
  });

  it('closeAll closes every connection with the given code and reason', () => {
    const { h, alice, bob, carol } = threeInRoom();
    h.room.closeAll(1001, 'server stopping');
    for (const c of [alice, bob, carol])
      assert.deepEqual(c.closes, [{ code: 1001, reason: 'server stopping' }]);
  });
});

describe('Room: several tabs', () => {
  const META = { type: 4, timestamp: 1, data: { href: START_URL, width: 800, height: 600 } };

  /** Alice (host) opens a second tab from the first; everyone's inbox emptied. */
  function twoTabs() {
    const room = threeInRoom();
    room.h.send(ALICE, room.alice, { type: 'tab.open', url: 'second.example/page' });
    for (const c of [room.alice, room.bob, room.carol]) c.take();
    return room;
  }

  it('opens a tab owned by the first tab’s owner, held by the opener, and makes it the active one', () => {
    const { h, alice, bob } = threeInRoom();
    h.send(ALICE, alice, { type: 'tab.open', url: 'second.example/page' });
    const [tab, focus] = bob.take();
    assert.equal(tab?.type, 'tab');
    assert.deepEqual((tab as Of<'tab'>).tab, {
      id: 't2',
      owner: 'alice',
      url: 'https://second.example/page',
      title: '',
      highlights: [],
      strokes: [],
      visited: [],
      baton: { holder: 'alice', epoch: 1 },
    });
    assert.deepEqual(
      { type: focus?.type, tab: (focus as Of<'tab.focus'>).tab },
      { type: 'tab.focus', tab: 't2' },
    );
    assert.deepEqual(h.room.tabIds, [MAIN_TAB, 't2']);
    assert.ok(h.room.isTabOwner('alice'));
  });

  it('lets only the tab’s baton holder or owner open a tab, and only to an http(s) address', () => {
    const { h, alice, bob } = threeInRoom();
    h.send(BOB, bob, { type: 'tab.open', url: 'second.example' });
    assertError(bob.take(), 'not-baton-holder', 'tab.open');
    h.send(ALICE, alice, { type: 'tab.open', url: 'javascript:alert(1)' });
    assertError(alice.take(), 'bad-url', 'tab.open');
    h.send(ALICE, alice, { type: 'baton.give', to: 'bob' });
    alice.take();
    bob.take();
    // The follower in control asks; the page still runs in the host's browser, and Bob holds it.
    h.send(BOB, bob, { type: 'tab.open', url: 'second.example' });
    const tab = only(bob.take(), 'tab')[0]?.tab;
    assert.equal(tab?.owner, 'alice');
    assert.equal(tab?.baton.holder, 'bob');
    assert.deepEqual(h.room.tabIds, [MAIN_TAB, 't2']);
  });

  it('keeps a baton and an epoch per tab: control of one tab does not reach another', () => {
    const { h, alice, bob } = twoTabs();
    h.send(ALICE, alice, { type: 'baton.give', to: 'bob', tab: 't2' });
    const baton = single(bob.take(), 'baton');
    alice.take();
    assert.deepEqual([baton.tab, baton.holder, baton.epoch], ['t2', 'bob', 2]);
    assert.equal(h.room.batonState.holder, 'alice', 'the first tab keeps its holder');
    assert.deepEqual(h.room.tabInfo('t2')?.baton, { holder: 'bob', epoch: 2 });

    h.send(BOB, bob, { type: 'scroll', tab: 't2', x: 0, y: 300, epoch: 2 });
    assert.equal(single(alice.take(), 'scroll').tab, 't2');
    bob.take();
    h.send(BOB, bob, { type: 'scroll', tab: MAIN_TAB, x: 0, y: 300 });
    assertError(bob.take(), 'not-baton-holder', 'scroll');
    // The first tab's epoch (1) is not the second's (2).
    h.send(BOB, bob, { type: 'click', tab: 't2', node: 3, epoch: 1 });
    assertError(bob.take(), 'stale-epoch', 'click');
    // A message without a tab means the first tab.
    h.send(ALICE, alice, { type: 'baton.give', to: 'carol' });
    assert.equal(single(alice.take(), 'baton').tab, MAIN_TAB);
    assert.equal(h.room.tabInfo('t2')?.baton.holder, 'bob');
  });

  it('takes recording and location of a tab only from that tab’s owner, and keeps annotations per tab', () => {
    const { h, alice, bob, carol } = twoTabs();
    h.send(ALICE, alice, { type: 'baton.give', to: 'bob', tab: 't2' });
    for (const c of [alice, bob, carol]) c.take();
    h.send(BOB, bob, { type: 'rec', tab: 't2', events: [META] });
    assertError(bob.take(), 'not-owner', 'rec');
    h.send(BOB, bob, { type: 'location', tab: 't2', url: 'https://x.example/', title: 'X' });
    assertError(bob.take(), 'not-owner', 'location');
    h.send(ALICE, alice, { type: 'location', tab: 't2', url: 'https://x.example/', title: 'X' });
    assert.equal(h.room.tabInfo('t2')?.url, 'https://x.example/');
    assert.equal(h.room.currentUrl, START_URL);

    h.send(CAROL, carol, { type: 'highlight', tab: 't2', node: 9 });
    assert.deepEqual(h.room.tabInfo('t2')?.highlights, [{ author: 'carol', node: 9 }]);
    assert.deepEqual(h.room.tabInfo(MAIN_TAB)?.highlights, []);
  });

  it('gives a late joiner every tab and the recording of each since its last full snapshot', () => {
    const { h, alice } = twoTabs();
    h.send(ALICE, alice, { type: 'rec', tab: MAIN_TAB, events: [META] });
    h.send(ALICE, alice, { type: 'rec', tab: 't2', events: [{ ...META, timestamp: 2 }] });
    h.send(ALICE, alice, { type: 'rec', tab: 't2', events: [{ type: 3, timestamp: 3 }] });
    const dave = h.join({ id: 'dave2', name: 'Dave', role: 'follower' });
    const received = dave.take();
    const welcome = single(received.slice(0, 1), 'welcome');
    assert.deepEqual(
      welcome.tabs.map((t) => [t.id, t.owner]),
      [
        [MAIN_TAB, 'alice'],
        ['t2', 'alice'],
      ],
    );
    assert.equal(welcome.activeTab, 't2');
    assert.deepEqual(
      only(received, 'rec').map((r) => [r.tab, r.events.length]),
      [
        [MAIN_TAB, 1],
        ['t2', 1],
        ['t2', 1],
      ],
    );
  });

  it('lets the tab’s owner or a host close a tab, never the last, and moves the active tab', () => {
    const { h, alice, bob } = twoTabs();
    h.send(BOB, bob, { type: 'tab.close', tab: 't2' });
    assertError(bob.take(), 'not-owner', 'tab.close');
    h.send(ALICE, alice, { type: 'tab.close', tab: 't2' });
    alice.take();
    assert.deepEqual(
      bob.take().map((m) => [m.type, 'tab' in m ? m.tab : null]),
      [
        ['tab.closed', 't2'],
        ['tab.focus', MAIN_TAB],
      ],
    );
    h.send(ALICE, alice, { type: 'scroll', tab: 't2', x: 0, y: 1 });
    assertError(alice.take(), 'unknown-tab', 'scroll');
    h.send(ALICE, alice, { type: 'tab.close', tab: MAIN_TAB });
    assertError(alice.take(), 'last-tab', 'tab.close');
  });

  it('moves a tab to another person’s browser when its owner or a host hands it over', () => {
    const { h, alice, bob, carol } = twoTabs();
    h.send(BOB, bob, { type: 'tab.give', tab: 't2', to: 'carol' });
    assertError(bob.take(), 'not-owner', 'tab.give');
    h.send(ALICE, alice, { type: 'tab.give', tab: 't2', to: 'nobody' });
    assertError(alice.take(), 'unknown-participant', 'tab.give');
    h.send(ALICE, alice, { type: 'tab.give', tab: 't2', to: 'bob' });
    const heard = carol.take();
    assert.deepEqual(
      heard.map((m) => [m.type, m.type === 'tab' ? m.tab.owner : m.type === 'baton' ? m.holder : null]),
      [
        ['tab', 'bob'],
        ['baton', 'bob'],
      ],
    );
    assert.equal(h.room.tabInfo(MAIN_TAB)?.owner, 'alice', 'the other tab stays where it was');
    // Bob runs the page now: his recording is taken, Alice's is refused.
    h.send(BOB, bob, { type: 'rec', tab: 't2', events: [{ ...META, timestamp: 5 }] });
    assert.equal(single(carol.take(), 'rec').from, 'bob');
    alice.take();
    h.send(ALICE, alice, { type: 'rec', tab: 't2', events: [{ ...META, timestamp: 6 }] });
    assertError(alice.take(), 'not-owner', 'rec');
    // The host can still move it on, even though the tab is no longer theirs.
    h.send(ALICE, alice, { type: 'tab.give', tab: 't2', to: 'alice' });
    assert.equal(h.room.tabInfo('t2')?.owner, 'alice');
  });

  it('files every event of a new tab under that tab in the journal', () => {
    const filed: Array<[string, string | null]> = [];
    const room = new Room('s1', {
      startUrl: START_URL,
      log: { warn() {} },
      journal: { append: (e) => filed.push([e.type, e.tab]), after: (deliver) => deliver() },
    });
    const alice = new FakeConnection('alice');
    room.connect(ALICE, alice);
    filed.length = 0;
    room.receive('alice', alice, { type: 'tab.open', url: 'https://second.example/' });
    room.receive('alice', alice, { type: 'location', tab: 't2', url: 'https://second.example/', title: 'S' });
    assert.deepEqual(filed, [
      ['tab', 't2'],
      ['tab.focus', 't2'],
      ['location', 't2'],
    ]);
  });

  it('lets the tab’s baton holder or a host choose the active tab', () => {
    const { h, alice, carol } = twoTabs();
    h.send(CAROL, carol, { type: 'tab.focus', tab: MAIN_TAB });
    assertError(carol.take(), 'not-baton-holder', 'tab.focus');
    h.send(ALICE, alice, { type: 'tab.focus', tab: MAIN_TAB });
    assert.equal(single(carol.take(), 'tab.focus').tab, MAIN_TAB);
  });

  it('hands every tab and baton the leaving owner had to the next host', () => {
    const { h, alice, bob } = twoTabs();
    const dave = h.join(DAVE);
    h.room.disconnect('alice', alice);
    assert.deepEqual(
      h.room.tabIds.map((id) => [h.room.tabInfo(id)?.owner, h.room.tabInfo(id)?.baton.holder]),
      [
        ['dave', 'dave'],
        ['dave', 'dave'],
      ],
    );
    assert.ok(bob.take().some((m) => m.type === 'tab' && m.tab.id === 't2'));
    assert.ok(dave.take().length > 0);
  });
});

describe('parseNavigableUrl', () => {
  const cases: Array<[string, string | null]> = [
    ['example.com', 'https://example.com/'],
    ['example.com/a/b?c=d#e', 'https://example.com/a/b?c=d#e'],
    ['  example.com  ', 'https://example.com/'],
    ['localhost:3000/x', 'http://localhost:3000/x'],
    ['localhost', 'http://localhost/'],
    ['app.localhost:5173', 'http://app.localhost:5173/'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['[::1]:3000/', 'http://[::1]:3000/'],
    ['http://example.com/path?q=1', 'http://example.com/path?q=1'],
    ['https://example.com', 'https://example.com/'],
    ['HTTPS://Example.COM/Path', 'https://example.com/Path'],
    ['javascript:alert(1)', null],
    ['javascript://%0aalert(1)', null],
    ['ftp://x', null],
    ['file:///etc/passwd', null],
    ['data:text/html,hi', null],
    ['about:blank', null],
    ['http://', null],
    ['a b', null],
    ['', null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected === null ? 'null' : expected}`, () => {
      assert.equal(parseNavigableUrl(input), expected);
    });
  }
});
