import assert from 'node:assert/strict';
import { History, type HistoryEntry } from '../session/history.js';

const entry = (seq: number, type = 'chat', skip: string | null = null): HistoryEntry => ({
  seq,
  type,
  skip,
  only: null,
  forOne: null,
  text: `{"seq":${seq}}`,
});

function filled(capacity: number, count: number, typeOf: (seq: number) => string = () => 'chat'): History {
  const history = new History(capacity);
  for (let seq = 1; seq <= count; seq++) history.push(entry(seq, typeOf(seq)));
  return history;
}

const seqs = (entries: HistoryEntry[] | null) => entries?.map((e) => e.seq) ?? null;

describe('History', () => {
  describe('since()', () => {
    it('returns nothing from an empty history', () => {
      assert.deepEqual(new History(10).since(0), []);
    });

    it('returns the entries after the given seq, oldest first', () => {
      const history = filled(10, 6);
      assert.deepEqual(seqs(history.since(3)), [4, 5, 6]);
      assert.deepEqual(seqs(history.since(0)), [1, 2, 3, 4, 5, 6]);
    });

    it('returns an empty list when the caller has seen everything', () => {
      const history = filled(10, 6);
      assert.deepEqual(history.since(6), []);
    });

    it('returns the entries themselves, with their exact text and skip', () => {
      const history = new History(10);
      const a = entry(1, 'rec', 'owner');
      const b = entry(2, 'chat');
      history.push(a);
      history.push(b);
      assert.deepEqual(history.since(0), [a, b]);
    });

    it('still answers when the caller is exactly at the edge of what is kept', () => {
      const history = filled(5, 12);
      // Kept: 8..12; a caller that saw 7 misses nothing that was dropped.
      assert.deepEqual(seqs(history.since(7)), [8, 9, 10, 11, 12]);
    });

    it('returns null when some missed entries are no longer kept', () => {
      const history = filled(5, 12);
      assert.equal(history.since(6), null);
      assert.equal(history.since(0), null);
    });

    it('judges a gap by what was dropped, not by the seqs of what is kept', () => {
      // Only some messages are kept (the room keeps chat lines): a gap of other messages before
      // the oldest kept one is not a loss.
      const history = new History(3);
      for (const seq of [10, 20, 30]) history.push(entry(seq));
      assert.deepEqual(seqs(history.since(2)), [10, 20, 30]);
      history.push(entry(40));
      assert.deepEqual(seqs(history.since(10)), [20, 30, 40]);
      assert.equal(history.since(9), null, 'line 10 was dropped');
    });

    it('keeps answering correctly across many trims', () => {
      const history = new History(4);
      for (let seq = 1; seq <= 100; seq++) {
        history.push(entry(seq));
        const oldest = Math.max(1, seq - 3);
        assert.deepEqual(
          seqs(history.since(oldest - 1)),
          Array.from({ length: seq - oldest + 1 }, (_, i) => oldest + i),
          `after pushing ${seq}`,
        );
        if (oldest > 1) assert.equal(history.since(oldest - 2), null, `after pushing ${seq}`);
      }
    });
  });

  describe('lastOfType()', () => {
    it('returns the last entries of one type, oldest first', () => {
      const history = filled(100, 10, (seq) => (seq % 2 === 0 ? 'chat' : 'rec'));
      assert.deepEqual(seqs(history.lastOfType('chat', 3)), [6, 8, 10]);
      assert.deepEqual(seqs(history.lastOfType('rec', 2)), [7, 9]);
    });

    it('returns all of them when there are fewer than asked for', () => {
      const history = filled(100, 10, (seq) => (seq === 2 || seq === 5 ? 'chat' : 'rec'));
      assert.deepEqual(seqs(history.lastOfType('chat', 200)), [2, 5]);
    });

    it('returns nothing for a type never pushed', () => {
      const history = filled(100, 10);
      assert.deepEqual(history.lastOfType('baton', 5), []);
    });

    it('only considers the entries still kept', () => {
      const history = filled(5, 20, (seq) => (seq <= 15 ? 'chat' : 'rec'));
      // Kept: 16..20, all rec; the older chat lines are gone.
      assert.deepEqual(history.lastOfType('chat', 10), []);
      assert.deepEqual(seqs(history.lastOfType('rec', 10)), [16, 17, 18, 19, 20]);
    });
  });

  describe('capacity', () => {
    it('keeps exactly `capacity` entries once full', () => {
      const history = filled(3, 3);
      assert.deepEqual(seqs(history.since(0)), [1, 2, 3]);
      history.push(entry(4));
      assert.equal(history.since(0), null);
      assert.deepEqual(seqs(history.since(1)), [2, 3, 4]);
    });

    it('keeps the newest `capacity` entries after the storage is compacted', () => {
      // More than twice the capacity forces the internal array to be spliced.
      const history = filled(3, 11);
      assert.deepEqual(seqs(history.since(8)), [9, 10, 11]);
      assert.equal(history.since(7), null);
      assert.deepEqual(seqs(history.lastOfType('chat', 100)), [9, 10, 11]);
    });
  });
});
