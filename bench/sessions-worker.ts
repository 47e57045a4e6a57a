import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { RawWebSocket } from './raw-websocket.js';
import { allThreadsCpuMicros, threadCpuMicros, threadId } from './thread-cpu.js';

/**
 * Both participants of many two-person sessions, on real WebSockets, in a thread of their own (one
 * of the threads sessions.bench.ts spreads the sessions over). The
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
  /** Traffic runs this long before anything is counted: the first second carries the JIT's warm-up. */
  warmupMs: number;
  durationMs: number;
  recEveryMs: number;
  pointerEveryMs: number;
  chatEveryMs: number;
}

const job = workerData as Job;
const latencies: number[] = [];
let sent = 0;
let received = 0;
/** Only what was sent from then on is counted, on both sides. */
let measureFrom = Number.POSITIVE_INFINITY;

/**
 * What a participant's socket does with each message: note how long it took, if it says. Only the
 * few fields needed are read, so the clients' own parsing stays out of the server's way.
 */
function measure(own: boolean): (text: string) => void {
  return (text) => {
    let sentAt: number | undefined;
    if (text.startsWith('{"type":"rec"')) sentAt = numberAfter(text, '"timestamp":');
    else if (text.startsWith('{"type":"chat"') && !own) sentAt = numberAfter(text, '"text":"');
    else if (text.startsWith('{"type":"pointer"')) sentAt = (numberAfter(text, '"x":') ?? 0) * 1e13;
    if (sentAt === undefined || !Number.isFinite(sentAt) || sentAt < measureFrom) return;
    received++;
    latencies.push(Date.now() - sentAt);
  };
}

function numberAfter(text: string, key: string): number | undefined {
  const at = text.indexOf(key);
  return at < 0 ? undefined : Number.parseFloat(text.slice(at + key.length, at + key.length + 32));
}

const open = (session: string, token: string, own: boolean) =>
  RawWebSocket.open(
    `${job.url.replace(/^http/, 'ws')}/ws?session=${session}&token=${encodeURIComponent(token)}`,
    measure(own),
  );

const sockets: RawWebSocket[] = [];
for (const p of job.pairs) {
  const owner = await open(p.session, p.ownerToken, true);
  const follower = await open(p.session, p.followerToken, false);
  sockets.push(owner, follower);
}
parentPort?.postMessage({ connected: sockets.length });
// Every thread starts its traffic at once.
await new Promise((go) => parentPort?.once('message', go));

const padding = 'x'.repeat(900);
const timers: NodeJS.Timeout[] = [];
const every = (ms: number, fn: () => void) => {
  // Spread over the period, so the load is even rather than in bursts.
  const start = setTimeout(() => timers.push(setInterval(fn, ms)), Math.random() * ms);
  timers.push(start);
};
for (let i = 0; i < sockets.length; i += 2) {
  const owner = sockets[i] as RawWebSocket;
  const follower = sockets[i + 1] as RawWebSocket;
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
await new Promise((r) => setTimeout(r, job.warmupMs));
measureFrom = Date.now();
sent = 0;
// The server's thread and the whole process are read from here, over this thread's own window: the
// server's loop, when it is what is overloaded, would time its own window late.
const cpu = threadCpuMicros();
const serverCpu = threadCpuMicros(process.pid);
const processCpu = process.cpuUsage();
const threads = allThreadsCpuMicros();
const wall = performance.now();
await new Promise((r) => setTimeout(r, job.durationMs));
const window = {
  self: threadId(),
  threads: [...allThreadsCpuMicros()].map(([id, micros]) => [id, micros - (threads.get(id) ?? 0)]),
  serverCpu: threadCpuMicros(process.pid) - serverCpu,
  processCpu: (({ user, system }) => user + system)(process.cpuUsage(processCpu)),
  wallMicros: (performance.now() - wall) * 1000,
};
for (const t of timers) clearInterval(t);
// Still counting what was sent by now and arrives within the next second.
await new Promise((r) => setTimeout(r, 1000));
for (const ws of sockets) ws.terminate();
parentPort?.postMessage({
  sent,
  received,
  latencies,
  clientCpu: threadCpuMicros() - cpu,
  ...window,
});
