import assert from 'node:assert/strict';
import { membersOf, sidebarKey, sidebarsOf } from '../viewer/rooms.js';
import type { ChatLine } from '../viewer/state.js';

const line = (seq: number, from: string, text: string, to?: string[]): ChatLine => ({
  seq,
  at: seq,
  from,
  text,
  ...(to ? { to } : {}),
});

describe('sidebars (Rooms panel)', () => {
  const chat = [
    line(1, 'olivia', 'hello all'),
    line(2, 'felix', 'psst', ['me']),
    line(3, 'me', 'yes?', ['felix']),
    line(4, 'olivia', 'to you two', ['me', 'felix']),
    line(5, 'felix', 'and again', ['me']),
  ];

  it('groups private lines by their members and leaves lines to everyone out', () => {
    const sidebars = sidebarsOf(chat, 'me', {}, []);
    assert.deepEqual(
      sidebars.map((s) => [s.members, s.lines.map((l) => l.seq)]),
      [
        [['felix'], [2, 3, 5]],
        [['felix', 'olivia'], [4]],
      ],
    );
    assert.equal(membersOf(chat[0] as ChatLine, 'me'), null);
  });

  it('counts others’ lines after the last one seen as unread', () => {
    const felix = sidebarKey(['felix']);
    assert.deepEqual(
      sidebarsOf(chat, 'me', {}, []).map((s) => s.unread),
      [2, 1],
      'my own line is never unread',
    );
    assert.deepEqual(
      sidebarsOf(chat, 'me', { [felix]: 3 }, []).map((s) => s.unread),
      [1, 1],
    );
  });

  it('lists a sidebar started here before it has lines, once, and merges it when lines come', () => {
    const started = [['zoe', 'me'], ['zoe'], ['felix']];
    const sidebars = sidebarsOf(chat, 'me', {}, started);
    assert.deepEqual(
      sidebars.map((s) => s.key),
      ['zoe', 'felix', 'felix olivia'],
    );
  });

  it('sees the same sidebar from each member’s side', () => {
    const fromFelix = sidebarsOf(chat, 'felix', {}, []);
    assert.deepEqual(
      fromFelix.map((s) => s.members),
      [['me'], ['me', 'olivia']],
    );
  });
});
