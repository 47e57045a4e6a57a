import assert from 'node:assert/strict';
import { STROKE_UPDATE_MS, StrokePen, strokeSvg, withSketch } from '../session/drawing.js';
import { MAX_STROKE_OFFSET, MAX_STROKE_POINTS } from '../session/limits.js';
import type { Mark } from '../session/protocol.js';

describe('StrokePen', () => {
  it('says an update is due at most every STROKE_UPDATE_MS while a line grows', () => {
    let now = 1000;
    const pen = new StrokePen('free', () => now);
    assert.equal(pen.add(0, 0), true, 'the first point goes out at once');
    now += 10;
    assert.equal(pen.add(10, 0), false);
    now += STROKE_UPDATE_MS;
    assert.equal(pen.add(20, 0), true);
    assert.deepEqual(pen.points, [
      [0, 0],
      [10, 0],
      [20, 0],
    ]);
  });

  it('skips points too close to the last one, rounds and clamps the rest', () => {
    const pen = new StrokePen('free', () => 0);
    pen.add(0.4, 0.4);
    pen.add(1, 1);
    pen.add(MAX_STROKE_OFFSET * 2, -MAX_STROKE_OFFSET * 2);
    assert.deepEqual(pen.points, [
      [0, 0],
      [MAX_STROKE_OFFSET, -MAX_STROKE_OFFSET],
    ]);
  });

  it('thins a long line to stay within the point limit, keeping both ends', () => {
    const pen = new StrokePen('free', () => 0);
    for (let i = 0; i <= MAX_STROKE_POINTS * 3; i++) pen.add(i * 5, 0);
    assert.ok(pen.points.length <= MAX_STROKE_POINTS, `${pen.points.length} points`);
    assert.deepEqual(pen.points[0], [0, 0]);
    assert.deepEqual(pen.points.at(-1), [MAX_STROKE_POINTS * 15, 0]);
  });

  it('keeps an arrow as its start and the latest point', () => {
    const pen = new StrokePen('arrow', () => 0);
    pen.add(1, 2);
    pen.add(50, 60);
    pen.add(80, 90);
    assert.deepEqual(pen.points, [
      [1, 2],
      [80, 90],
    ]);
  });
});

describe('strokeSvg', () => {
  it('places points from the anchor corner, scaled', () => {
    const svg = strokeSvg(
      'free',
      [
        [0, 0],
        [10, 20],
      ],
      { left: 100, top: 50, scale: 0.5, position: 'absolute' },
      '#c4320a',
      'Felix <3',
    );
    assert.match(svg, /d="M100\.0 50\.0L105\.0 60\.0"/);
    assert.match(svg, /position:absolute/);
    assert.match(svg, /stroke="#c4320a"/);
    assert.match(
      svg,
      /<text x="106\.0" y="44\.0"[^>]*>Felix &lt;3<\/text>/,
      'the author’s name, escaped, at the start',
    );
  });

  it('draws an arrow as a shaft and a head at its end', () => {
    const svg = strokeSvg(
      'arrow',
      [
        [0, 0],
        [100, 0],
      ],
      { left: 0, top: 0, scale: 1, position: 'fixed' },
      '#000',
      '',
    );
    const d = /d="([^"]+)"/.exec(svg)?.[1] ?? '';
    assert.match(d, /^M0\.0 0\.0L100\.0 0\.0M/, 'the shaft');
    assert.equal((d.match(/100\.0 0\.0/g) ?? []).length, 2, 'the shaft and the head meet at the tip');
    assert.doesNotMatch(svg, /<text/, 'no name on one’s own stroke');
  });

  it('draws nothing without points', () => {
    assert.equal(strokeSvg('free', [], { left: 0, top: 0, scale: 1, position: 'fixed' }, '#000', 'A'), '');
  });
});

describe('withSketch', () => {
  const stroke = (id: number, points: Array<[number, number]>): Extract<Mark, { kind: 'stroke' }> => ({
    kind: 'stroke',
    id,
    node: 3,
    shape: 'free',
    points,
    label: '',
    colour: '#000',
  });
  const pointer: Mark = { kind: 'pointer', node: 1, x: 0, y: 0, label: 'A', colour: '#111' };

  it('shows the local sketch instead of the room’s older copy of the same stroke', () => {
    const sketch = {
      mark: stroke(7, [
        [0, 0],
        [5, 5],
        [9, 9],
      ]),
      done: false,
    };
    const { shown, sketch: kept } = withSketch([pointer, stroke(7, [[0, 0]]), stroke(8, [[1, 1]])], sketch);
    assert.deepEqual(
      shown.map((m) => (m.kind === 'stroke' ? `${m.id}:${m.points.length}` : m.kind)),
      ['pointer', '8:1', '7:3'],
    );
    assert.equal(kept, sketch);
  });

  it('drops a finished sketch once the room’s copy is back, and keeps it until then', () => {
    const sketch = {
      mark: stroke(7, [
        [0, 0],
        [5, 5],
      ]),
      done: true,
    };
    assert.equal(withSketch([pointer], sketch).sketch, sketch);
    const back = withSketch(
      [
        pointer,
        stroke(7, [
          [0, 0],
          [5, 5],
        ]),
      ],
      sketch,
    );
    assert.equal(back.sketch, null);
    assert.equal(back.shown.length, 2);
  });
});
