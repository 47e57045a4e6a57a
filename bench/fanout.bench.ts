import fs from 'node:fs';
import pino from 'pino';
import WebSocket from 'ws';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { createSession, joinAs } from '../test/helpers/tandem.js';

const FOLLOWERS = 500;
const MESSAGES = 200;

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

/**
 * One owner streaming recorder batches over a real WebSocket to followers on real sockets (all on
 * loopback, in this process): how fast one node fans a page out, send to last delivery.
 */
export async function run(): Promise<Record<string, number>> {
  const dataDir = `/tmp/tandem-bench-fanout-${process.pid}`;
  const tandem = await startTandem(
    parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []),
    {
      logger: pino({ level: 'silent' }),
    },
  );
  const sockets: WebSocket[] = [];
  try {
    const session = await createSession(tandem.url);
    const wsUrl = (token: string) =>
      `${tandem.url.replace(/^http/, 'ws')}/ws?session=${session.id}&token=${token}`;
    const owner = await joinAs(tandem.url, session.id, 'Owner', session.hostKey);
    const ownerWs = await open(wsUrl(owner.token));
    sockets.push(ownerWs);
    const received = new Map<number, number>();
    const lastDelivery = new Map<number, number>();
    for (let i = 0; i < FOLLOWERS; i++) {
      const f = await joinAs(tandem.url, session.id, `F${i}`, session.joinKey);
      const ws = await open(wsUrl(f.token));
      ws.on('message', (data) => {
        const text = data.toString();
        if (!text.startsWith('{"type":"rec"')) return;
        const n = Number(/"n":(\d+)/.exec(text)?.[1]);
        received.set(n, (received.get(n) ?? 0) + 1);
        lastDelivery.set(n, performance.now());
      });
      sockets.push(ws);
    }
    const sentAt: number[] = [];
    const start = performance.now();
    for (let n = 0; n < MESSAGES; n++) {
      const events = Array.from({ length: 20 }, (_, i) => ({
        type: 3,
        timestamp: Date.now(),
        data: { source: 1, n, positions: [{ x: i, y: i * 2, id: 42, timeOffset: -i }] },
      }));
      sentAt[n] = performance.now();
      ownerWs.send(JSON.stringify({ type: 'rec', tab: 't1', events }));
      if (n % 20 === 19) await new Promise((r) => setImmediate(r));
    }
    const deadline = Date.now() + 60_000;
    while ((received.get(MESSAGES - 1) ?? 0) < FOLLOWERS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const seconds = (performance.now() - start) / 1000;
    let total = 0;
    for (const v of received.values()) total += v;
    const latencies = sentAt.map((t, n) => (lastDelivery.get(n) ?? t) - t).sort((a, b) => a - b);
    return {
      'followers on real sockets': FOLLOWERS,
      'deliveries/s': Math.round(total / seconds),
      'delivered of sent': Number((total / (FOLLOWERS * MESSAGES)).toFixed(4)),
      'send to last follower p50 ms': Number((latencies[Math.floor(MESSAGES / 2)] ?? 0).toFixed(1)),
      'send to last follower p99 ms': Number((latencies[Math.floor(MESSAGES * 0.99)] ?? 0).toFixed(1)),
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await tandem.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
