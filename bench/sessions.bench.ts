import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { createSession, joinAs } from '../test/helpers/tandem.js';

const SESSIONS = Number(process.env.SESSIONS ?? 2000);
const WARMUP_MS = 2_000;
const DURATION_MS = 10_000;
/** The clients are split over threads so that no one thread of them is what holds the traffic back. */
const CLIENT_THREADS = 2;

interface ClientResult {
  sent: number;
  received: number;
  latencies: number[];
  clientCpu: number;
  /** The server's thread and the whole process over the client thread's measuring window. */
  serverCpu: number;
  processCpu: number;
  wallMicros: number;
  /** This client thread's id, and every thread's CPU time over its window. */
  self: number;
  threads: Array<[number, number]>;
}

/**
 * The original design's figure per node: 2,000 two-person sessions at once with typical traffic
 * (a recorder batch every 500 ms, the follower's pointer 5 times a second, a chat line every 10 s),
 * every event archived before it is delivered, measured after 2 s of the same traffic (the first
 * second carries the compiler's warm-up, a stall of a few hundred ms once). The clients run in two threads of their own, on the
 * bench's minimal WebSocket client (`raw-websocket.ts`); on a 2-core machine they still share the
 * cores with Tandem, so the CPU time of the server's thread and of the clients' threads are reported
 * apart.
 */
export async function run(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-sessions-bench-'));
  const tandem = await startTandem(
    parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []),
    { logger: pino({ level: 'silent' }) },
  );
  try {
    const pairs: Array<{ session: string; ownerToken: string; followerToken: string }> = [];
    const one = async () => {
      const s = await createSession(tandem.url);
      const owner = await joinAs(tandem.url, s.id, 'Agent', s.hostKey);
      const follower = await joinAs(tandem.url, s.id, 'Visitor', s.joinKey);
      pairs.push({ session: s.id, ownerToken: owner.token, followerToken: follower.token });
    };
    for (let i = 0; i < SESSIONS; i += 50) await Promise.all(Array.from({ length: 50 }, one));
    const threads = Array.from(
      { length: CLIENT_THREADS },
      (_, t) =>
        new Worker(new URL('./sessions-worker.js', import.meta.url), {
          workerData: {
            url: tandem.url,
            pairs: pairs.filter((_, i) => i % CLIENT_THREADS === t),
            warmupMs: WARMUP_MS,
            durationMs: DURATION_MS,
            recEveryMs: 500,
            pointerEveryMs: 200,
            chatEveryMs: 10_000,
          },
        }),
    );
    const next = <T>(worker: Worker) =>
      new Promise<T>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const connected = await Promise.all(threads.map((w) => next<{ connected: number }>(w)));
    const results = threads.map((w) => next<ClientResult>(w));
    for (const w of threads) w.postMessage('go');
    const clients = await Promise.all(results);
    const sum = (f: (r: ClientResult) => number) => clients.reduce((a, r) => a + f(r), 0);
    const mean = (f: (r: ClientResult) => number) => sum(f) / clients.length;
    const sent = sum((r) => r.sent);
    const events = Math.max(1, sent);
    // Beside the server's thread and the clients': the archive's writer (the busiest of the rest),
    // and the garbage collector's helpers and the checkpointer.
    const others = (clients[0]?.threads ?? [])
      .filter(([id]) => id !== process.pid && !clients.some((c) => c.self === id))
      .map(([, micros]) => micros)
      .sort((a, b) => b - a);
    const wallMicros = mean((r) => r.wallMicros);
    const latencies = clients.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const at = (p: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
    return {
      'two-person sessions': SESSIONS,
      'sockets connected': connected.reduce((a, c) => a + c.connected, 0),
      'client threads': CLIENT_THREADS,
      'events sent per second': Math.round(sent / (DURATION_MS / 1000)),
      'delivered of sent': Number((sum((r) => r.received) / events).toFixed(3)),
      'relay p50 ms': at(0.5),
      'relay p99 ms (goal <= 50)': at(0.99),
      'relay max ms': Math.round(latencies.at(-1) ?? 0),
      'server thread busy, % of a core': Math.round((100 * mean((r) => r.serverCpu)) / wallMicros),
      'server thread CPU µs per event': Math.round(mean((r) => r.serverCpu) / events),
      'busiest other thread (archive writer), % of a core': Math.round((100 * (others[0] ?? 0)) / wallMicros),
      'remaining threads (GC helpers...), % of a core': Math.round(
        (100 * others.slice(1).reduce((a, b) => a + b, 0)) / wallMicros,
      ),
      'clients threads CPU µs per event': Math.round(sum((r) => r.clientCpu) / events),
      // Every thread of the process: the server's, the archive writer's, the clients', the garbage
      // collector's helpers. Past about 1.5 of this machine's 2 cores, the relay's queues grow.
      'cores in use, all threads': Number((mean((r) => r.processCpu) / wallMicros).toFixed(2)),
    };
  } finally {
    await tandem.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
