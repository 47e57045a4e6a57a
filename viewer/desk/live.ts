import { useEffect, useRef, useState } from 'preact/hooks';

/** How often a screen asks the server itself while the live channel is down (docs/desk.md). */
export const POLL_MS = 5000;
/** How long to wait before trying the live channel again after it failed. */
const RETRY_MS = 30_000;

export type LiveMode = 'connecting' | 'live' | 'polling';

/**
 * The desk's live channel `/desk/ws`: frames arrive as they happen; while the socket is closed
 * (a proxy or firewall blocking WebSockets, the server restarting) `poll` runs every 5 seconds and
 * the socket is tried again now and then. `query` names a visitor's request; staff are known by
 * their cookie. `poll` also runs once at the start so the screen never waits for a first frame.
 */
export function useLive(
  query: string,
  onFrame: (frame: { type: string }) => void,
  poll: () => Promise<void>,
) {
  const [mode, setMode] = useState<LiveMode>('connecting');
  const handlers = useRef({ onFrame, poll });
  handlers.current = { onFrame, poll };

  useEffect(() => {
    let socket: WebSocket | null = null;
    let pollTimer: number | undefined;
    let retryTimer: number | undefined;
    let stopped = false;
    const pollOnce = () => handlers.current.poll().catch(() => undefined);

    const fallBack = () => {
      if (stopped) return;
      setMode('polling');
      if (pollTimer === undefined) pollTimer = window.setInterval(pollOnce, POLL_MS);
      clearTimeout(retryTimer);
      retryTimer = window.setTimeout(connect, RETRY_MS);
    };

    function connect() {
      if (stopped) return;
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      try {
        socket = new WebSocket(`${scheme}//${location.host}/desk/ws${query}`);
      } catch {
        fallBack();
        return;
      }
      socket.onopen = () => {
        setMode('live');
        clearInterval(pollTimer);
        pollTimer = undefined;
        // Whatever changed while the socket was down arrives only as the next change; ask now.
        void pollOnce();
      };
      socket.onmessage = (e) => {
        try {
          const frame = JSON.parse(String(e.data)) as { type?: unknown };
          if (typeof frame.type === 'string') handlers.current.onFrame(frame as { type: string });
        } catch {
          // A frame that is not JSON is not ours to act on.
        }
      };
      socket.onclose = () => {
        socket = null;
        fallBack();
      };
    }

    void pollOnce();
    connect();
    return () => {
      stopped = true;
      clearInterval(pollTimer);
      clearTimeout(retryTimer);
      socket?.close();
    };
  }, [query]);

  return mode;
}

/** The current time, updated every second, for clocks such as "time in state" and countdowns. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
