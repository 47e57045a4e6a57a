import { useEffect, useRef, useState } from 'preact/hooks';
import type { BridgeFromPage, BridgeToPage, ClientMessage, Mark, Tool } from '../session/protocol.js';
import { openUrl } from './api.js';
import type { DrawnStroke } from './mirror.js';
import type { Stream } from './stream.js';

interface Props {
  session: string;
  me: string;
  tab: string;
  initialUrl: string | null;
  contentDomain: string;
  stream: Stream;
  send: (msg: ClientMessage) => boolean;
  marks: Mark[];
  tool: Tool | null;
  /** This person's colour, for the stroke they draw on the page. */
  colour: string;
  onPick: (node: number) => void;
  onStroke: (stroke: DrawnStroke) => void;
  /** The window the page was floated into; while there is one, no frame runs it here. */
  popup: Window | null;
  /** Another of this person's tabs is shown: the page keeps running out of sight. */
  hidden: boolean;
}

/**
 * The tab owner's page: the real page, loaded through the proxy in a frame, or floated into a window
 * of its own. The runtime inside it streams the recording here, and this component relays it on the
 * socket and hands remote input back in.
 */
export function LiveFrame({
  session,
  me,
  tab,
  initialUrl,
  contentDomain,
  stream,
  send,
  marks,
  tool,
  colour,
  onPick,
  onStroke,
  popup,
  hidden,
}: Props) {
  const frame = useRef<HTMLIFrameElement>(null);
  const pageOrigin = useRef<string | null>(null);
  const latest = useRef({ marks, tool, colour });
  latest.current = { marks, tool, colour };
  const [src, setSrc] = useState(initialUrl ? openUrl(session, initialUrl) : null);
  const page = () => popup ?? frame.current?.contentWindow ?? null;
  const toPage = (m: BridgeToPage) => {
    const w = page();
    if (w && pageOrigin.current) w.postMessage(m, pageOrigin.current);
  };
  /** A page that (re)loads starts without marks or a tool: give it both whenever it reports in. */
  const catchUp = () => {
    toPage({ tandem: 'marks', marks: latest.current.marks });
    toPage({ tandem: 'tool', tool: latest.current.tool, colour: latest.current.colour });
  };

  useEffect(() => {
    const fromPage = (e: MessageEvent<BridgeFromPage>) => {
      if (!e.source || e.source !== page()) return;
      const host = new URL(e.origin).hostname;
      if (!host.endsWith(`.${contentDomain}`)) return;
      const first = pageOrigin.current !== e.origin;
      pageOrigin.current = e.origin;
      if (first) catchUp();
      if (e.data?.tandem === 'rec') send({ type: 'rec', tab, events: e.data.events as never });
      else if (e.data?.tandem === 'picked') onPick(e.data.node);
      else if (e.data?.tandem === 'open') send({ type: 'tab.open', tab, url: e.data.url });
      else if (e.data?.tandem === 'stroke') {
        const { tandem: _tandem, ...stroke } = e.data;
        onStroke(stroke);
      } else if (e.data?.tandem === 'error')
        send({ type: 'report', kind: 'recorder-error', message: e.data.message });
      else if (e.data?.tandem === 'location') {
        const { url, title, load } = e.data;
        send({ type: 'location', tab, url, title, ...(load ? { load } : {}) });
        catchUp();
      }
    };
    addEventListener('message', fromPage);
    return () => removeEventListener('message', fromPage);
  }, [contentDomain, send, tab, onPick, onStroke, popup]);

  useEffect(
    () =>
      stream.subscribe((msg) => {
        if (msg.type === 'welcome') return toPage({ tandem: 'snapshot' });
        if (!('tab' in msg) || msg.tab !== tab) return;
        if (msg.type === 'snapshot.request') toPage({ tandem: 'snapshot' });
        else if (msg.type === 'nav') {
          const to = openUrl(session, msg.url);
          if (popup) popup.location.href = new URL(to, location.href).href;
          else setSrc(to);
        }
        // Back, forward and reload act on the page's own history, whoever asked (the owner included).
        else if (msg.type === 'history') toPage({ tandem: 'control', message: msg });
        else if (
          (msg.type === 'click' || msg.type === 'input' || msg.type === 'scroll' || msg.type === 'key') &&
          msg.from !== me
        ) {
          toPage({ tandem: 'control', message: msg });
        }
      }),
    [stream, session, me, popup, tab],
  );

  useEffect(() => toPage({ tandem: 'marks', marks }), [marks]);
  useEffect(() => toPage({ tandem: 'tool', tool, colour }), [tool, colour]);
  // A drag on the page that is released over the viewer: the page never hears the pointer-up, so it
  // is given its tool again, which ends the stroke it is drawing.
  useEffect(() => {
    if (tool !== 'free' && tool !== 'arrow') return;
    const released = () => toPage({ tandem: 'tool', tool, colour });
    addEventListener('pointerup', released);
    return () => removeEventListener('pointerup', released);
  }, [tool, colour]);

  if (popup) return null;
  if (!src) {
    if (hidden) return null;
    return (
      <div class="placeholder">
        <p>Type an address above and press Enter to start browsing together.</p>
      </div>
    );
  }
  return (
    <iframe
      ref={frame}
      class={hidden ? 'live background' : 'live'}
      data-testid={hidden ? undefined : 'page-frame'}
      data-tab={tab}
      aria-hidden={hidden}
      tabIndex={hidden ? -1 : undefined}
      title="Shared page"
      src={src}
      allow="clipboard-write; fullscreen"
    />
  );
}
