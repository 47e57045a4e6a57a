import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Archive } from '../archive/archive.js';
import { Capture } from '../archive/capture.js';
import { chainHash, GENESIS } from '../archive/chain.js';
import { Journal } from '../archive/journal.js';
import { TAB_STATE_TYPES } from '../session/tab-state.js';
import { diskBlobs, hashBody, memoryBlobs } from '../store/blobs.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { ArchivedEvent, ArchiveStore, ServedResponse, Store } from '../store/types.js';

type FullStore = Store & ArchiveStore;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function newStore(dir: string | ':memory:' = ':memory:', sessions = ['s1', 's2']): Promise<FullStore> {
  const store = openSqliteStore(dir);
  await store.ensureTenant({ id: 't1', name: 'Tenant one' });
  for (const id of sessions) {
    if (await store.getSession(id)) continue;
    await store.createSession({
      id,
      tenantId: 't1',
      createdAt: 1000,
      startUrl: null,
      batonPolicy: 'support',
      hostKeyHash: 'h',
      joinKeyHash: 'j',
    });
  }
  return store;
}

/** An event as a room appends it: the body is the relayed text, the columns copied from it. */
function event(sessionId: string, seq: number, text = `line ${seq}`): Omit<ArchivedEvent, 'hash'> {
  const at = 1_700_000_000_000 + seq;
  return {
    sessionId,
    seq,
    at,
    actor: 'p1',
    tab: null,
    type: 'chat',
    body: JSON.stringify({ type: 'chat', seq, at, from: 'p1', text }),
  };
}

/**
 * The store with its appendEvents counted, optionally held until `release()` (a write in flight)
 * and optionally failing.
 */
function instrumented(store: FullStore) {
  const calls: number[] = [];
  let gate: Promise<void> | null = null;
  let open: () => void = () => {};
  const control = {
    calls,
    /** Whether a write of these events fails. */
    fails: (_events: readonly ArchivedEvent[]) => false,
    hold() {
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = null;
      open();
    },
  };
  const wrapped: FullStore = {
    ...store,
    async appendEvents(events) {
      calls.push(events.length);
      if (gate) await gate;
      if (control.fails(events)) throw new Error('disk full');
      return store.appendEvents(events);
    },
  };
  return { store: wrapped, control };
}

const silent = { error() {} };

async function allEvents(store: FullStore, sessionId: string): Promise<ArchivedEvent[]> {
  return store.events('t1', sessionId, 0, 10_000);
}

describe('archive journal: group commit and delivery after commit', () => {
  let store: FullStore;
  beforeEach(async () => {
    store = await newStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('writes the events appended in one turn in one transaction, and those appended during a write in the next', async () => {
    const { store: counted, control } = instrumented(store);
    const journal = new Journal(counted, silent);
    await journal.open('s1');
    await journal.open('s2');
    for (let seq = 1; seq <= 10; seq++) journal.append(event(seq % 2 ? 's1' : 's2', Math.ceil(seq / 2)));
    await journal.drain();
    assert.deepEqual(control.calls, [10], 'one transaction for one turn, across sessions');

    control.hold();
    journal.append(event('s1', 6));
    journal.append(event('s1', 7));
    await turn();
    assert.deepEqual(control.calls, [10, 2], 'the write has started');
    journal.append(event('s1', 8));
    await turn();
    journal.append(event('s1', 9));
    journal.append(event('s2', 6));
    await turn();
    assert.deepEqual(control.calls, [10, 2], 'nothing else is written while a write is in flight');
    control.release();
    await journal.drain();
    assert.deepEqual(control.calls, [10, 2, 3], 'what arrived meanwhile shares the next commit');
    assert.deepEqual(
      (await allEvents(store, 's1')).map((e) => e.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  it('chains every event to the one before it in its session', async () => {
    const journal = new Journal(store, silent);
    await journal.open('s1');
    await journal.open('s2');
    for (let seq = 1; seq <= 3; seq++) {
      journal.append(event('s1', seq));
      journal.append(event('s2', seq));
    }
    await journal.drain();
    for (const id of ['s1', 's2']) {
      let previous = GENESIS;
      for (const e of await allEvents(store, id)) {
        assert.equal(e.hash, chainHash(previous, id, e.body));
        previous = e.hash;
      }
    }
  });

  it('runs `after` callbacks only once what is ahead of them is committed, in the order registered', async () => {
    const { store: counted, control } = instrumented(store);
    const journal = new Journal(counted, silent);
    await journal.open('s1');
    const ran: Array<{ name: string; committed: Promise<number | undefined> }> = [];
    // The SQLite adapter reads synchronously, so this captures what is committed at that moment.
    const deliver = (name: string) => () =>
      ran.push({ name, committed: store.lastEvent('s1').then((e) => e?.seq) });

    journal.after(deliver('idle'));
    assert.deepEqual(
      ran.map((r) => r.name),
      ['idle'],
      'with nothing waiting, a delivery is immediate',
    );

    control.hold();
    journal.append(event('s1', 1));
    journal.after(deliver('A'));
    journal.after(deliver('B'));
    await turn();
    assert.equal(control.calls.length, 1, 'the write of seq 1 is in flight');
    journal.after(deliver('C (registered during the write)'));
    journal.append(event('s1', 2));
    journal.after(deliver('D'));
    await turn();
    assert.deepEqual(
      ran.map((r) => r.name),
      ['idle'],
      'nothing is delivered before its commit',
    );

    control.release();
    await journal.drain();
    assert.deepEqual(
      ran.map((r) => r.name),
      ['idle', 'A', 'B', 'C (registered during the write)', 'D'],
    );
    const committed = await Promise.all(ran.map((r) => r.committed));
    assert.deepEqual(committed, [undefined, 1, 1, 1, 2]);
  });

  it('seals a session on close: its end time and final hash are the last event’s, and it takes no more', async () => {
    const journal = new Journal(store, silent, () => 4242);
    await journal.open('s1');
    for (let seq = 1; seq <= 3; seq++) journal.append(event('s1', seq));
    const delivered: string[] = [];
    journal.close('s1');
    journal.after(() => delivered.push('after close'));
    await journal.drain();
    assert.deepEqual(delivered, ['after close']);
    const last = await store.lastEvent('s1');
    const summary = await store.archivedSession('t1', 's1');
    assert.equal(summary?.endedAt, 4242);
    assert.equal(summary?.finalHash, last?.hash);
    assert.equal(summary?.lastSeq, 3);

    journal.append(event('s1', 4));
    await journal.drain();
    assert.equal((await store.lastEvent('s1'))?.seq, 3, 'a closed session appends nothing');
    const archive = new Archive(store, memoryBlobs(), 'http://localhost:8080');
    assert.deepEqual(await archive.verify('t1', 's1'), { intact: true, records: 3, lastHash: last?.hash });

    const reopened = await journal.open('s1');
    assert.equal(reopened.lastSeq, 3);
    const live = await store.archivedSession('t1', 's1');
    assert.equal(live?.endedAt, null, 'open again: live, no end, no final hash');
    assert.equal(live?.finalHash, null);
  });

  it('seals an empty session with the genesis hash', async () => {
    const journal = new Journal(store, silent, () => 7);
    await journal.open('s1');
    journal.close('s1');
    await journal.drain();
    const summary = await store.archivedSession('t1', 's1');
    assert.equal(summary?.endedAt, 7);
    assert.equal(summary?.finalHash, GENESIS);
  });

  it('gives a reopened session the events its tabs are made of, exactly those, in seq order', async () => {
    const store = await newStore();
    const journal = new Journal(store, silent);
    await journal.open('s1');
    const types = [...TAB_STATE_TYPES, 'rec', 'pointer', 'chat', 'joined', 'scroll', 'tab.open'];
    types.forEach((type, i) => {
      const seq = i + 1;
      journal.append({ ...event('s1', seq), type, body: JSON.stringify({ type, seq }) });
    });
    await journal.drain();
    const reopened = await new Journal(store, silent).open('s1');
    assert.deepEqual(
      reopened.tabEvents.map((body) => JSON.parse(body).type),
      [...TAB_STATE_TYPES],
    );
    await store.close();
  });

  it('continues seq and chain from the file after the store is reopened', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-journal-'));
    try {
      const first = await newStore(dir);
      const j1 = new Journal(first, silent);
      assert.deepEqual(await j1.open('s1'), { lastSeq: 0, chat: [], tabEvents: [] });
      for (let seq = 1; seq <= 3; seq++) j1.append(event('s1', seq));
      await j1.drain();
      const head = (await first.lastEvent('s1'))?.hash as string;
      await first.close();

      const second = await newStore(dir);
      try {
        const j2 = new Journal(second, silent);
        const resumed = await j2.open('s1');
        assert.equal(resumed.lastSeq, 3);
        assert.deepEqual(
          resumed.chat.map((c) => c.seq),
          [1, 2, 3],
        );
        assert.equal(resumed.chat[2]?.body, event('s1', 3).body, 'recent chat as participants received it');
        const next = event('s1', 4);
        j2.append(next);
        await j2.drain();
        assert.equal((await second.lastEvent('s1'))?.hash, chainHash(head, 's1', next.body));
        const archive = new Archive(second, memoryBlobs(), 'http://localhost:8080');
        const verdict = await archive.verify('t1', 's1');
        assert.equal(verdict?.intact, true);
        assert.equal(verdict?.records, 4);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the last 200 chat lines for the room, oldest first, whatever else was said', async () => {
    const journal = new Journal(store, silent);
    await journal.open('s1');
    for (let seq = 1; seq <= 260; seq++) {
      const e = event('s1', seq);
      if (seq % 2 === 0) {
        const body = JSON.stringify({ type: 'typing', seq, at: e.at, from: 'p1', active: true });
        journal.append({ ...e, type: 'typing', body });
      } else journal.append(e);
    }
    await journal.drain();
    const resumed = await new Journal(store, silent).open('s1');
    assert.equal(resumed.lastSeq, 260);
    assert.equal(resumed.chat.length, 130);
    const fresh = await newStore(':memory:');
    try {
      const j = new Journal(fresh, silent);
      await j.open('s1');
      for (let seq = 1; seq <= 250; seq++) j.append(event('s1', seq));
      await j.drain();
      const chat = (await new Journal(fresh, silent).open('s1')).chat.map((c) => c.seq);
      assert.equal(chat.length, 200);
      assert.equal(chat[0], 51);
      assert.equal(chat.at(-1), 250);
    } finally {
      await fresh.close();
    }
  });

  describe('when a commit fails', () => {
    it('never runs that batch’s deliveries, tells the listeners, and ignores the session until it is opened again', async () => {
      const { store: counted, control } = instrumented(store);
      const errors: object[] = [];
      const journal = new Journal(counted, { error: (fields) => errors.push(fields) });
      const failed: string[] = [];
      journal.onFailure((id) => failed.push(id));
      journal.onFailure((id) => failed.push(`second listener: ${id}`));
      await journal.open('s1');
      await journal.open('s2');
      // Recorded, not thrown: the journal would catch a throw from a delivery.
      const lost: string[] = [];
      journal.append(event('s1', 1));
      journal.after(() => lost.push('s1 seq 1'));
      journal.append(event('s2', 1));
      journal.after(() => lost.push('s2 seq 1'));
      control.fails = () => true;
      await journal.drain();
      assert.deepEqual(lost, [], 'the deliveries of lost events never ran');
      assert.deepEqual(failed.sort(), ['s1', 's2', 'second listener: s1', 'second listener: s2']);
      assert.equal(errors.length, 1);
      assert.equal(await store.lastEvent('s1'), undefined);

      control.fails = () => false;
      const calls = control.calls.length;
      journal.append(event('s1', 2));
      journal.append(event('s2', 2));
      await journal.drain();
      assert.equal(control.calls.length, calls, 'nothing of a failed session is written');
      assert.equal(await store.lastEvent('s1'), undefined);

      const reopened = await journal.open('s1');
      assert.equal(reopened.lastSeq, 0, 'the lost events left no trace');
      journal.append(event('s1', 1, 'again'));
      let delivered = false;
      journal.after(() => {
        delivered = true;
      });
      await journal.drain();
      assert.equal(delivered, true);
      assert.deepEqual(
        (await allEvents(store, 's1')).map((e) => e.body),
        [event('s1', 1, 'again').body],
      );
      assert.equal(await store.lastEvent('s2'), undefined, 's2 stays shut until opened');
      const archive = new Archive(store, memoryBlobs(), 'http://localhost:8080');
      assert.equal((await archive.verify('t1', 's1'))?.intact, true, 'the chain restarts from genesis');
    });

    // Commits are shared by every room of the node, so one session's bad row (here: its session was
    // deleted while its room was live, as a retention sweep or an operator may do) must not lose
    // the other sessions' events in the same transaction.
    it('fails only the session whose events cannot be written, not the others in the same commit', async () => {
      const journal = new Journal(store, silent);
      const failed: string[] = [];
      journal.onFailure((id) => failed.push(id));
      await journal.open('s1');
      await journal.open('s2');
      assert.ok(await store.deleteSession('t1', 's1', 'deleted while live', 1));
      const delivered: string[] = [];
      journal.append(event('s1', 1));
      journal.after(() => delivered.push('s1 seq 1'));
      journal.append(event('s2', 1));
      journal.after(() => delivered.push('s2 seq 1'));
      await journal.drain();
      assert.deepEqual(failed, ['s1']);
      assert.deepEqual(
        (await allEvents(store, 's2')).map((e) => e.seq),
        [1],
        's2’s event is archived',
      );
      journal.append(event('s2', 2));
      journal.after(() => delivered.push('s2 seq 2'));
      await journal.drain();
      assert.ok(delivered.includes('s2 seq 2'), 's2 keeps going');
      assert.equal((await store.lastEvent('s2'))?.seq, 2);
    });

    it('drops the events a failed session appended during the failed write, and keeps the other sessions’', async () => {
      const { store: counted, control } = instrumented(store);
      const journal = new Journal(counted, silent);
      const failed: string[] = [];
      journal.onFailure((id) => failed.push(id));
      await journal.open('s1');
      await journal.open('s2');
      control.fails = (events) => events.some((e) => e.sessionId === 's1');
      control.hold();
      journal.append(event('s1', 1));
      await turn();
      journal.append(event('s1', 2));
      journal.append(event('s2', 1));
      const delivered: string[] = [];
      journal.after(() => delivered.push('s2 seq 1'));
      control.release();
      await journal.drain();
      assert.deepEqual(failed, ['s1']);
      assert.deepEqual(await allEvents(store, 's1'), []);
      assert.deepEqual(
        (await allEvents(store, 's2')).map((e) => e.seq),
        [1],
      );
      assert.deepEqual(delivered, ['s2 seq 1']);
    });
  });

  // A delivery writes to sockets; if one throws, the events were still committed.
  it('treats a delivery that throws as the delivery’s problem, not as a failed commit', async () => {
    const journal = new Journal(store, silent);
    const failed: string[] = [];
    journal.onFailure((id) => failed.push(id));
    await journal.open('s1');
    const delivered: number[] = [];
    journal.append(event('s1', 1));
    journal.after(() => {
      throw new Error('socket went away');
    });
    journal.after(() => delivered.push(1));
    await journal.drain();
    journal.append(event('s1', 2));
    journal.after(() => delivered.push(2));
    await journal.drain();
    assert.deepEqual(failed, [], 'no session is reported as not saved');
    assert.deepEqual(delivered, [1, 2], 'the other deliveries still run, and the session keeps appending');
    assert.equal((await store.lastEvent('s1'))?.seq, 2);
  });

  it('drain() resolves at once when idle, and otherwise only when everything so far is committed', async () => {
    const { store: counted, control } = instrumented(store);
    const journal = new Journal(counted, silent);
    await journal.drain();
    await journal.open('s1');
    control.hold();
    journal.append(event('s1', 1));
    let drained = false;
    const drain = journal.drain().then(() => {
      drained = true;
    });
    await turn();
    journal.append(event('s1', 2));
    journal.close('s1');
    await turn();
    await turn();
    assert.equal(drained, false);
    control.release();
    await drain;
    assert.equal(
      (await store.lastEvent('s1'))?.seq,
      2,
      'what was appended after drain() was asked is in too',
    );
    assert.notEqual((await store.archivedSession('t1', 's1'))?.finalHash, null, 'and the close');
  });

  // Rooms drop an idle session (journal.close) on a timer; a participant can come back in the same
  // event-loop turn, before the close is committed, and the room is opened again (journal.open).
  it('a session opened again while its last events are being written gets them in its chat and tabs', async () => {
    const { store: held, control } = instrumented(store);
    const journal = new Journal(held, silent);
    await journal.open('s1');
    control.hold();
    journal.append(event('s1', 1, 'said just before the room was dropped'));
    journal.append({
      ...event('s1', 2),
      type: 'tab.focus',
      body: JSON.stringify({ type: 'tab.focus', seq: 2 }),
    });
    journal.close('s1');
    await turn();
    const reopening = journal.open('s1');
    control.release();
    const reopened = await reopening;
    assert.deepEqual(
      reopened.chat.map((c) => JSON.parse(c.body).text),
      ['said just before the room was dropped'],
    );
    assert.deepEqual(
      reopened.tabEvents.map((b) => JSON.parse(b).type),
      ['tab.focus'],
    );
    assert.equal(reopened.lastSeq, 2);
  });

  it('reopens a session while another keeps appending, without waiting for the other to stop', async () => {
    // Each write takes a turn, as the writer thread's do: more is always appended meanwhile.
    const slow: FullStore = {
      ...store,
      async appendEvents(events) {
        await turn();
        await turn();
        return store.appendEvents(events);
      },
    };
    const journal = new Journal(slow, silent);
    await journal.open('s1');
    await journal.open('s2');
    journal.append(event('s1', 1));
    journal.close('s1');
    let seq = 0;
    let busy = true;
    const other = (async () => {
      while (busy) {
        journal.append(event('s2', ++seq));
        await turn();
      }
    })();
    const reopened = await journal.open('s1');
    busy = false;
    await other;
    assert.deepEqual(
      reopened.chat.map((c) => JSON.parse(c.body).seq),
      [1],
    );
    await journal.drain();
  });

  it('a session opened again before its close is committed stays open and keeps its chain', async () => {
    const journal = new Journal(store, silent, () => 99);
    await journal.open('s1');
    journal.append(event('s1', 1));
    await journal.drain();
    journal.close('s1');
    const reopened = await journal.open('s1');
    assert.equal(reopened.lastSeq, 1);
    await turn();
    journal.append(event('s1', 2));
    await journal.drain();
    assert.deepEqual(
      (await allEvents(store, 's1')).map((e) => e.seq),
      [1, 2],
      'the event after the reopening is archived',
    );
    const summary = await store.archivedSession('t1', 's1');
    assert.equal(summary?.endedAt, null, 'the live session is not marked ended');
  });
});

describe('archive capture: served responses kept by content hash', () => {
  let dir: string;
  let store: FullStore;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-capture-'));
    store = await newStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const served = (sessionId: string, p: string, body: string, status = 200): ServedResponse => ({
    sessionId,
    label: 'mfrggzdfmztwq2lknnwg23tpoa',
    path: p,
    url: `https://shop.example${p}`,
    status,
    headers: { 'content-type': 'image/svg+xml' },
    body: Buffer.from(body),
  });

  const blobFiles = () =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
      : [];

  it('indexes rows behind, after drain(), once per identical response per session, bodies once on disk', async () => {
    const capture = new Capture(store, diskBlobs(dir), silent, () => 555);
    const logo = '<svg xmlns="http://www.w3.org/2000/svg"/>';
    capture.record(served('s1', '/img/logo.svg', logo));
    capture.record(served('s1', '/img/logo.svg', logo));
    capture.record(served('s1', '/img/logo.svg?v=2', logo));
    capture.record(served('s1', '/img/logo.svg', logo, 203));
    assert.deepEqual(await store.captures('t1', 's1'), [], 'rows are written behind');
    await capture.drain();
    // Rows are ordered by time only, and these share one.
    const rows = (await store.captures('t1', 's1')).sort((x, y) =>
      `${x.path} ${x.status}`.localeCompare(`${y.path} ${y.status}`),
    );
    assert.deepEqual(
      rows.map((r) => [r.path, r.status]),
      [
        ['/img/logo.svg', 200],
        ['/img/logo.svg', 203],
        ['/img/logo.svg?v=2', 200],
      ],
    );
    assert.equal(rows[0]?.hash, hashBody(Buffer.from(logo)));
    assert.equal(rows[0]?.size, Buffer.byteLength(logo));
    assert.equal(rows[0]?.at, 555);
    assert.deepEqual(rows[0]?.headers, { 'content-type': 'image/svg+xml' });

    capture.record(served('s2', '/img/logo.svg', logo));
    capture.record(served('s1', '/img/logo.svg', `${logo} `));
    await capture.drain();
    assert.equal((await store.captures('t1', 's2')).length, 1, 'the same bytes in another session');
    assert.equal((await store.captures('t1', 's1')).length, 4, 'new bytes at the same path');
    const files = blobFiles();
    assert.equal(files.length, 2, 'one file per distinct body, shared across sessions');
    const stored = diskBlobs(dir).get(hashBody(Buffer.from(logo)));
    assert.equal(stored?.toString(), logo);
    const latest = await store.capture('t1', 's1', 'mfrggzdfmztwq2lknnwg23tpoa', '/img/logo.svg');
    assert.ok(latest);
  });

  it('logs and skips a response whose body cannot be kept', async () => {
    const errors: object[] = [];
    const broken = { ...memoryBlobs(), store: async () => assert.fail('no space') } as ReturnType<
      typeof memoryBlobs
    >;
    const capture = new Capture(store, broken, { error: (f) => errors.push(f) });
    capture.record(served('s1', '/x', 'x'));
    await capture.drain();
    assert.equal(errors.length, 1);
    assert.deepEqual(await store.captures('t1', 's1'), []);
  });
});
