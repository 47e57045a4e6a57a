import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { createSession, joinAs } from '../test/helpers/tandem.js';
import { threadCpuMicros } from './thread-cpu.js';

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
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const serverLoop = performance.eventLoopUtilization();
    const serverCpuBefore = threadCpuMicros();
    const processCpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const clients = await Promise.all(results);
    const serverBusy = performance.eventLoopUtilization(serverLoop).utilization;
    const serverCpu = threadCpuMicros() - serverCpuBefore;
    const processCpu = process.cpuUsage(processCpuBefore);
    const wall = performance.now() - wallBefore;
    const sum = (f: (r: ClientResult) => number) => clients.reduce((a, r) => a + f(r), 0);
    const sent = sum((r) => r.sent);
    const events = Math.max(1, sent);
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
      'server event loop busy % under load': Math.round(serverBusy * 100),
      'server thread CPU µs per event': Math.round(serverCpu / events),
      'clients threads CPU µs per event': Math.round(sum((r) => r.clientCpu) / events),
      // Every thread of the process: the server's, the archive writer's, the clients', the garbage
      // collector's helpers. Past about 1.5 of this machine's 2 cores, the relay's queues grow.
      'cores in use, all threads': Number(((processCpu.user + processCpu.system) / 1000 / wall).toFixed(2)),
    };
  } finally {
    await tandem.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
