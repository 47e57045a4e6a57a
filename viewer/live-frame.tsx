import { useEffect, useRef, useState } from 'preact/hooks';
import type { BridgeFromPage, BridgeToPage, ClientMessage, Mark } from '../session/protocol.js';
import { openUrl } from './api.js';
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
  tool: 'highlight' | null;
  onPick: (node: number) => void;
}

/**
 * The tab owner's frame: the real page, loaded through the proxy. The runtime inside it streams the
 * recording here, and this component relays it on the socket and hands remote input back in.
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
  onPick,
}: Props) {
  const frame = useRef<HTMLIFrameElement>(null);
  const frameOrigin = useRef<string | null>(null);
  const latest = useRef({ marks, tool });
  latest.current = { marks, tool };
  const [src, setSrc] = useState(initialUrl ? openUrl(session, initialUrl) : null);

  useEffect(() => {
    const fromPage = (e: MessageEvent<BridgeFromPage>) => {
      if (!frame.current || e.source !== frame.current.contentWindow) return;
      const host = new URL(e.origin).hostname;
      if (!host.endsWith(`.${contentDomain}`)) return;
      frameOrigin.current = e.origin;
      if (e.data?.tandem === 'rec') send({ type: 'rec', tab, events: e.data.events as never });
      else if (e.data?.tandem === 'picked') onPick(e.data.node);
      else if (e.data?.tandem === 'error')
        send({ type: 'report', kind: 'recorder-error', message: e.data.message });
      else if (e.data?.tandem === 'location')
        send({ type: 'location', tab, url: e.data.url, title: e.data.title });
    };
    addEventListener('message', fromPage);
    return () => removeEventListener('message', fromPage);
  }, [contentDomain, send, tab, onPick]);

  useEffect(
    () =>
      stream.subscribe((msg) => {
        const toPage = (m: BridgeToPage) => {
          if (frame.current?.contentWindow && frameOrigin.current) {
            frame.current.contentWindow.postMessage(m, frameOrigin.current);
          }
        };
        if (msg.type === 'welcome' || msg.type === 'snapshot.request') toPage({ tandem: 'snapshot' });
        else if (msg.type === 'nav') setSrc(openUrl(session, msg.url));
        // Back, forward and reload act on the page's own history, whoever asked (the owner included).
        else if (msg.type === 'history') toPage({ tandem: 'control', message: msg });
        else if (
          (msg.type === 'click' || msg.type === 'input' || msg.type === 'scroll' || msg.type === 'key') &&
          msg.from !== me
        ) {
          toPage({ tandem: 'control', message: msg });
        }
      }),
    [stream, session, me],
  );

  // Marks and the tool are (re)sent whenever they change and whenever the page reports in, since a
  // newly loaded page starts without them.
  const toPage = (m: BridgeToPage) => {
    if (frame.current?.contentWindow && frameOrigin.current)
      frame.current.contentWindow.postMessage(m, frameOrigin.current);
  };
  useEffect(() => toPage({ tandem: 'marks', marks }), [marks]);
  useEffect(() => toPage({ tandem: 'tool', tool }), [tool]);

  if (!src) {
    return (
      <div class="placeholder">
        <p>Type an address above and press Enter to start browsing together.</p>
      </div>
    );
  }
  return (
    <iframe
      ref={frame}
      class="live"
      data-testid="page-frame"
      title="Shared page"
      src={src}
      allow="clipboard-write; fullscreen"
    />
  );
}
