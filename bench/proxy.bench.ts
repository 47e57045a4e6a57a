import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { enter } from '../test/helpers/content.js';
import { createSession, joinAs } from '../test/helpers/tandem.js';
import { WsClient } from '../test/helpers/ws-client.js';
import { threadCpuMicros } from './thread-cpu.js';

const SEQUENTIAL = 300;
const LOAD_MS = 3000;
const CONCURRENCY = 8;

interface Target {
  port: number;
  host: string;
  cookie: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function timedGet(t: Target, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    http
      .get(
        {
          host: '127.0.0.1',
          port: t.port,
          path: urlPath,
          agent,
          headers: { host: t.host, cookie: t.cookie },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(performance.now() - start));
        },
      )
      .on('error', reject);
  });
}

interface Load {
  perSecond: number;
  /** CPU milliseconds the serving thread spent per request. */
  cpuMs: number;
}

/**
 * Requests per second with `CONCURRENCY` in flight, generated on another thread, and the CPU time
 * per request of the thread that serves them (`cpuMicros` reads it).
 */
async function load(t: Target, urlPath: string, cpuMicros: () => Promise<number>): Promise<Load> {
  const cpuBefore = await cpuMicros();
  const m = await new Promise<{ perSecond: number; completed: number; failed: number }>((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
      workerData: { ...t, path: urlPath, concurrency: CONCURRENCY, durationMs: LOAD_MS },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (m.failed > 0) throw new Error(`${m.failed} requests to ${t.host}${urlPath} failed`);
  return { perSecond: m.perSecond, cpuMs: ((await cpuMicros()) - cpuBefore) / 1000 / m.completed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/**
 * A real 100 KB page (from the rewrite corpus) on a loopback upstream, side by side in one run: added latency one request at a
 * time, rewritten-HTML throughput, pass-through against a bare `http.request`-pipe proxy, and a
 * follower's cached copy against pass-through. The upstream, the bare pipe and the load run on their
 * own threads; on a 2-core machine they still share the cores with Tandem, so throughputs are lower
 * bounds, and the CPU time per request of the serving thread (Tandem's, or the pipe's) is given too.
 */
export async function run(): Promise<Record<string, number>> {
  const upstream = new Worker(new URL('./upstream-worker.js', import.meta.url));
  const { sitePort, pageBytes } = await new Promise<{ sitePort: number; pageBytes: number }>((resolve) =>
    upstream.once('message', resolve),
  );
  const pipe = new Worker(new URL('./pipe-worker.js', import.meta.url), { workerData: { sitePort } });
  const { pipePort } = await new Promise<{ pipePort: number }>((resolve) => pipe.once('message', resolve));
  const pipeCpu = () =>
    new Promise<number>((resolve) => {
      pipe.once('message', (m: { cpuMicros: number }) => resolve(m.cpuMicros));
      pipe.postMessage('cpu');
    });
  // Tandem runs on this thread.
  const tandemCpu = async () => threadCpuMicros();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-proxy-bench-'));
  const tandem = await startTandem(
    parseConfig(
      { PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off', TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' },
      [],
    ),
    { logger: pino({ level: 'silent' }) },
  );
  try {
    const origin = `http://127.0.0.1:${sitePort}`;
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Bench', session.hostKey);
    const follower = await joinAs(tandem.url, session.id, 'Watcher', session.joinKey);
    // The owner's viewer is connected, as in a real session: the room knows who owns the tab.
    const viewer = await WsClient.connect(tandem.url, session.id, owner.token);
    await viewer.next((m) => m.type === 'welcome');
    const asOwner = await enter(tandem.url, tandem.port, session.id, owner.token, `${origin}/`);
    const asFollower = await enter(tandem.url, tandem.port, session.id, follower.token, `${origin}/`);
    const direct: Target = { port: sitePort, host: `127.0.0.1:${sitePort}`, cookie: '' };
    const bare: Target = { port: pipePort, host: `127.0.0.1:${sitePort}`, cookie: '' };
    const proxied: Target = { port: tandem.port, host: asOwner.host, cookie: asOwner.cookie };
    const cached: Target = { port: tandem.port, host: asFollower.host, cookie: asFollower.cookie };

    const directMs: number[] = [];
    const proxiedMs: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      directMs.push(await timedGet(direct, '/page.html'));
      proxiedMs.push(await timedGet(proxied, '/page.html'));
    }
    // The owner loads the blob once, so the follower's requests are answered from the session cache.
    await timedGet(proxied, '/blob.bin');

    const directRate = (await load(direct, '/page.html', tandemCpu)).perSecond;
    const rewritten = await load(proxied, '/page.html', tandemCpu);
    const bareLoad = await load(bare, '/blob.bin', pipeCpu);
    const pass = await load(proxied, '/blob.bin', tandemCpu);
    const cachedRate = (await load(cached, '/blob.bin', tandemCpu)).perSecond;
    viewer.close();
    return {
      'page size (KB)': round(pageBytes / 1024),
      '100 KB page direct p50 ms': round(median(directMs), 2),
      '100 KB page through the proxy p50 ms': round(median(proxiedMs), 2),
      'added latency p50 ms (goal <= 3)': round(median(proxiedMs) - median(directMs), 2),
      'direct req/s': Math.round(directRate),
      'rewritten HTML req/s': Math.round(rewritten.perSecond),
      'rewritten HTML CPU ms per request': round(rewritten.cpuMs, 3),
      'rewritten HTML req/s per core (goal >= 500)': Math.round(1000 / rewritten.cpuMs),
      'bare http.request pipe req/s (100 KB body)': Math.round(bareLoad.perSecond),
      'pass-through req/s (100 KB body)': Math.round(pass.perSecond),
      'pass-through / bare pipe req/s (goal >= 0.9)': round(pass.perSecond / bareLoad.perSecond, 2),
      'bare pipe CPU ms per request': round(bareLoad.cpuMs, 3),
      'pass-through CPU ms per request': round(pass.cpuMs, 3),
      'pipe / pass-through CPU (goal >= 0.9)': round(bareLoad.cpuMs / pass.cpuMs, 2),
      "follower's cached copy req/s": Math.round(cachedRate),
      'cached copy / pass-through (goal >= 2)': round(cachedRate / pass.perSecond, 2),
    };
  } finally {
    agent.destroy();
    await tandem.stop();
    for (const worker of [pipe, upstream]) {
      worker.postMessage('stop');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
