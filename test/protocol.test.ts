import assert from 'node:assert/strict';
import { MAX_STROKE_OFFSET, MAX_STROKE_POINTS } from '../session/limits.js';
import { type ClientMessage, clientMessage, isControl, MAX_CHAT_LENGTH } from '../session/protocol.js';

const VALID: Record<ClientMessage['type'], unknown[]> = {
  chat: [{ type: 'chat', text: 'hello' }],
  question: [{ type: 'question', text: 'How do I change my delivery address?' }],
  'question.show': [{ type: 'question.show', question: 12 }],
  'question.dismiss': [{ type: 'question.dismiss', question: 12 }],
  resume: [
    { type: 'resume', after: 0 },
    { type: 'resume', after: 41 },
  ],
  prefs: [
    { type: 'prefs', ownLocation: false },
    { type: 'prefs', ownLocation: true },
  ],
  'baton.request': [{ type: 'baton.request' }, { type: 'baton.request', tab: 't1' }],
  'baton.give': [
    { type: 'baton.give', to: 'p2' },
    { type: 'baton.give', to: 'p2', tab: 't1' },
  ],
  'baton.take': [{ type: 'baton.take' }, { type: 'baton.take', tab: 't1' }],
  'participant.remove': [{ type: 'participant.remove', participant: 'p1' }],
  'session.lock': [
    { type: 'session.lock', locked: true },
    { type: 'session.lock', locked: false },
  ],
  'tab.open': [
    { type: 'tab.open', url: 'example.com/b' },
    { type: 'tab.open', url: 'https://example.com/', tab: 't2' },
  ],
  'tab.close': [{ type: 'tab.close', tab: 't2' }],
  'tab.give': [{ type: 'tab.give', tab: 't1', to: 'p2' }],
  'tab.focus': [{ type: 'tab.focus', tab: 't1' }],
  rec: [
    { type: 'rec', tab: 't1', events: [{ type: 4, timestamp: 1, data: { href: 'https://a.example/' } }] },
    {
      type: 'rec',
      tab: 't1',
      events: [
        { type: 2, timestamp: 2, data: {} },
        { type: 3, timestamp: 3 },
      ],
    },
  ],
  location: [{ type: 'location', tab: 't1', url: 'https://example.com/a?b#c', title: 'Example' }],
  nav: [{ type: 'nav', tab: 't1', url: 'example.com' }],
  typing: [{ type: 'typing', active: true }],
  report: [{ type: 'report', kind: 'recorder-error', message: 'TypeError: x is undefined' }],
  pointer: [{ type: 'pointer', tab: 't1', node: 4, x: 0.5, y: 0 }],
  'pointer.leave': [{ type: 'pointer.leave', tab: 't1' }],
  highlight: [{ type: 'highlight', tab: 't1', node: 4 }],
  'highlight.clear': [
    { type: 'highlight.clear', tab: 't1' },
    { type: 'highlight.clear', tab: 't1', all: true },
  ],
  stroke: [
    { type: 'stroke', tab: 't1', id: 7, node: 4, shape: 'free', points: [[0, 0]], done: false },
    {
      type: 'stroke',
      tab: 't1',
      id: 2 ** 31,
      node: 4,
      shape: 'arrow',
      points: [
        [-12.5, 3],
        [400, -20_000],
      ],
      done: true,
    },
  ],
  'stroke.clear': [
    { type: 'stroke.clear', tab: 't1' },
    { type: 'stroke.clear', tab: 't1', all: true },
  ],
  history: [
    { type: 'history', tab: 't1', action: 'back' },
    { type: 'history', tab: 't1', action: 'reload', epoch: 3 },
  ],
  scroll: [
    { type: 'scroll', tab: 't1', x: 0, y: 120.5 },
    { type: 'scroll', tab: 't1', x: -3, y: 1e7, node: 12 },
  ],
  click: [
    { type: 'click', tab: 't1', node: 0 },
    { type: 'click', tab: 't1', node: 5, x: 10, y: 20 },
  ],
  input: [
    { type: 'input', tab: 't1', node: 3, value: 'typed' },
    { type: 'input', tab: 't1', node: 3, checked: true },
  ],
  key: [
    { type: 'key', tab: 't1', key: 'Enter' },
    { type: 'key', tab: 't1', node: 2, key: 'ArrowDown' },
  ],
};

function rejects(value: unknown, message?: string): void {
  const result = clientMessage.safeParse(value);
  assert.equal(result.success, false, message ?? `expected ${JSON.stringify(value)} to be rejected`);
}

describe('clientMessage schema', () => {
  for (const [type, examples] of Object.entries(VALID)) {
    it(`accepts valid "${type}" messages unchanged`, () => {
      for (const example of examples) {
        const result = clientMessage.safeParse(example);
        assert.ok(result.success, `${JSON.stringify(example)}: ${result.error?.message}`);
        assert.deepEqual(result.data, example);
      }
    });
  }

  it('rejects an unknown or missing type', () => {
    rejects({ type: 'welcome' });
    rejects({ type: 'eval', code: '1' });
    rejects({ text: 'no type' });
    rejects({ type: 42 });
  });

  it('rejects values that are not objects', () => {
    rejects(null);
    rejects('chat');
    rejects([{ type: 'chat', text: 'hi' }]);
    rejects(7);
  });

  it('rejects extra fields on every message type (strict objects)', () => {
    for (const examples of Object.values(VALID)) {
      for (const example of examples) {
        rejects({ ...(example as object), seq: 1 });
        rejects({ ...(example as object), from: 'someone-else' });
      }
    }
  });

  it('accepts extra fields inside recorder events (rrweb payloads are loose)', () => {
    const msg = {
      type: 'rec',
      tab: 't1',
      events: [{ type: 3, timestamp: 1, data: { source: 2 }, delay: 4 }],
    };
    assert.deepEqual(clientMessage.parse(msg), msg);
  });

  it('rejects empty and blank chat', () => {
    rejects({ type: 'chat', text: '' });
    rejects({ type: 'chat', text: '   \n\t ' });
  });

  it('trims chat text', () => {
    assert.deepEqual(clientMessage.parse({ type: 'chat', text: '  hi there \n' }), {
      type: 'chat',
      text: 'hi there',
    });
  });

  it('accepts chat up to MAX_CHAT_LENGTH characters and rejects longer', () => {
    assert.ok(clientMessage.safeParse({ type: 'chat', text: 'x'.repeat(MAX_CHAT_LENGTH) }).success);
    rejects({ type: 'chat', text: 'x'.repeat(MAX_CHAT_LENGTH + 1) });
  });

  it('rejects non-finite and out-of-range coordinates', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e7 + 1, -1e8]) {
      rejects({ type: 'scroll', tab: 't1', x: bad, y: 0 }, `scroll x=${bad}`);
      rejects({ type: 'scroll', tab: 't1', x: 0, y: bad }, `scroll y=${bad}`);
      rejects({ type: 'click', tab: 't1', node: 1, x: bad, y: 0 }, `click x=${bad}`);
    }
  });

  it('rejects fields of the wrong type', () => {
    rejects({ type: 'chat', text: 5 });
    rejects({ type: 'resume', after: '3' });
    rejects({ type: 'resume', after: -1 });
    rejects({ type: 'resume', after: 1.5 });
    rejects({ type: 'scroll', tab: 't1', x: '1', y: 2 });
    rejects({ type: 'scroll', tab: 1, x: 1, y: 2 });
    rejects({ type: 'click', tab: 't1', node: -1 });
    rejects({ type: 'click', tab: 't1', node: 1.5 });
    rejects({ type: 'click', tab: 't1' });
    rejects({ type: 'input', tab: 't1', node: 1, checked: 'yes' });
    rejects({ type: 'key', tab: 't1', key: 'a' });
    rejects({ type: 'baton.give', to: '' });
    rejects({ type: 'baton.give' });
    rejects({ type: 'nav', tab: 't1', url: '' });
  });

  it('rejects a tab id that is empty or too long', () => {
    rejects({ type: 'scroll', tab: '', x: 0, y: 0 });
    rejects({ type: 'scroll', tab: 't'.repeat(65), x: 0, y: 0 });
  });

  it('rejects rec without events, with too many, or with malformed events', () => {
    rejects({ type: 'rec', tab: 't1', events: [] });
    rejects({
      type: 'rec',
      tab: 't1',
      events: Array.from({ length: 10001 }, () => ({ type: 3, timestamp: 1 })),
    });
    rejects({ type: 'rec', tab: 't1', events: [{ type: 11, timestamp: 1 }] });
    rejects({ type: 'rec', tab: 't1', events: [{ type: 3 }] });
    rejects({ type: 'rec', tab: 't1', events: ['not an object'] });
  });

  it('bounds a stroke: points within the offset limit, at least one and at most the point limit', () => {
    const stroke = (points: unknown) => ({
      type: 'stroke',
      tab: 't1',
      id: 1,
      node: 2,
      shape: 'free',
      points,
      done: true,
    });
    rejects(stroke([]));
    rejects(stroke(Array.from({ length: MAX_STROKE_POINTS + 1 }, (_, i) => [i, i])));
    assert.ok(
      clientMessage.safeParse(stroke(Array.from({ length: MAX_STROKE_POINTS }, (_, i) => [i, i]))).success,
    );
    rejects(stroke([[MAX_STROKE_OFFSET + 1, 0]]));
    rejects(stroke([[0, Number.NaN]]));
    rejects(stroke([[1, 2, 3]]));
    rejects(stroke([{ x: 1, y: 2 }]));
    rejects({ ...stroke([[1, 2]]), shape: 'circle' });
    rejects({ ...stroke([[1, 2]]), id: -1 });
    rejects({ ...stroke([[1, 2]]), done: undefined });
  });

  it('rejects a location that is not an http(s) URL', () => {
    rejects({ type: 'location', tab: 't1', url: 'javascript:alert(1)', title: '' });
    rejects({ type: 'location', tab: 't1', url: 'ftp://example.com/', title: '' });
    rejects({ type: 'location', tab: 't1', url: 'example.com', title: '' });
  });
});

describe('isControl', () => {
  it('is true for input and navigation messages only', () => {
    const control = new Set(['nav', 'history', 'scroll', 'click', 'input', 'key']);
    for (const [type, examples] of Object.entries(VALID)) {
      const msg = clientMessage.parse(examples[0]);
      assert.equal(isControl(msg), control.has(type), type);
    }
  });
});
