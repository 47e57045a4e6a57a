import { escapeHtml } from '../session/escape.js';
import type { Mark } from '../session/protocol.js';

export const OVERLAY_TAG = 'tandem-overlay';

/**
 * Others' pointers and highlights drawn over the live page, in a shadow root the page's own
 * styles do not reach. The recorder blocks this element, and it must be created before recording
 * starts, so the recorder never learns of (or observes) its shadow root: marks are never recorded.
 */
export class Overlay {
  private readonly root: HTMLElement;
  private readonly layer: HTMLDivElement;
  private marks: Mark[] = [];
  private frame = 0;

  constructor(private readonly nodeById: (id: number) => Node | null) {
    this.root = document.createElement(OVERLAY_TAG);
    // Zero-sized: the recorder keeps a blocked element as an empty box of its size in the mirror.
    this.root.style.cssText =
      'position:fixed;left:0;top:0;width:0;height:0;overflow:visible;pointer-events:none;z-index:2147483647;display:block';
    const shadow = this.root.attachShadow({ mode: 'open' });
    this.layer = document.createElement('div');
    shadow.append(this.layer);
  }

  show(marks: Mark[]): void {
    this.marks = marks;
    if (!this.root.isConnected) document.documentElement.append(this.root);
    cancelAnimationFrame(this.frame);
    this.draw();
  }

  /** Redrawn every frame while marks are shown, so they follow scrolling, resizing and layout. */
  private draw = (): void => {
    const parts: string[] = [];
    for (const m of this.marks) {
      const el = this.nodeById(m.node);
      if (!(el instanceof Element)) continue;
      const r = el.getBoundingClientRect();
      if (m.kind === 'highlight') {
        parts.push(
          `<div style="position:fixed;left:${r.left - 3}px;top:${r.top - 3}px;width:${r.width + 6}px;height:${r.height + 6}px;outline:3px solid ${m.colour};border-radius:4px;box-shadow:0 0 0 9999px #0000"></div>`,
        );
      } else {
        const x = r.left + m.x * r.width;
        const y = r.top + m.y * r.height;
        parts.push(
          `<div style="position:fixed;left:${x}px;top:${y}px;transform:translate(-50%,-50%);width:14px;height:14px;border-radius:50%;background:${m.colour};border:2px solid #fff;box-shadow:0 1px 4px #0006"></div><div style="position:fixed;left:${x + 10}px;top:${y + 8}px;font:12px system-ui,sans-serif;color:#fff;background:${m.colour};padding:1px 6px;border-radius:8px;white-space:nowrap">${escapeHtml(m.label)}</div>`,
        );
      }
    }
    this.layer.innerHTML = parts.join('');
    if (this.marks.length > 0) this.frame = requestAnimationFrame(this.draw);
  };
}
