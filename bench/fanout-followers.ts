import { RawWebSocket } from './raw-websocket.js';

/**
 * A share of one session's followers, on real WebSockets, in a process of its own (forked by
 * fanout.bench.ts). It joins them, reports when all are connected, then records when each numbered
 * event reached the last of its followers, how many chat lines each one got, and the CPU it spent.
 * The sockets are `RawWebSocket`s, not ws clients: on two cores shared with the server, ws's cost per
 * message in these processes was what kept the crowd from reading as fast as the server sent.
 */
interface Job {
  url: string;
  session: string;
  joinKey: string;
  count: number;
  first: number;
}

const now = () => performance.timeOrigin + performance.now();

async function join(job: Job, i: number): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${job.url}/api/sessions/${job.session}/participants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `F${job.first + i}`, key: job.joinKey }),
      });
      if (res.status !== 201) throw new Error(`join: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

function open(job: Job, token: string, onMessage: (text: string) => void): Promise<RawWebSocket> {
  return RawWebSocket.open(
    `${job.url.replace(/^http/, 'ws')}/ws?session=${job.session}&token=${encodeURIComponent(token)}`,
    onMessage,
  );
}

async function inBatches(count: number, width: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

process.once('message', async (job: Job) => {
  const lastArrival = new Map<number, number>();
  const arrivals = new Map<number, number>();
  const chats = new Uint32Array(job.count);
  const sockets: RawWebSocket[] = [];
  const tokens: string[] = [];
  await inBatches(job.count, 16, async (i) => {
    tokens[i] = await join(job, i);
  });
  await inBatches(job.count, 64, async (i) => {
    const ws = await open(job, tokens[i] as string, (text) => {
      if (text.startsWith('{"type":"rec"')) {
        const n = Number(/"n":(\d+)/.exec(text)?.[1]);
        lastArrival.set(n, now());
        arrivals.set(n, (arrivals.get(n) ?? 0) + 1);
      } else if (text.startsWith('{"type":"chat"')) {
        chats[i] = (chats[i] ?? 0) + 1;
      }
    });
    sockets.push(ws);
  });
  process.send?.({ ready: true });
  let cpuAtStart = process.cpuUsage();
  process.on('message', (m: { start?: boolean; progress?: number; report?: boolean }) => {
    if (m.start) {
      cpuAtStart = process.cpuUsage();
      return;
    }
    if (m.progress !== undefined) {
      process.send?.({ arrived: arrivals.get(m.progress) ?? 0 });
      return;
    }
    if (!m.report) return;
    const cpu = process.cpuUsage(cpuAtStart);
    process.send?.({
      lastArrival: [...lastArrival],
      arrivals: [...arrivals],
      fewestChats: chats.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY),
      cpuMicros: cpu.user + cpu.system,
    });
    for (const ws of sockets) ws.terminate();
    setTimeout(() => process.exit(0), 200);
  });
});
