import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import type { SqliteStore } from '../store/sqlite.js';
import { type DeskClient, deskTenant, PASSWORD } from '../test/helpers/desk.js';
import type { WsClient } from '../test/helpers/ws-client.js';

const AGENTS = 50;
const REQUESTS = 1000;
const ARRIVAL_WINDOW_MS = 10_000;
const SHOP = 'https://shop.example';

/** How long agent `n`'s k-th session lasts: 0.3–0.8 s, so arrivals outpace the agents and a queue forms. */
const holdMs = (n: number, k: number) => 300 + ((n * 37 + k * 101) % 500);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/**
 * The figure: 1,000 visitor requests arriving within 10 s at a tenant with 50 agents. Every
 * request must be answered (offered or queued) within 200 ms at p99, and the assignment order must be
 * exactly the longest-idle order. Requests are sent on a 10 ms beat; the order the desk queued them
 * in is read back from the store. Sessions are ended one after another, so the order agents became
 * idle in is known here. With all agents alike, the k-th request queued must go to the agent of the
 * k-th "became idle" (first going Ready, then each end).
 */
export async function run(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-desk-bench-'));
  const tandem = await startTandem(
    parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []),
    { logger: pino({ level: 'silent' }) },
  );
  try {
    const base = tandem.url;
    const t = await deskTenant(base, 'Bench', {
      origins: [SHOP],
      agents: Array.from({ length: AGENTS }, (_, i) => ({ name: `Agent${i}` })),
      settings: { seatCap: 10_000, offerTimeoutSeconds: 600, waitTargetSeconds: 86_400 },
      signIn: async (email) => {
        const { token, user } = await tandem.deskAccounts.login(email, PASSWORD, undefined);
        return { token, csrf: tandem.deskAccounts.csrfFor(token), userId: user.id };
      },
    });
    const idleOrder: string[] = [];
    const assigned = new Map<string, string>();
    const ends: Array<() => Promise<void>> = [];
    let wakeEnds: (() => void) | null = null;
    let done = 0;
    let allDone: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      allDone = resolve;
    });

    const lives = await Promise.all(t.agents.map((a) => a.live()));
    const agentLoop = async (agent: DeskClient, n: number) => {
      const live = lives[n] as WsClient;
      let k = 0;
      let seen = 0;
      for (;;) {
        const offer = await live.next((m) => m.type === 'offer' && live.received.indexOf(m) >= seen, 120_000);
        seen = live.received.indexOf(offer) + 1;
        const requestId = (offer.request as { id: string }).id;
        assigned.set(requestId, agent.userId);
        const placed = await agent.ok<{ sessionId: string }>('POST', `/offers/${requestId}/accept`);
        await new Promise((r) => setTimeout(r, holdMs(n, k++)));
        ends.push(async () => {
          await agent.ok('POST', `/sessions/${placed.sessionId}/end`, undefined, 204);
          idleOrder.push(agent.userId);
        });
        wakeEnds?.();
        if (++done === REQUESTS) allDone();
      }
    };
    // Sessions end one at a time, so the order the desk sees them in is the order recorded here.
    const endLoop = async () => {
      while (done < REQUESTS || ends.length > 0) {
        const next = ends.shift();
        if (next) await next();
        else
          await new Promise<void>((r) => {
            wakeEnds = r;
            setTimeout(r, 50);
          });
      }
    };

    for (const agent of t.agents) {
      await agent.ok('PUT', '/me/state', { state: 'ready' });
      idleOrder.push(agent.userId);
    }
    // Each loop ends when its socket is closed after the last session.
    const loops = t.agents.map((a, n) => agentLoop(a, n).catch(() => {}));
    const ending = endLoop();

    const latencies: number[] = [];
    let queued = 0;
    const start = performance.now();
    const sending: Array<Promise<void>> = [];
    for (let i = 0; i < REQUESTS; i++) {
      const due = start + (i * ARRIVAL_WINDOW_MS) / REQUESTS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sent = performance.now();
      sending.push(
        fetch(`${base}/api/desk/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: t.publicKey, from: `${SHOP}/p${i}`, name: `Visitor ${i}` }),
        }).then(async (res) => {
          const body = (await res.json()) as { status: string };
          latencies.push(performance.now() - sent);
          if (res.status !== 201) throw new Error(`request ${i}: ${res.status} ${JSON.stringify(body)}`);
          if (body.status !== 'offered') queued++;
        }),
      );
    }
    await Promise.all(sending);
    const arrivalMs = performance.now() - start;
    await finished;
    await ending;
    for (const live of lives) live.close();
    await Promise.all(loops);

    // The order the desk queued them in: a request's row is written just before it joins the queue.
    const arrivals = (
      (tandem.store as SqliteStore).db.prepare('SELECT id FROM desk_requests ORDER BY rowid').all() as Array<{
        id: string;
      }>
    ).map((r) => r.id);
    let outOfOrder = 0;
    arrivals.forEach((id, k) => {
      if (assigned.get(id) !== idleOrder[k]) outOfOrder++;
    });
    latencies.sort((a, b) => a - b);
    return {
      agents: AGENTS,
      'visitor requests': REQUESTS,
      'sent within ms': Math.round(arrivalMs),
      'queued on arrival (no agent free)': queued,
      'placed or queued p50 ms': Number(percentile(latencies, 0.5).toFixed(1)),
      'placed or queued p99 ms (goal <= 200)': Number(percentile(latencies, 0.99).toFixed(1)),
      'placed or queued max ms': Number((latencies[latencies.length - 1] ?? 0).toFixed(1)),
      'assignments out of longest-idle order (goal 0)': outOfOrder,
    };
  } finally {
    await tandem.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
