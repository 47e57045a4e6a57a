import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import WebSocket from 'ws';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { createSession, joinAs } from '../test/helpers/tandem.js';
import { loopbackCost } from './loopback-floor.js';

/** One process may hold 20,000 open files here; the server keeps one per follower. */
const FOLLOWERS = Number(process.env.FOLLOWERS ?? 19_000);
const PROCESSES = 2;
const EVENTS_PER_SECOND = 10;
const SECONDS = 15;
/** Every tenth event is also a chat line, which must reach every follower. */
const CHAT_EVERY = 10;

interface Report {
  lastArrival: Array<[number, number]>;
  arrivals: Array<[number, number]>;
  fewestChats: number;
  cpuMicros: number;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function settledMemory(): { rss: number; heap: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`follower process exited with ${code}`));
    child.once('exit', exited);
    child.once('message', (m) => {
      child.off('exit', exited);
      resolve(m as T);
    });
  });
}

/**
 * One leader and 19,000 followers on real WebSockets in separate processes (all on loopback, on the
 * same 2 cores as the server): server memory per idle follower, and then a leader streaming 10 events
 * a second: leader to last follower, server CPU per event per 1,000 followers, and chat lines lost.
 * The followers use the bench's own minimal client (`raw-websocket.ts`), so that the crowd's CPU, which
 * the server shares the cores with, is as little as a real client's reading could be; their CPU is
 * reported too.
 */
export async function run(): Promise<Record<string, number>> {
  const bare = await loopbackCost();
  const dataDir = `/tmp/tandem-bench-fanout-${process.pid}`;
  const tandem = await startTandem(
    parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []),
    { logger: pino({ level: 'silent' }) },
  );
  const children: ChildProcess[] = [];
  let leader: WebSocket | null = null;
  try {
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Leader', session.hostKey);
    leader = await open(`${tandem.url.replace(/^http/, 'ws')}/ws?session=${session.id}&token=${owner.token}`);
    await sleep(500);
    const before = settledMemory();

    const share = Math.ceil(FOLLOWERS / PROCESSES);
    for (let p = 0; p < PROCESSES; p++) {
      const child = fork(new URL('./fanout-followers.js', import.meta.url), { stdio: 'inherit' });
      children.push(child);
      child.send({
        url: tandem.url,
        session: session.id,
        joinKey: session.joinKey,
        count: Math.min(share, FOLLOWERS - p * share),
        first: p * share,
      });
    }
    const joinStart = performance.now();
    await Promise.all(children.map((c) => nextMessage(c)));
    const joinSeconds = (performance.now() - joinStart) / 1000;
    await sleep(2000);
    const idle = settledMemory();

    const events = EVENTS_PER_SECOND * SECONDS;
    const sentAt: number[] = [];
    for (const c of children) c.send({ start: true });
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (let n = 0; n < events; n++) {
      const due = start + (n * 1000) / EVENTS_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sentAt[n] = now();
      leader.send(
        JSON.stringify({
          type: 'rec',
          tab: 't1',
          events: [
            { type: 3, timestamp: Date.now(), data: { source: 1, n, positions: [{ x: n, y: 2, id: 42 }] } },
          ],
        }),
      );
      if (n % CHAT_EVERY === 0) leader.send(JSON.stringify({ type: 'chat', text: `line ${n}` }));
    }
    // Done when the last event has reached every follower (or a minute has passed).
    const deadline = performance.now() + 60_000;
    for (;;) {
      const counts = await Promise.all(
        children.map((c) => {
          const answer = nextMessage<{ arrived: number }>(c);
          c.send({ progress: events - 1 });
          return answer;
        }),
      );
      if (counts.reduce((a, b) => a + b.arrived, 0) >= FOLLOWERS || performance.now() > deadline) break;
      await sleep(20);
    }
    const cpu = process.cpuUsage(cpuBefore);

    const reports = await Promise.all(
      children.map((c) => {
        const report = nextMessage<Report>(c);
        c.send({ report: true });
        return report;
      }),
    );
    const last = new Map<number, number>();
    const arrivals = new Map<number, number>();
    for (const r of reports) {
      for (const [n, t] of r.lastArrival) last.set(n, Math.max(last.get(n) ?? 0, t));
      for (const [n, c] of r.arrivals) arrivals.set(n, (arrivals.get(n) ?? 0) + c);
    }
    const latencies = sentAt
      .map((t, n) => (last.has(n) ? (last.get(n) as number) - t : Number.POSITIVE_INFINITY))
      .sort((a, b) => a - b);
    const complete = sentAt.filter((_, n) => arrivals.get(n) === FOLLOWERS).length;
    // The rate at which events reached the last follower once the run had settled: the slope of
    // their arrival times over the run's second half (least squares, so no one event's delay sets
    // it). A node that keeps up delivers as fast as the leader sends, its delay steady; one that falls
    // behind delivers slower, its delay growing. The first half includes the start, when the delay
    // builds up to its steady size.
    const settled = [...last].filter(([n]) => n >= events / 2);
    const meanN = settled.reduce((a, [n]) => a + n, 0) / settled.length;
    const meanT = settled.reduce((a, [, t]) => a + t, 0) / settled.length;
    const msPerEvent =
      settled.reduce((a, [n, t]) => a + (n - meanN) * (t - meanT), 0) /
      settled.reduce((a, [n]) => a + (n - meanN) ** 2, 0);
    const sustained = complete === events && msPerEvent > 0 ? 1000 / msPerEvent : 0;
    const chatsSent = Math.ceil(events / CHAT_EVERY);
    const fewestChats = Math.min(...reports.map((r) => r.fewestChats));
    const perEventPerThousand = (cpu.user + cpu.system) / events / (FOLLOWERS / 1000);
    const followersCpu = reports.reduce((sum, r) => sum + r.cpuMicros, 0);
    // However a server is built, an event reaches its last follower no sooner than one sweep (a
    // write and a read per follower) after it is committed, and on 2 cores, in parallel at best, a
    // sweep takes at least this. A server that lets an event join the sweep under way (as Tandem's
    // does) needs no more than that one; one that waits for it to finish needs up to two.
    const sweep = (FOLLOWERS * (bare.writeMicros + bare.readMicros)) / 2 / 1000;
    return {
      'followers in separate processes': FOLLOWERS,
      'joined and connected in s': Number(joinSeconds.toFixed(1)),
      'server memory per idle follower KB (RSS)': Number(
        ((idle.rss - before.rss) / FOLLOWERS / 1024).toFixed(2),
      ),
      'server memory per idle follower KB (heap)': Number(
        ((idle.heap - before.heap) / FOLLOWERS / 1024).toFixed(2),
      ),
      'leader events sent per s': EVENTS_PER_SECOND,
      'events that reached every follower': complete,
      'of events sent': events,
      'relayed frames per s reaching all, sustained': Number(sustained.toFixed(1)),
      'leader to last follower p50 ms': Number((latencies[Math.floor(events / 2)] ?? 0).toFixed(1)),
      'leader to last follower p99 ms': Number((latencies[Math.floor(events * 0.99)] ?? 0).toFixed(1)),
      'server CPU µs per event per 1,000 followers': Number(perEventPerThousand.toFixed(0)),
      'follower processes CPU µs per event per 1,000': Number(
        (followersCpu / events / (FOLLOWERS / 1000)).toFixed(0),
      ),
      'chat lines lost (fewest received of sent)': chatsSent - fewestChats,
      'bare loopback write, server CPU µs each': Number(bare.writeMicros.toFixed(1)),
      'bare loopback read, reader CPU µs each': Number(bare.readMicros.toFixed(1)),
      'floor: one sweep to every follower on 2 cores, ms': Math.round(sweep),
    };
  } finally {
    leader?.terminate();
    for (const c of children) if (c.exitCode === null) c.kill();
    await tandem.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [figure, value] of Object.entries(await run())) console.log(`  ${figure.padEnd(48)} ${value}`);
}
