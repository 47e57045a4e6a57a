import assert from 'node:assert/strict';
import type { RelayedMessage } from '../session/protocol.js';
import {
  attendance,
  countUntil,
  marksOn,
  type RecordedEvent,
  RRWEB_FULL_SNAPSHOT,
  RRWEB_META,
  SceneCursor,
  TimeBase,
  Timeline,
  viewedTab,
} from '../viewer/replay/timeline.js';

const INCREMENTAL = 3;
const ev = (type: number, timestamp: number): RecordedEvent => ({ type, timestamp, data: {} });
const times = (events: RecordedEvent[]) => events.map((e) => e.timestamp);

/** Builds relayed messages in seq order, as the archive answers them. */
function session() {
  const out: RelayedMessage[] = [];
  let seq = 0;
  const add = (at: number, from: string, body: Record<string, unknown>) => {
    out.push({ ...body, seq: ++seq, at, from } as RelayedMessage);
  };
  return { out, add };
}

describe('replay time base: rrweb timestamps onto server time', () => {
  it('gives a segment the offset of its first record: its latest event lands on the record’s at', () => {
    const base = new TimeBase();
    // The owner's clock is 50 s behind the server's, and the batch was relayed 40 ms after its last event.
    const shifted = base.shift(100_040, [ev(RRWEB_META, 49_980), ev(RRWEB_FULL_SNAPSHOT, 50_000)]);
    assert.deepEqual(times(shifted), [100_020, 100_040]);
    // Later records keep that offset.
    assert.deepEqual(
      times(base.shift(101_500, [ev(INCREMENTAL, 51_000), ev(INCREMENTAL, 51_200)])),
      [101_040, 101_240],
    );
  });

  it('never places an event after the server relayed its record', () => {
    const base = new TimeBase();
    base.shift(10_300, [ev(RRWEB_META, 1_000)]); // offset 9 300: a slow first batch
    // This one was relayed quickly: unshifted clamping would put it 250 ms in the future.
    const shifted = base.shift(10_400, [ev(INCREMENTAL, 1_300), ev(INCREMENTAL, 1_350)]);
    assert.deepEqual(times(shifted), [10_400, 10_400]);
  });

  it('never goes back in time, even when the owner’s clock does', () => {
    const base = new TimeBase();
    base.shift(5_000, [ev(RRWEB_META, 500), ev(INCREMENTAL, 1_000)]); // offset 4 000
    const shifted = base.shift(6_000, [ev(INCREMENTAL, 900), ev(INCREMENTAL, 1_800)]);
    assert.deepEqual(times(shifted), [5_000, 5_800]);
  });

  it('starts a new segment with its own offset at each Meta event, also within a record', () => {
    const base = new TimeBase();
    base.shift(2_000, [ev(RRWEB_META, 1_000), ev(INCREMENTAL, 1_500)]); // offset 500
    // A reload, and the owner's clock has been corrected by an hour in between.
    const shifted = base.shift(9_000, [
      ev(INCREMENTAL, 1_600),
      ev(RRWEB_META, 3_605_000),
      ev(RRWEB_FULL_SNAPSHOT, 3_605_100),
    ]);
    // Offset 9 000 − 3 605 100 for the new segment; the event before its Meta keeps the old one.
    assert.deepEqual(times(shifted), [2_100, 8_900, 9_000]);
  });

  it('leaves the recorded events themselves untouched', () => {
    const original = [ev(RRWEB_META, 10)];
    new TimeBase().shift(1_000, original);
    assert.equal(original[0]?.timestamp, 10);
  });
});

describe('replay timeline: markers and state at a time', () => {
  const OWNER = 'olivia';
  const FELIX = 'felix';
  function recorded() {
    const { out, add } = session();
    add(1_000, OWNER, {
      type: 'joined',
      participant: { id: OWNER, name: 'Olivia', role: 'owner', connected: true },
    });
    // As an earlier build archived it: a tab without its own baton.
    add(1_001, 'server', {
      type: 'tab',
      tab: { id: 't1', owner: OWNER, url: null, title: '', highlights: [], strokes: [], visited: [] },
    });
    add(1_002, OWNER, { type: 'baton', tab: 't1', holder: OWNER, epoch: 1 });
    add(1_500, OWNER, {
      type: 'rec',
      tab: 't1',
      events: [ev(RRWEB_META, 400), ev(RRWEB_FULL_SNAPSHOT, 450)],
    });
    add(1_510, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/', title: 'Shop' });
    add(2_000, FELIX, {
      type: 'joined',
      participant: { id: FELIX, name: 'Felix', role: 'follower', connected: true },
    });
    add(3_000, FELIX, { type: 'chat', text: 'hello' });
    add(3_100, FELIX, { type: 'pointer', tab: 't1', node: 12, x: 0.5, y: 0.25 });
    add(3_200, FELIX, { type: 'highlight', tab: 't1', node: 20 });
    add(3_300, OWNER, { type: 'baton', tab: 't1', holder: FELIX, epoch: 2 });
    add(4_000, OWNER, { type: 'rec', tab: 't1', events: [ev(INCREMENTAL, 2_900)] });
    add(4_500, FELIX, { type: 'pointer.leave', tab: 't1' });
    add(5_000, OWNER, { type: 'chat', text: 'see the form' });
    add(5_500, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/form', title: 'Form' });
    add(6_000, FELIX, { type: 'left', participant: FELIX });
    add(6_500, OWNER, { type: 'baton', tab: 't1', holder: OWNER, epoch: 3 });
    return out;
  }

  it('answers each tab’s recording on server time, page by page', () => {
    const all = recorded();
    const whole = new Timeline();
    const once = whole.add(all).get('t1') ?? [];
    const paged = new Timeline();
    const inPages = [
      ...(paged.add(all.slice(0, 5)).get('t1') ?? []),
      ...(paged.add(all.slice(5)).get('t1') ?? []),
    ];
    assert.deepEqual(times(once), [1_450, 1_500, 3_950]);
    assert.deepEqual(inPages, once);
    assert.deepEqual(paged.recording('t1'), once, 'the whole recording is kept for a player made later');
    assert.equal(whole.firstFrameAt, 1_500);
    assert.equal(whole.lastAt, 6_500);
    assert.deepEqual(paged.markers, whole.markers);
  });

  it('marks navigation, chat, baton changes, control grants and highlights, and who came and went', () => {
    const t = new Timeline();
    t.add(recorded());
    assert.deepEqual(
      t.markers.map((m) => [m.at, m.kind, m.who, m.detail]),
      [
        [1_000, 'joined', OWNER, 'Olivia'],
        [1_002, 'baton', OWNER, ''],
        [1_510, 'location', OWNER, 'http://shop.example/'],
        [2_000, 'joined', FELIX, 'Felix'],
        [3_000, 'chat', FELIX, 'hello'],
        [3_200, 'highlight', FELIX, ''],
        [3_300, 'control', FELIX, ''],
        [5_000, 'chat', OWNER, 'see the form'],
        [5_500, 'location', OWNER, 'http://shop.example/form'],
        [6_000, 'left', FELIX, ''],
        [6_500, 'baton', OWNER, ''],
      ],
    );
    assert.equal(t.names.get(FELIX), 'Felix');
  });

  it('counts a page that reports itself again on load as one navigation', () => {
    const { out, add } = session();
    add(10, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/a', title: '' });
    add(20, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/a', title: 'A' });
    add(30, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/b', title: 'B' });
    add(40, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/a', title: 'A' });
    const t = new Timeline();
    t.add(out);
    assert.deepEqual(
      t.markers.map((m) => [m.at, m.detail]),
      [
        [10, 'http://shop.example/a'],
        [30, 'http://shop.example/b'],
        [40, 'http://shop.example/a'],
      ],
    );
  });

  it('shows the chat said by a time, that millisecond included', () => {
    const t = new Timeline();
    t.add(recorded());
    assert.deepEqual(t.chatUntil(2_999), []);
    assert.deepEqual(
      t.chatUntil(3_000).map((l) => l.text),
      ['hello'],
    );
    assert.deepEqual(
      t.chatUntil(99_999).map((l) => [l.from, l.text]),
      [
        [FELIX, 'hello'],
        [OWNER, 'see the form'],
      ],
    );
    assert.equal(countUntil([{ at: 1 }, { at: 2 }, { at: 2 }, { at: 3 }], 2), 3);
  });

  it('keeps who a private line went to', () => {
    const t = new Timeline();
    t.add([{ type: 'chat', seq: 1, at: 1_000, from: FELIX, text: 'just for you', to: [OWNER] }]);
    assert.deepEqual(
      t.chatUntil(1_000).map((l) => [l.text, l.to]),
      [['just for you', [OWNER]]],
    );
  });

  it('marks a question to the hosts, and keeps that a chat line was a question a host showed', () => {
    const t = new Timeline();
    t.add([
      { type: 'question', seq: 1, at: 1_000, from: FELIX, text: 'invoice?', name: 'Felix' },
      { type: 'chat', seq: 2, at: 2_000, from: FELIX, text: 'invoice?', question: 1, shownBy: OWNER },
      { type: 'question.dismissed', seq: 3, at: 3_000, from: OWNER, question: 1 },
    ]);
    assert.deepEqual(
      t.markers.map((m) => [m.kind, m.who, m.detail]),
      [
        ['question', FELIX, 'invoice?'],
        ['chat', FELIX, 'invoice?'],
      ],
    );
    assert.deepEqual(
      t.chatUntil(3_000).map((l) => [l.text, l.question]),
      [['invoice?', true]],
    );
  });

  it('knows what is pointed at and highlighted at any time, forwards and after seeking back', () => {
    const t = new Timeline();
    t.add(recorded());
    const cursor = new SceneCursor(t.sceneMessages);
    const marks = (time: number) => {
      const scene = cursor.at(time);
      const tab = viewedTab(scene, null);
      assert.ok(tab);
      return marksOn(scene, tab);
    };
    const at = (time: number) => {
      const m = marks(time);
      return { pointers: [...m.pointers], highlights: m.highlights.map((h) => [h.author, h.node]) };
    };
    assert.deepEqual(at(3_050), { pointers: [], highlights: [] });
    assert.deepEqual(at(3_250), {
      pointers: [[FELIX, { node: 12, x: 0.5, y: 0.25 }]],
      highlights: [[FELIX, 20]],
    });
    assert.deepEqual(at(4_600), { pointers: [], highlights: [[FELIX, 20]] }, 'the pointer left');
    assert.deepEqual(at(5_600), { pointers: [], highlights: [] }, 'a new page drops highlights');
    assert.deepEqual(
      at(3_150),
      { pointers: [[FELIX, { node: 12, x: 0.5, y: 0.25 }]], highlights: [] },
      'back',
    );
    assert.equal(cursor.at(3_150), cursor.at(3_160), 'an unchanged scene is the same object');
  });

  it('clears one author’s highlight, or everyone’s, and ignores other tabs', () => {
    const { out, add } = session();
    add(10, 'a', { type: 'highlight', tab: 't1', node: 1 });
    add(11, 'b', { type: 'highlight', tab: 't1', node: 2 });
    add(12, 'c', { type: 'highlight', tab: 't2', node: 3 });
    add(13, 'a', { type: 'highlight.clear', tab: 't1' });
    add(14, 'b', { type: 'highlight', tab: 't1', node: 4 });
    add(15, 'a', { type: 'highlight.clear', tab: 't1', all: true });
    const t = new Timeline();
    t.add(out);
    const cursor = new SceneCursor(t.sceneMessages);
    const nodes = (time: number) => cursor.at(time).tabs[0]?.highlights.map((h) => h.node);
    assert.deepEqual(nodes(12), [1, 2]);
    assert.deepEqual(nodes(13), [2]);
    assert.deepEqual(nodes(14), [4], 'an author has one highlight at a time');
    assert.deepEqual(nodes(15), []);
  });

  it('follows the tab in use as tabs open, get the focus and close; a pinned tab is shown while open', () => {
    const { out, add } = session();
    const tab = (id: string, url: string) => ({
      id,
      owner: OWNER,
      url,
      title: '',
      highlights: [],
      strokes: [],
      visited: [],
      baton: { holder: OWNER, epoch: 1 },
    });
    add(10, 'server', { type: 'tab', tab: tab('t1', 'http://shop.example/') });
    add(20, OWNER, { type: 'rec', tab: 't1', events: [ev(RRWEB_META, 5), ev(RRWEB_FULL_SNAPSHOT, 6)] });
    add(30, FELIX, { type: 'pointer', tab: 't1', node: 3, x: 0.5, y: 0.5 });
    add(40, OWNER, { type: 'tab', tab: tab('t2', 'http://shop.example/form') });
    add(40, OWNER, { type: 'tab.focus', tab: 't2' });
    add(50, OWNER, { type: 'rec', tab: 't2', events: [ev(RRWEB_META, 45), ev(RRWEB_FULL_SNAPSHOT, 46)] });
    add(60, OWNER, { type: 'tab.focus', tab: 't1' });
    add(70, OWNER, { type: 'tab.closed', tab: 't2' });
    const t = new Timeline();
    const recorded = t.add(out);
    assert.deepEqual([...recorded.keys()], ['t1', 't2'], 'each tab’s recording on its own');
    assert.deepEqual(
      [...t.firstFrames],
      [
        ['t1', 20],
        ['t2', 50],
      ],
    );
    const cursor = new SceneCursor(t.sceneMessages);
    const shown = (time: number, pinned: string | null = null) => viewedTab(cursor.at(time), pinned)?.id;
    assert.deepEqual(
      [35, 45, 65, 75].map((time) => shown(time)),
      ['t1', 't2', 't1', 't1'],
    );
    assert.equal(shown(65, 't2'), 't2', 'pinned');
    assert.equal(shown(75, 't2'), 't1', 'a pinned tab that closed gives way to the tab in use');
    const scene = cursor.at(45);
    assert.deepEqual(
      scene.tabs.map((x) => x.id),
      ['t1', 't2'],
    );
    assert.equal(marksOn(scene, scene.tabs[0] as never).pointers.size, 1, 'Felix points at the first tab');
    assert.equal(marksOn(scene, scene.tabs[1] as never).pointers.size, 0, 'not at the second');
    assert.deepEqual(
      t.markers.filter((m) => m.kind === 'tab').map((m) => [m.at, m.detail]),
      [
        [40, 'http://shop.example/form'],
        [60, 'http://shop.example/'],
      ],
    );
  });

  it('draws strokes as they grow, until a new page or a clear', () => {
    const { out, add } = session();
    const stroke = (points: Array<[number, number]>, done: boolean) => ({
      type: 'stroke',
      tab: 't1',
      id: 7,
      node: 12,
      shape: 'free',
      points,
      done,
    });
    add(10, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/', title: 'Shop' });
    add(20, FELIX, stroke([[0, 0]], false));
    add(
      30,
      FELIX,
      stroke(
        [
          [0, 0],
          [10, 5],
        ],
        true,
      ),
    );
    add(40, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/', title: 'Shop!' });
    add(50, OWNER, { type: 'location', tab: 't1', url: 'http://shop.example/form', title: 'Form' });
    add(60, FELIX, stroke([[1, 1]], true));
    add(70, OWNER, { type: 'stroke.clear', tab: 't1', all: true });
    const t = new Timeline();
    t.add(out);
    const cursor = new SceneCursor(t.sceneMessages);
    const strokes = (time: number) =>
      cursor.at(time).tabs[0]?.strokes.map((x) => [x.author, x.points.length, x.done]);
    assert.deepEqual(strokes(15), []);
    assert.deepEqual(strokes(25), [[FELIX, 1, false]]);
    assert.deepEqual(strokes(45), [[FELIX, 2, true]], 'the same page reported again keeps it');
    assert.deepEqual(strokes(55), [], 'a new page drops it');
    assert.deepEqual(strokes(65), [[FELIX, 1, true]]);
    assert.deepEqual(strokes(75), []);
    assert.deepEqual(strokes(35), [[FELIX, 2, true]], 'after seeking back');
  });

  it('tells who was present from when to when, in order of arrival, and who never connected', () => {
    const t = new Timeline();
    const { out, add } = session();
    add(1_000, 'o', {
      type: 'joined',
      participant: { id: 'o', name: 'Olivia', role: 'owner', connected: true },
    });
    add(2_000, 'f', {
      type: 'joined',
      participant: { id: 'f', name: 'Felix', role: 'follower', connected: true },
    });
    add(3_000, 'f', { type: 'left', participant: 'f' });
    add(4_000, 'f', {
      type: 'joined',
      participant: { id: 'f', name: 'Felix', role: 'follower', connected: true },
    });
    add(4_001, 'f', {
      type: 'joined',
      participant: { id: 'f', name: 'Felix', role: 'follower', connected: true },
    });
    add(5_000, 'o', { type: 'left', participant: 'o' });
    t.add(out);
    const people = attendance(t.markers, [
      { id: 'n', name: 'Nina', role: 'follower' },
      { id: 'f', name: 'Felix', role: 'follower' },
      { id: 'o', name: 'Olivia', role: 'owner' },
    ]);
    assert.deepEqual(
      people.map((p) => [p.name, p.role, p.spans]),
      [
        ['Olivia', 'owner', [{ from: 1_000, to: 5_000 }]],
        [
          'Felix',
          'follower',
          [
            { from: 2_000, to: 3_000 },
            { from: 4_000, to: null },
          ],
        ],
        ['Nina', 'follower', []],
      ],
    );
  });
});
