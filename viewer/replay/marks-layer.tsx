import { useEffect, useRef } from 'preact/hooks';
import { strokeSvg } from '../../session/drawing.js';
import { escapeHtml } from '../../session/escape.js';
import { colourFor } from '../people.js';
import type { NameOf } from './describe.js';
import type { Player } from './player.js';
import type { Marks } from './timeline.js';

/**
 * Pointers, highlights and strokes drawn over the replayed page, anchored to the replayed elements
 * and following their boxes every frame while there are any (the page scrolls and changes as it plays).
 */
export function MarksLayer({
  player,
  marks,
  nameOf,
}: {
  player: Pick<Player, 'placement' | 'node'> | null;
  marks: Marks | null;
  nameOf: NameOf;
}) {
  const layer = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let frame = 0;
    const draw = () => {
      const el = layer.current;
      if (!el) return;
      const parts: string[] = [];
      if (player && marks) {
        const { box, scale } = player.placement();
        const origin = el.getBoundingClientRect();
        const place = (id: number) => {
          const node = player.node(id);
          if (!node || !('getBoundingClientRect' in node)) return null;
          const b = (node as Element).getBoundingClientRect();
          return {
            x: box.left - origin.left + b.left * scale,
            y: box.top - origin.top + b.top * scale,
            w: b.width * scale,
            h: b.height * scale,
          };
        };
        for (const h of marks.highlights) {
          const r = place(h.node);
          if (!r) continue;
          parts.push(
            `<div class="mark-box" data-author="${escapeHtml(h.author)}" style="left:${r.x - 3}px;top:${r.y - 3}px;width:${r.w + 6}px;height:${r.h + 6}px;outline-color:${colourFor(h.author)}"></div>`,
          );
        }
        for (const s of marks.strokes) {
          const r = place(s.node);
          if (!r) continue;
          parts.push(
            strokeSvg(
              s.shape,
              s.points,
              { left: r.x, top: r.y, scale, position: 'absolute' },
              colourFor(s.author),
              nameOf(s.author),
            ),
          );
        }
        for (const [who, p] of marks.pointers) {
          const r = place(p.node);
          if (!r) continue;
          const x = r.x + p.x * r.w;
          const y = r.y + p.y * r.h;
          const colour = colourFor(who);
          parts.push(
            `<div class="mark-dot" data-author="${escapeHtml(who)}" style="left:${x}px;top:${y}px;background:${colour}"></div><div class="mark-label" style="left:${x + 10}px;top:${y + 8}px;background:${colour}">${escapeHtml(nameOf(who))}</div>`,
          );
        }
      }
      el.innerHTML = parts.join('');
      if (marks && marks.highlights.length + marks.strokes.length + marks.pointers.size > 0)
        frame = requestAnimationFrame(draw);
    };
    draw();
    return () => cancelAnimationFrame(frame);
  }, [player, marks, nameOf]);

  return <div class="marks" ref={layer} aria-hidden="true" data-testid="replay-marks" />;
}
