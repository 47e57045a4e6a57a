import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

/**
 * Both participants of many two-person sessions, on real WebSockets, in a thread of their own. The
 * owner streams recorder batches and chats; the follower moves its pointer. Every message carries
 * the time it was sent, and the receiving side records how long it took.
 */
interface Pair {
  session: string;
  ownerToken: string;
  followerToken: string;
}

interface Job {
  url: string;
  pairs: Pair[];
  durationMs: number;
  recEveryMs: number;
  pointerEveryMs: number;
  chatEveryMs: number;
}

const job = workerData as Job;
const latencies: number[] = [];
let sent = 0;
let received = 0;

function open(session: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `${job.url.replace(/^http/, 'ws')}/ws?session=${session}&token=${encodeURIComponent(token)}`,
    );
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function measure(ws: WebSocket, own: () => boolean): void {
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as {
      type: string;
      text?: string;
      events?: Array<{ timestamp: number }>;
      x?: number;
    };
    let sentAt: number | undefined;
    if (m.type === 'rec') sentAt = m.events?.[0]?.timestamp;
    else if (m.type === 'chat' && !own()) sentAt = Number(m.text);
    else if (m.type === 'pointer') sentAt = (m.x ?? 0) * 1e13;
    if (sentAt === undefined || !Number.isFinite(sentAt)) return;
    received++;
    latencies.push(Date.now() - sentAt);
  });
}

const sockets: WebSocket[] = [];
for (const p of job.pairs) {
  const owner = await open(p.session, p.ownerToken);
  const follower = await open(p.session, p.followerToken);
  measure(follower, () => false);
  measure(owner, () => true);
  sockets.push(owner, follower);
}
parentPort?.postMessage({ connected: sockets.length });

const padding = 'x'.repeat(900);
const timers: NodeJS.Timeout[] = [];
const every = (ms: number, fn: () => void) => {
  // Spread over the period, so the load is even rather than in bursts.
  const start = setTimeout(() => timers.push(setInterval(fn, ms)), Math.random() * ms);
  timers.push(start);
};
for (let i = 0; i < sockets.length; i += 2) {
  const owner = sockets[i] as WebSocket;
  const follower = sockets[i + 1] as WebSocket;
  every(job.recEveryMs, () => {
    sent++;
    owner.send(
      JSON.stringify({
        type: 'rec',
        tab: 't1',
        events: [
          {
            type: 3,
            timestamp: Date.now(),
            data: { source: 0, texts: [], attributes: [], removes: [], adds: [], pad: padding },
          },
        ],
      }),
    );
  });
  every(job.pointerEveryMs, () => {
    sent++;
    // The send time rides in x, a fraction as the protocol wants (ms / 1e13 stays within [0, 1]).
    follower.send(JSON.stringify({ type: 'pointer', tab: 't1', node: 1, x: Date.now() / 1e13, y: 0.5 }));
  });
  every(job.chatEveryMs, () => {
    sent++;
    owner.send(JSON.stringify({ type: 'chat', text: String(Date.now()) }));
  });
}
await new Promise((r) => setTimeout(r, job.durationMs));
for (const t of timers) clearInterval(t);
await new Promise((r) => setTimeout(r, 1000));
for (const ws of sockets) ws.terminate();
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
parentPort?.postMessage({ sent, received, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 });
