import { record } from '@rrweb/record';
import type { BridgeFromPage, BridgeToPage } from '../session/protocol.js';
import { execute } from './executor.js';
import { maskAllKinds, maskInput, PRIVATE_ATTRIBUTE } from './masking.js';
import { OVERLAY_TAG, Overlay } from './overlay.js';
import { installShims } from './shims.js';

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
  // Taken before the shims, which make the page see itself as the top window.
  const viewer = window.parent;
  const underViewer = viewer !== window && viewer === window.top;
  installShims(upstreamOrigin, script?.dataset.tandemCookies, appOrigin);
  // Only the top document of the live frame talks to the viewer; nested frames are recorded by it.
  if (!appOrigin || !upstreamOrigin || !underViewer) return;
  const post = (msg: BridgeFromPage) => viewer.postMessage(msg, appOrigin);

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

  const reportLocation = () =>
    post({
      tandem: 'location',
      url: `${upstreamOrigin}${location.pathname}${location.search}${location.hash}`,
      title: document.title,
    });
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

  let tool: 'highlight' | null = null;
  // With a tool active, the owner's click picks the element for the tool instead of acting on the page.
  addEventListener(
    'click',
    (e) => {
      if (!tool) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      const id = record.mirror.getId(e.target as Node);
      if (id > 0) post({ tandem: 'picked', node: id });
    },
    true,
  );

  addEventListener('message', (e: MessageEvent<BridgeToPage>) => {
    if (e.source !== viewer || e.origin !== appOrigin) return;
    const msg = e.data;
    if (msg?.tandem === 'control') execute(msg.message, nodeById);
    else if (msg?.tandem === 'marks') overlay.show(msg.marks);
    else if (msg?.tandem === 'tool') tool = msg.tool;
    else if (msg?.tandem === 'snapshot') {
      record.takeFullSnapshot(true);
      reportLocation();
    }
  });
}

start();
