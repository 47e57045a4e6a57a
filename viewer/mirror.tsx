import { Replayer } from '@rrweb/replay';
import { useEffect, useRef } from 'preact/hooks';
import type { ClientMessage, ControlMessage, ServerMessage } from '../session/protocol.js';
import type { Stream } from './stream.js';

interface Props {
  tab: string;
  holdsBaton: boolean;
  /** The baton epoch this participant holds it under, sent with every input. */
  epoch: number;
  stream: Stream;
  send: (msg: ClientMessage) => boolean;
}

/** Casts every event as soon as it arrives: the owner's page is live, not a recording to pace. */
const LIVE_NOW = Number.MAX_SAFE_INTEGER;
/** rrweb's event type for incremental snapshots, and its source number for input changes. */
const INCREMENTAL = 3;
const INPUT_SOURCE = 5;
/** Scrolls in the mirror count as the person's own only this soon after their wheel, key or touch. */
const USER_SCROLL_WINDOW_MS = 600;

/**
 * A follower's view of the tab: rrweb rebuilds the owner's page from the stream inside a sandboxed
 * frame with no page scripts. When this participant holds the baton, their input on the mirror is
 * sent to the server instead of acting locally.
 */
export function Mirror({ tab, holdsBaton, epoch, stream, send }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const replayer = useRef<Replayer | null>(null);
  const holds = useRef(holdsBaton);
  holds.current = holdsBaton;
  const epochNow = useRef(epoch);
  epochNow.current = epoch;

  useEffect(() => {
    const root = box.current;
    if (!root) return;

    const fit = () => {
      const r = replayer.current;
      if (!r) return;
      const w = r.iframe.offsetWidth || 1;
      const h = r.iframe.offsetHeight || 1;
      const scale = Math.min(1, root.clientWidth / w, root.clientHeight / h);
      r.wrapper.style.transform = `scale(${scale})`;
    };
    const observer = new ResizeObserver(fit);
    observer.observe(root);

    const create = () => {
      root.replaceChildren();
      const r = new Replayer([], {
        root,
        liveMode: true,
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
          if (!holds.current) return;
          const target = e.target as Element;
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
        }
      };
      doc.addEventListener(
        'focusin',
        (e) => {
          editing = idOf(e.target);
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
      win.addEventListener(
        'scroll',
        () => {
          if (!holds.current || Date.now() - lastUserInput > USER_SCROLL_WINDOW_MS) return;
          control({ type: 'scroll', tab, x: Math.round(win.scrollX), y: Math.round(win.scrollY) });
        },
        { signal },
      );
    };

    // While the baton holder types into a mirror field, the owner's page echoes each keystroke back;
    // applying those late echoes would overwrite what is being typed, so that field's are skipped.
    let editing = -1;
    const isEchoOfOwnTyping = (e: unknown) => {
      const ev = e as { type?: number; data?: { source?: number; id?: number } };
      return (
        holds.current && ev.type === INCREMENTAL && ev.data?.source === INPUT_SOURCE && ev.data.id === editing
      );
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
      for (const e of events) if (!isEchoOfOwnTyping(e)) r.addEvent(e);
    };
    const unsubscribe = stream.subscribe(apply);
    return () => {
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

  return <div class="mirror" ref={box} />;
}
