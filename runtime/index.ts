import { record } from '@rrweb/record';
import { newStrokeId, StrokePen } from '../session/drawing.js';
import type { BridgeFromPage, BridgeToPage, Tool } from '../session/protocol.js';
import { execute } from './executor.js';
import { maskAllKinds, maskInput, PRIVATE_ATTRIBUTE } from './masking.js';
import { OVERLAY_TAG, Overlay } from './overlay.js';
import { installShims, openInSession } from './shims.js';

/**
 * Injected as the first script of every proxied document. In the owner's live frame it records the
 * page with rrweb for the viewer to stream, and executes the baton holder's input.
 */
const FLUSH_MS = 40;
/** Recorder errors reported per page, so a broken page cannot flood the viewer. */
const MAX_REPORTS = 5;

function start(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const appOrigin = script?.dataset.tandemApp;
  const upstreamOrigin = script?.dataset.tandemOrigin;
  // Taken before the shims, which make the page see itself as the top window. Only the top document
  // talks to the viewer; nested frames are recorded by it. The viewer is the parent of the live
  // frame, or the opener when the owner floated the page into its own window.
  const parent = window.parent;
  const viewer = parent === window ? (window.opener as Window | null) : parent === window.top ? parent : null;
  installShims(upstreamOrigin, script?.dataset.tandemCookies, appOrigin);
  if (!appOrigin || !upstreamOrigin || !viewer) return;
  const post = (msg: BridgeFromPage) => viewer.postMessage(msg, appOrigin);
  openInSession(upstreamOrigin, (url) => post({ tandem: 'open', url }));

  let pending: unknown[] = [];
  let timer: number | undefined;
  const flush = () => {
    timer = undefined;
    if (pending.length === 0) return;
    post({ tandem: 'rec', events: pending });
    pending = [];
  };

  let reported = 0;
  const nodeById = (id: number) => record.mirror.getNode(id);
  const overlay = new Overlay(nodeById);
  record({
    emit(event) {
      pending.push(event);
      if (timer === undefined) timer = window.setTimeout(flush, FLUSH_MS);
    },
    maskInputOptions: maskAllKinds,
    maskInputFn: maskInput,
    maskTextSelector: `[${PRIVATE_ATTRIBUTE}]`,
    blockSelector: OVERLAY_TAG,
    // A failing observer is reported and the rest of the recording goes on, instead of rrweb
    // rethrowing into the page and the stream silently going quiet.
    errorHandler(error) {
      if (reported++ < MAX_REPORTS)
        post({ tandem: 'error', message: String((error as Error)?.stack ?? error).slice(0, 2000) });
      return true;
    },
    recordCanvas: false,
    collectFonts: false,
    sampling: { mousemove: 50, scroll: 100 },
  });

  // The first report says the document is new, so marks on the one before it go even when it was
  // loaded again at the same address: the recorder numbers the new document's elements afresh.
  let loaded = false;
  const reportLocation = () => {
    post({
      tandem: 'location',
      url: `${upstreamOrigin}${location.pathname}${location.search}${location.hash}`,
      title: document.title,
      ...(loaded ? {} : { load: true as const }),
    });
    loaded = true;
  };
  reportLocation();
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      reportLocation();
    };
  }
  addEventListener('hashchange', reportLocation);
  addEventListener('popstate', reportLocation);
  addEventListener('load', reportLocation);
  addEventListener('pagehide', flush);

  let tool: Tool | null = null;
  let colour = '#2f6fed';
  // With a tool active, the owner's click picks the element for the tool instead of acting on the page.
  addEventListener(
    'click',
    (e) => {
      // The executor's clicks for the person in control are not the owner's: they still act.
      if (!tool || !e.isTrusted) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      const id = record.mirror.getId(e.target as Node);
      if (tool === 'highlight' && id > 0) post({ tandem: 'picked', node: id });
    },
    true,
  );

  // With a drawing tool, a drag draws a stroke anchored to the element it starts on; the page sees
  // none of it (no selection, no dragging of links or images).
  let stroke: { pen: StrokePen; id: number; node: number; el: Element } | null = null;
  /** Shows the stroke so far here and, when due or done, sends it to the viewer. */
  const report = (due: boolean, done: boolean) => {
    if (!stroke) return;
    const { id, node, pen } = stroke;
    const mark = {
      kind: 'stroke',
      id,
      node,
      shape: pen.shape,
      points: pen.points,
      label: '',
      colour,
    } as const;
    overlay.drawing({ mark, done });
    if (due || done) post({ tandem: 'stroke', id, node, shape: pen.shape, points: [...pen.points], done });
    if (done) stroke = null;
  };
  const extend = (e: PointerEvent, done: boolean) => {
    if (!stroke) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const r = stroke.el.getBoundingClientRect();
    report(stroke.pen.add(e.clientX - r.left, e.clientY - r.top), done);
  };
  /** Ends a stroke whose pointer-up the page never saw (released outside it) where it last was. */
  const finish = () => report(false, true);
  addEventListener(
    'pointerdown',
    (e) => {
      if (tool !== 'free' && tool !== 'arrow') return;
      const el = e.target instanceof Element ? e.target : null;
      const node = el ? record.mirror.getId(el) : -1;
      if (!el || node <= 0) return;
      finish();
      stroke = { pen: new StrokePen(tool, Date.now), id: newStrokeId(), node, el };
      extend(e, false);
    },
    true,
  );
  addEventListener('pointermove', (e) => extend(e, false), true);
  addEventListener('pointerup', (e) => extend(e, true), true);
  addEventListener('pointercancel', (e) => extend(e, true), true);

  for (const kind of ['mousedown', 'dragstart', 'selectstart'] as const) {
    addEventListener(
      kind,
      (e) => {
        if (tool === 'free' || tool === 'arrow') e.preventDefault();
      },
      true,
    );
  }

  addEventListener('message', (e: MessageEvent<BridgeToPage>) => {
    if (e.source !== viewer || e.origin !== appOrigin) return;
    const msg = e.data;
    if (msg?.tandem === 'control') execute(msg.message, nodeById);
    else if (msg?.tandem === 'marks') overlay.show(msg.marks);
    else if (msg?.tandem === 'tool') {
      // The viewer changes the tool when the drag ended outside the page, among other times.
      finish();
      tool = msg.tool;
      colour = msg.colour;
    } else if (msg?.tandem === 'snapshot') {
      record.takeFullSnapshot(true);
      reportLocation();
    }
  });
}

start();
