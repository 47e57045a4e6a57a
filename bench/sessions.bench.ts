import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { createSession, joinAs } from '../test/helpers/tandem.js';

const SESSIONS = 2000;
const DURATION_MS = 10_000;

/**
 * The original design's figure per node: 2,000 two-person sessions at once with typical traffic
 * (a recorder batch every 500 ms, the follower's pointer 5 times a second, a chat line every 10 s),
 * every event archived before it is delivered. Clients run in a thread of their own; on a 2-core
 * machine they still share the cores with Tandem.
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
    const worker = new Worker(new URL('./sessions-worker.js', import.meta.url), {
      workerData: {
        url: tandem.url,
        pairs,
        durationMs: DURATION_MS,
        recEveryMs: 500,
        pointerEveryMs: 200,
        chatEveryMs: 10_000,
      },
    });
    const messages: Array<Record<string, number>> = [];
    const result = await new Promise<Record<string, number>>((resolve, reject) => {
      worker.on('message', (m: Record<string, number>) => {
        messages.push(m);
        if ('p99' in m) resolve(m);
      });
      worker.once('error', reject);
    });
    return {
      'two-person sessions': SESSIONS,
      'sockets connected': messages[0]?.connected ?? 0,
      'events sent per second': Math.round((result.sent ?? 0) / (DURATION_MS / 1000)),
      'delivered of sent': Number(((result.received ?? 0) / Math.max(1, result.sent ?? 1)).toFixed(3)),
      'relay p50 ms': result.p50 ?? 0,
      'relay p99 ms (goal <= 50)': result.p99 ?? 0,
      'relay max ms': result.max ?? 0,
    };
  } finally {
    await tandem.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
