/**
 * Free-hand strokes and arrows, shared by the viewer's mirror and the runtime's overlay on the live
 * page: how a stroke is collected while it is drawn and how it is drawn. Pure, without zod.
 *
 * A stroke is anchored to the page element under its first point (rrweb node id); its points are
 * page pixels from that element's top-left corner, so it lands on the same element in every mirror
 * (each mirror lays the page out at the owner's size and only scales it).
 */
import { escapeHtml } from './escape.js';
import { MAX_STROKE_OFFSET, MAX_STROKE_POINTS, MAX_STROKES_PER_AUTHOR } from './limits.js';
import type { Mark } from './protocol.js';

export type StrokeShape = 'free' | 'arrow';
export type Point = [number, number];

/** A stroke as the room keeps it and the welcome carries it. */
export interface Stroke {
  author: string;
  /** Chosen by the author's browser; a later message with the same id replaces the stroke. */
  id: number;
  node: number;
  shape: StrokeShape;
  points: Point[];
  /** The pointer was lifted: the stroke is final. */
  done: boolean;
}

/**
 * The strokes on a page once `stroke` arrives: it replaces the author's stroke with its id, and
 * beyond the per-author limit the author's oldest goes. The room and every viewer apply the same rule.
 */
export function keepStroke(strokes: readonly Stroke[], stroke: Stroke): Stroke[] {
  const others = strokes.filter((s) => s.author !== stroke.author || s.id !== stroke.id);
  const mine = others.filter((s) => s.author === stroke.author);
  const dropped = mine.length >= MAX_STROKES_PER_AUTHOR ? mine[0] : undefined;
  return [...others.filter((s) => s !== dropped), stroke];
}

/** While a stroke is drawn, the others get it at most this often. */
export const STROKE_UPDATE_MS = 80;
/** Points closer than this to the previous one add nothing visible. */
const MIN_STEP_PX = 3;

const clampOffset = (v: number) => Math.round(Math.max(-MAX_STROKE_OFFSET, Math.min(MAX_STROKE_OFFSET, v)));

/** A fresh stroke id: random, so ids from a reloaded page or another window of the same person do not collide. */
export const newStrokeId = () => Math.floor(Math.random() * 2 ** 31);

/**
 * Collects one stroke's points as the pointer moves: an arrow keeps its start and the latest point,
 * a free-hand line thins itself to stay within the point limit. `add` says when an update is due.
 */
export class StrokePen {
  points: Point[] = [];
  private lastUpdate = Number.NEGATIVE_INFINITY;

  constructor(
    readonly shape: StrokeShape,
    private readonly now: () => number,
  ) {}

  add(x: number, y: number): boolean {
    const p: Point = [clampOffset(x), clampOffset(y)];
    const first = this.points[0];
    const last = this.points.at(-1);
    if (this.shape === 'arrow') {
      this.points = first ? [first, p] : [p];
    } else if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) >= MIN_STEP_PX) {
      this.points.push(p);
      if (this.points.length > MAX_STROKE_POINTS) {
        // Every other point goes, the last one stays: the shape survives, the detail halves.
        this.points = this.points.filter((_, i) => i % 2 === 0 || i === this.points.length - 1);
      }
    } else {
      return false;
    }
    const t = this.now();
    if (t - this.lastUpdate < STROKE_UPDATE_MS) return false;
    this.lastUpdate = t;
    return true;
  }
}

/** The stroke being drawn in this window, before and just after the room has it back. */
export interface Sketch {
  mark: Extract<Mark, { kind: 'stroke' }>;
  done: boolean;
}

/**
 * What to draw: the room's marks with the local sketch instead of the room's copy of the same
 * stroke, which lags behind it. A finished sketch is dropped once the room's copy is there (null).
 */
export function withSketch(marks: Mark[], sketch: Sketch | null): { shown: Mark[]; sketch: Sketch | null } {
  if (!sketch) return { shown: marks, sketch };
  const isCopy = (m: Mark) => m.kind === 'stroke' && m.id === sketch.mark.id;
  if (sketch.done && marks.some(isCopy)) return { shown: marks, sketch: null };
  return { shown: [...marks.filter((m) => !isCopy(m)), sketch.mark], sketch };
}

const ARROW_HEAD_PX = 14;

/**
 * SVG markup for a stroke whose anchor's top-left corner is at (`left`, `top`) of the drawing layer,
 * with page pixels multiplied by `scale`. `position` is how the layer places its children. The
 * author's name (`label`, empty for one's own) is written where the stroke starts.
 */
export function strokeSvg(
  shape: StrokeShape,
  points: readonly Point[],
  at: { left: number; top: number; scale: number; position: 'fixed' | 'absolute' },
  colour: string,
  label: string,
): string {
  const xy = points.map(([x, y]) => [at.left + x * at.scale, at.top + y * at.scale] as const);
  const line = (d: string) =>
    `<path d="${d}" fill="none" stroke="${colour}" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>`;
  let body = '';
  const start = xy[0];
  const end = xy.at(-1);
  if (!start || !end) return '';
  if (shape === 'free') {
    body = line(`M${xy.map(([x, y]) => `${x.toFixed(1)} ${y.toFixed(1)}`).join('L')}`);
  } else {
    const angle = Math.atan2(end[1] - start[1], end[0] - start[0]);
    const wing = (turn: number) =>
      `${(end[0] - ARROW_HEAD_PX * Math.cos(angle + turn)).toFixed(1)} ${(end[1] - ARROW_HEAD_PX * Math.sin(angle + turn)).toFixed(1)}`;
    const tip = `${end[0].toFixed(1)} ${end[1].toFixed(1)}`;
    body = line(`M${start[0].toFixed(1)} ${start[1].toFixed(1)}L${tip}M${wing(0.5)}L${tip}L${wing(-0.5)}`);
  }
  const name = label
    ? `<text x="${(start[0] + 6).toFixed(1)}" y="${(start[1] - 6).toFixed(1)}" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke" font-family="system-ui,sans-serif" font-size="12" font-weight="600">${escapeHtml(label)}</text>`
    : '';
  return `<svg data-mark="stroke" style="all:initial;position:${at.position};left:0;top:0;overflow:visible;pointer-events:none" width="1" height="1">${body}${name}</svg>`;
}
