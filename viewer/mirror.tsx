import { Replayer } from '@rrweb/replay';
import { useEffect, useRef, useState } from 'preact/hooks';
import { newStrokeId, type Sketch, StrokePen, strokeSvg, withSketch } from '../session/drawing.js';
import { escapeHtml } from '../session/escape.js';
import type { ClientMessage, ControlMessage, Mark, ServerMessage, Tool } from '../session/protocol.js';
import type { Stream } from './stream.js';

/** A stroke drawn here, as it grows and when it is done (the stroke message without its tab). */
export type DrawnStroke = Omit<Extract<ClientMessage, { type: 'stroke' }>, 'type' | 'tab'>;

interface Props {
  tab: string;
  holdsBaton: boolean;
  /** The baton epoch this participant holds it under, sent with every input. */
  epoch: number;
  stream: Stream;
  send: (msg: ClientMessage) => boolean;
  marks: Mark[];
  tool: Tool | null;
  /** This person's pointer shows to the others as a laser dot. */
  laser: boolean;
  onPick: (node: number) => void;
  onStroke: (stroke: DrawnStroke) => void;
  /** This person's colour, for the stroke they are drawing. */
  colour: string;
}

/** The mirrored element under a point of the viewer, with the point in the mirror's coordinates. */
function underViewerPoint(r: Replayer | null, clientX: number, clientY: number) {
  const doc = r?.iframe.contentDocument;
  if (!r || !doc) return null;
  const rect = r.iframe.getBoundingClientRect();
  const scale = rect.width / (r.iframe.offsetWidth || 1);
  const x = (clientX - rect.left) / scale;
  const y = (clientY - rect.top) / scale;
  const el = doc.elementFromPoint(x, y);
  return el ? { el, x, y } : null;
}

/** Casts every event as soon as it arrives: the owner's page is live, not a recording to pace. */
const LIVE_NOW = Number.MAX_SAFE_INTEGER;
/** Pointer positions are sent at most this often. */
const POINTER_INTERVAL_MS = 50;
/** rrweb's event type for incremental snapshots, and its source numbers for DOM and input changes. */
const INCREMENTAL = 3;
const MUTATION_SOURCE = 0;
const INPUT_SOURCE = 5;
/** Scrolls in the mirror count as the person's own only this soon after their wheel, key or touch. */
const USER_SCROLL_WINDOW_MS = 600;

/**
 * A follower's view of the tab: rrweb rebuilds the owner's page from the stream inside a sandboxed
 * frame with no page scripts. When this participant holds the baton, their input on the mirror is
 * sent to the server instead of acting locally.
 */
export function Mirror({
  tab,
  holdsBaton,
  epoch,
  stream,
  send,
  marks,
  tool,
  laser,
  onPick,
  onStroke,
  colour,
}: Props) {
  const box = useRef<HTMLDivElement>(null);
  const replayer = useRef<Replayer | null>(null);
  const holds = useRef(holdsBaton);
  holds.current = holdsBaton;
  const epochNow = useRef(epoch);
  epochNow.current = epoch;
  const latest = useRef({ marks, tool, laser, onPick });
  latest.current = { marks, tool, laser, onPick };
  const layer = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const root = box.current;
    // The mirror may be shown in a window of its own: its observers belong to that window.
    const view = root?.ownerDocument.defaultView;
    if (!root || !view) return;

    const fit = () => {
      const r = replayer.current;
      if (!r) return;
      const w = r.iframe.offsetWidth || 1;
      const h = r.iframe.offsetHeight || 1;
      const scale = Math.min(1, root.clientWidth / w, root.clientHeight / h);
      r.wrapper.style.transform = `scale(${scale})`;
    };
    const observer = new view.ResizeObserver(fit);
    observer.observe(root);

    let lastPointer = 0;
    /** Sends where this person points: the element under the mouse and the spot within its box. */
    const pointAt = (el: Element, x: number, y: number) => {
      const r = replayer.current;
      const now = Date.now();
      if (!r || now - lastPointer < POINTER_INTERVAL_MS) return;
      const node = r.getMirror().getId(el as unknown as Node);
      const box = el.getBoundingClientRect();
      if (node < 0 || box.width === 0 || box.height === 0) return;
      lastPointer = now;
      const fraction = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
      send({
        type: 'pointer',
        tab,
        node,
        x: fraction((x - box.left) / box.width),
        y: fraction((y - box.top) / box.height),
        ...(latest.current.laser ? { laser: true } : {}),
      });
    };
    const leave = () => send({ type: 'pointer.leave', tab });
    const outside = new AbortController();
    root.addEventListener(
      'mousemove',
      (e) => {
        const hit = underViewerPoint(replayer.current, e.clientX, e.clientY);
        if (hit) pointAt(hit.el, hit.x, hit.y);
      },
      { signal: outside.signal, passive: true },
    );
    root.addEventListener('mouseleave', leave, { signal: outside.signal });
    root.addEventListener(
      'click',
      (e) => {
        if (latest.current.tool !== 'highlight') return;
        const hit = underViewerPoint(replayer.current, e.clientX, e.clientY);
        const node = hit ? (replayer.current?.getMirror().getId(hit.el as unknown as Node) ?? -1) : -1;
        if (node >= 0) latest.current.onPick(node);
      },
      { signal: outside.signal },
    );

    const create = () => {
      root.replaceChildren();
      const r = new Replayer([], {
        root,
        liveMode: true,
        // rrweb's virtual DOM is for seeking through a recording; in live mode it holds changes
        // back from the page, and the mirror freezes at the first one.
        useVirtualDom: false,
        mouseTail: false,
        UNSAFE_replayCanvas: false,
        showWarning: false,
        triggerFocus: false,
        insertStyleRules: ['[data-tandem-private]{-webkit-text-security:disc}'],
      });
      r.iframe.setAttribute('data-testid', 'page-frame');
      r.iframe.setAttribute('title', 'Shared page (mirror)');
      r.on('resize', fit);
      r.on('fullsnapshot-rebuilded', () => {
        fit();
        wire(r);
      });
      r.startLive(LIVE_NOW);
      // Only the baton holder's mouse reaches into the mirror; everyone else's stays on the viewer's
      // side of it, where pointing and picking are read through elementFromPoint.
      if (holds.current) r.enableInteract();
      replayer.current = r;
      return r;
    };

    let lastUserInput = 0;
    // Each rebuild may reopen the frame's document, which drops its listeners: wire again every time.
    let wiring = new AbortController();
    const wire = (r: Replayer) => {
      wiring.abort();
      wiring = new AbortController();
      const { signal } = wiring;
      const doc = r.iframe.contentDocument;
      const win = r.iframe.contentWindow as (Window & typeof globalThis) | null;
      if (!doc || !win) return;
      const idOf = (t: EventTarget | null) => (t instanceof win.Node ? r.getMirror().getId(t) : -1);
      const control = (m: ControlMessage) => holds.current && send({ ...m, epoch: epochNow.current });
      doc.addEventListener(
        'click',
        (e) => {
          const target = e.target as Element;
          if (latest.current.tool) {
            e.preventDefault();
            const picked = idOf(target);
            if (picked >= 0 && latest.current.tool === 'highlight') latest.current.onPick(picked);
            return;
          }
          if (!holds.current) {
            // The mirror never acts on its own: a link followed here would replace the mirror itself.
            e.preventDefault();
            return;
          }
          if (target instanceof win.HTMLSelectElement || target instanceof win.HTMLOptionElement) return;
          e.preventDefault();
          const node = idOf(target);
          if (node >= 0) control({ type: 'click', tab, node, x: e.clientX, y: e.clientY });
        },
        { capture: true, signal },
      );
      const onValue = (e: Event) => {
        const t = e.target;
        const node = idOf(t);
        if (node < 0) return;
        if (t instanceof win.HTMLInputElement && (t.type === 'checkbox' || t.type === 'radio')) return;
        if (
          t instanceof win.HTMLInputElement ||
          t instanceof win.HTMLTextAreaElement ||
          t instanceof win.HTMLSelectElement
        ) {
          control({ type: 'input', tab, node, value: t.value });
        } else if (t instanceof win.HTMLElement && t.isContentEditable) {
          control({ type: 'input', tab, node, value: t.textContent ?? '' });
        }
      };
      doc.addEventListener(
        'focusin',
        (e) => {
          // A ticked box or a chosen radio is not changed in the mirror (the click is sent instead),
          // so its echo is the only way the mirror shows it.
          const t = e.target;
          const toggles = t instanceof win.HTMLInputElement && (t.type === 'checkbox' || t.type === 'radio');
          editing = toggles ? -1 : idOf(t);
        },
        { signal },
      );
      doc.addEventListener(
        'focusout',
        () => {
          editing = -1;
        },
        { signal },
      );
      doc.addEventListener('input', onValue, { capture: true, signal });
      doc.addEventListener('change', onValue, { capture: true, signal });
      // Someone without the baton cannot type into the mirror's fields.
      doc.addEventListener(
        'beforeinput',
        (e) => {
          if (!holds.current) e.preventDefault();
        },
        { capture: true, signal },
      );
      doc.addEventListener(
        'keydown',
        (e) => {
          lastUserInput = Date.now();
          if (holds.current && e.key === 'Enter' && e.target instanceof win.HTMLInputElement) {
            e.preventDefault();
            const node = idOf(e.target);
            control({ type: 'key', tab, key: 'Enter', ...(node >= 0 ? { node } : {}) });
          }
        },
        { capture: true, signal },
      );
      for (const kind of ['wheel', 'touchmove'] as const) {
        doc.addEventListener(
          kind,
          () => {
            lastUserInput = Date.now();
          },
          { capture: true, passive: true, signal },
        );
      }
      doc.addEventListener(
        'mousemove',
        (e) => {
          if (e.target instanceof win.Element) pointAt(e.target, e.clientX, e.clientY);
        },
        { signal, passive: true },
      );
      doc.documentElement.addEventListener('mouseleave', leave, { signal });
      // Captured, so an inner scrollable element's scroll (which does not bubble) is seen too.
      win.addEventListener(
        'scroll',
        (e) => {
          if (!holds.current || Date.now() - lastUserInput > USER_SCROLL_WINDOW_MS) return;
          const t = e.target;
          if (!(t instanceof win.Element)) {
            control({ type: 'scroll', tab, x: Math.round(win.scrollX), y: Math.round(win.scrollY) });
            return;
          }
          const node = idOf(t);
          if (node >= 0)
            control({ type: 'scroll', tab, node, x: Math.round(t.scrollLeft), y: Math.round(t.scrollTop) });
        },
        { capture: true, signal },
      );
    };

    // While the baton holder types into a mirror field, the owner's page echoes each keystroke back;
    // applying those late echoes would overwrite what is being typed (and, in an editable element,
    // throw the caret back to the start), so that field's are left out.
    let editing = -1;
    const withoutEchoOfOwnTyping = (r: Replayer, e: unknown): unknown | null => {
      const ev = e as {
        type?: number;
        data?: { source?: number; id?: number; texts?: Array<{ id: number }> };
      };
      if (!holds.current || editing < 0 || ev.type !== INCREMENTAL || !ev.data) return e;
      if (ev.data.source === INPUT_SOURCE) return ev.data.id === editing ? null : e;
      if (ev.data.source !== MUTATION_SOURCE || !ev.data.texts?.length) return e;
      const mirror = r.getMirror();
      const field = mirror.getNode(editing);
      const texts = ev.data.texts.filter((t) => !field?.contains(mirror.getNode(t.id)));
      return texts.length === ev.data.texts.length ? e : { ...ev, data: { ...ev.data, texts } };
    };

    const apply = (msg: ServerMessage) => {
      if (msg.type === 'welcome') {
        replayer.current?.destroy();
        replayer.current = null;
        return;
      }
      if (msg.type !== 'rec' || msg.tab !== tab) return;
      const events = msg.events as Parameters<Replayer['addEvent']>[0][];
      const r = replayer.current ?? create();
      for (const e of events) {
        const kept = withoutEchoOfOwnTyping(r, e);
        if (kept) r.addEvent(kept as (typeof events)[number]);
      }
    };
    const unsubscribe = stream.subscribe(apply);
    return () => {
      outside.abort();
      wiring.abort();
      unsubscribe();
      observer.disconnect();
      replayer.current?.destroy();
      replayer.current = null;
    };
  }, [tab, stream, send]);

  useEffect(() => {
    const r = replayer.current;
    if (!r) return;
    if (holdsBaton) r.enableInteract();
    else r.disableInteract();
  }, [holdsBaton]);

  // The stroke being drawn here shows at once; the room's copy replaces it when it comes back.
  const [sketch, setSketch] = useState<Sketch | null>(null);
  const drawing = useRef<{ pen: StrokePen; id: number; node: number; el: Element } | null>(null);
  /** Where a viewer point falls relative to the anchor's corner, in the mirrored page's pixels. */
  const offsetFrom = (el: Element, clientX: number, clientY: number) => {
    const r = replayer.current;
    if (!r) return null;
    const frame = r.iframe.getBoundingClientRect();
    const scale = frame.width / (r.iframe.offsetWidth || 1);
    const b = el.getBoundingClientRect();
    return { x: (clientX - frame.left) / scale - b.left, y: (clientY - frame.top) / scale - b.top };
  };
  const extend = (e: PointerEvent, done: boolean) => {
    const d = drawing.current;
    const at = d && offsetFrom(d.el, e.clientX, e.clientY);
    if (!d || !at) return;
    const due = d.pen.add(at.x, at.y);
    const points = [...d.pen.points];
    setSketch({
      mark: { kind: 'stroke', id: d.id, node: d.node, shape: d.pen.shape, points, label: '', colour },
      done,
    });
    if (due || done) onStroke({ id: d.id, node: d.node, shape: d.pen.shape, points, done });
    if (done) drawing.current = null;
  };

  // Marks are drawn over the mirror in the viewer's own layer, following the mirrored elements'
  // boxes (scaled like the mirror) every frame while there are any.
  useEffect(() => {
    const view = layer.current?.ownerDocument.defaultView ?? window;
    const { shown, sketch: kept } = withSketch(marks, sketch);
    if (kept !== sketch) setSketch(kept);
    let frame = 0;
    const draw = () => {
      const r = replayer.current;
      const el = layer.current;
      if (!el) return;
      const scale = r ? r.wrapper.getBoundingClientRect().width / (r.iframe.offsetWidth || 1) : 1;
      const parts: string[] = [];
      for (const m of shown) {
        const node = r?.getMirror().getNode(m.node);
        if (!node || !('getBoundingClientRect' in node)) continue;
        const b = (node as Element).getBoundingClientRect();
        const x = b.left * scale;
        const y = b.top * scale;
        if (m.kind === 'stroke') {
          parts.push(
            strokeSvg(m.shape, m.points, { left: x, top: y, scale, position: 'absolute' }, m.colour, m.label),
          );
          continue;
        }
        const px = x + m.x * b.width * scale;
        const py = y + m.y * b.height * scale;
        if (m.kind === 'highlight') {
          parts.push(
            `<div class="mark-box" style="left:${x - 3}px;top:${y - 3}px;width:${b.width * scale + 6}px;height:${b.height * scale + 6}px;outline-color:${m.colour}"></div>`,
          );
        } else if (m.laser) {
          parts.push(`<div class="mark-laser" style="left:${px}px;top:${py}px"></div>`);
        } else if (m.kind === 'ripple') {
          parts.push(
            `<div class="mark-ripple" style="left:${px}px;top:${py}px;border-color:${m.colour}"></div>`,
          );
        } else {
          parts.push(
            `<div class="mark-dot" style="left:${px}px;top:${py}px;background:${m.colour}"></div><div class="mark-label" style="left:${px + 10}px;top:${py + 8}px;background:${m.colour}">${escapeHtml(m.label)}</div>`,
          );
        }
      }
      el.innerHTML = parts.join('');
      if (shown.length > 0) frame = view.requestAnimationFrame(draw);
    };
    draw();
    return () => view.cancelAnimationFrame(frame);
  }, [marks, sketch]);

  const drawingTool = tool === 'free' || tool === 'arrow' ? tool : null;
  return (
    <div class={`mirror${tool ? ' picking' : ''}`}>
      <div class="mirror-page" ref={box} />
      <div class="marks" ref={layer} aria-hidden="true" data-testid="marks" />
      {drawingTool && (
        <div
          class="draw-layer"
          data-testid="draw-layer"
          onPointerDown={(e) => {
            const hit = underViewerPoint(replayer.current, e.clientX, e.clientY);
            const node = hit ? (replayer.current?.getMirror().getId(hit.el as unknown as Node) ?? -1) : -1;
            if (!hit || node < 0) return;
            e.currentTarget.setPointerCapture(e.pointerId);
            drawing.current = {
              pen: new StrokePen(drawingTool, Date.now),
              id: newStrokeId(),
              node,
              el: hit.el,
            };
            extend(e, false);
          }}
          onPointerMove={(e) => extend(e, false)}
          onPointerUp={(e) => extend(e, true)}
        />
      )}
    </div>
  );
}
