import { type Sketch, strokeSvg, withSketch } from '../session/drawing.js';
import { escapeHtml } from '../session/escape.js';
import type { Mark } from '../session/protocol.js';

export const OVERLAY_TAG = 'tandem-overlay';

/**
 * On a page that enforces Trusted Types, markup goes into the DOM only through a policy. The proxy
 * adds this policy's name to the page's list of allowed ones (`RUNTIME_TRUSTED_TYPES_POLICY` in
 * rewriter/headers.ts), and it stays in this module: the page cannot reach it. Its input is the
 * overlay's own markup, built here with every label escaped.
 */
const policy = (() => {
  const tt = (window as { trustedTypes?: { createPolicy(name: string, rules: object): TrustedHtmlPolicy } })
    .trustedTypes;
  try {
    return tt?.createPolicy('tandem-overlay', { createHTML: (html: string) => html }) ?? null;
  } catch (err) {
    // A policy list the proxy did not see (a <meta> tag a script added): the page still works,
    // only the marks cannot be drawn on it, and the browser says why when they are.
    console.warn(`Tandem cannot draw pointers on this page: ${(err as Error).message}`);
    return null;
  }
})();

interface TrustedHtmlPolicy {
  createHTML(html: string): unknown;
}

/**
 * Others' pointers and highlights drawn over the live page. The recorder blocks this element (its
 * content is never serialised and mutations inside it are ignored), so marks never enter the
 * recording. No shadow root: the recorder would find an open one through the element and follow
 * it. Each mark resets inherited styles instead, so the page's CSS does not reach it.
 */
export class Overlay {
  private readonly root: HTMLElement;
  private marks: Mark[] = [];
  /** The stroke the owner is drawing here, shown before the room has it. */
  private sketch: Sketch | null = null;
  private frame = 0;
  private drawn = '';

  constructor(private readonly nodeById: (id: number) => Node | null) {
    this.root = document.createElement(OVERLAY_TAG);
    // Zero-sized: the recorder keeps a blocked element as an empty box of its size in the mirror.
    this.root.style.cssText =
      'position:fixed;left:0;top:0;width:0;height:0;overflow:visible;pointer-events:none;z-index:2147483647;display:block';
  }

  show(marks: Mark[]): void {
    this.marks = marks;
    this.redraw();
  }

  drawing(sketch: Sketch): void {
    this.sketch = sketch;
    this.redraw();
  }

  private redraw(): void {
    const marks = this.all();
    cancelAnimationFrame(this.frame);
    // The page is left untouched until there is something to draw, and never while it is still
    // being parsed: an element added then would sit between the parser's head and body.
    if (marks.length === 0 && !this.root.isConnected) return;
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', () => this.redraw(), { once: true });
      return;
    }
    if (!this.root.isConnected) (document.body ?? document.documentElement).append(this.root);
    this.draw();
  }

  /** Redrawn every frame while marks are shown, so they follow scrolling, resizing and layout. */
  private draw = (): void => {
    const parts: string[] = [];
    const marks = this.all();
    for (const m of marks) {
      const el = this.nodeById(m.node);
      if (!(el instanceof Element)) continue;
      const r = el.getBoundingClientRect();
      if (m.kind === 'stroke') {
        parts.push(
          strokeSvg(
            m.shape,
            m.points,
            { left: r.left, top: r.top, scale: 1, position: 'fixed' },
            m.colour,
            m.label,
          ),
        );
      } else if (m.kind === 'highlight') {
        parts.push(
          `<div style="all:initial;position:fixed;left:${r.left - 3}px;top:${r.top - 3}px;width:${r.width + 6}px;height:${r.height + 6}px;outline:3px solid ${m.colour};border-radius:4px;box-shadow:0 0 0 9999px #0000"></div>`,
        );
      } else if (m.laser) {
        const x = r.left + m.x * r.width;
        const y = r.top + m.y * r.height;
        parts.push(
          `<div data-mark="laser" style="all:initial;position:fixed;left:${x}px;top:${y}px;transform:translate(-50%,-50%);width:12px;height:12px;border-radius:50%;background:#ff1f1f;box-shadow:0 0 8px 4px #ff1f1f99"></div>`,
        );
      } else if (m.kind === 'ripple') {
        const x = r.left + m.x * r.width;
        const y = r.top + m.y * r.height;
        parts.push(
          `<div data-mark="ripple" style="all:initial;position:fixed;left:${x}px;top:${y}px;transform:translate(-50%,-50%);width:34px;height:34px;border-radius:50%;border:3px solid ${m.colour};opacity:.8"></div>`,
        );
      } else {
        const x = r.left + m.x * r.width;
        const y = r.top + m.y * r.height;
        parts.push(
          `<div style="all:initial;position:fixed;left:${x}px;top:${y}px;transform:translate(-50%,-50%);width:14px;height:14px;border-radius:50%;background:${m.colour};border:2px solid #fff;box-shadow:0 1px 4px #0006"></div><div style="all:initial;position:fixed;left:${x + 10}px;top:${y + 8}px;font:12px system-ui,sans-serif;color:#fff;background:${m.colour};padding:1px 6px;border-radius:8px;white-space:nowrap">${escapeHtml(m.label)}</div>`,
        );
      }
    }
    const html = parts.join('');
    // Only real changes touch the DOM, so a still pointer costs nothing but the measuring.
    if (html !== this.drawn) {
      this.root.innerHTML = (policy ? policy.createHTML(html) : html) as string;
      this.drawn = html;
    }
    if (marks.length > 0) this.frame = requestAnimationFrame(this.draw);
  };

  private all(): Mark[] {
    const { shown, sketch } = withSketch(this.marks, this.sketch);
    this.sketch = sketch;
    return shown;
  }
}
