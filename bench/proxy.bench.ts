import http from 'node:http';
import pino from 'pino';
import { startFixtureSite } from '../fixtures/site.js';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { enter } from '../test/helpers/content.js';
import { createSession, joinAs } from '../test/helpers/tandem.js';

const REQUESTS = 300;

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function timedGet(port: number, host: string, path: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    http
      .get({ host: '127.0.0.1', port, path, agent, headers: { host, cookie } }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - start));
      })
      .on('error', reject);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** Latency of the owner's page loads through the proxy (rewrite included) against the same page direct. */
export async function run(): Promise<Record<string, number>> {
  const site = await startFixtureSite();
  const dataDir = `/tmp/tandem-bench-${process.pid}`;
  const tandem = await startTandem(
    parseConfig(
      { PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off', TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' },
      [],
    ),
    { logger: pino({ level: 'silent' }) },
  );
  try {
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Bench', session.hostKey);
    const { host, cookie } = await enter(tandem.url, tandem.port, session.id, owner.token, `${site.url}/`);
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      direct.push(await timedGet(site.port, `127.0.0.1:${site.port}`, '/', ''));
      proxied.push(await timedGet(tandem.port, host, '/', cookie));
    }
    direct.sort((a, b) => a - b);
    proxied.sort((a, b) => a - b);
    return {
      'proxy page p50 ms': Number(percentile(proxied, 0.5).toFixed(2)),
      'proxy page p95 ms': Number(percentile(proxied, 0.95).toFixed(2)),
      'direct page p50 ms': Number(percentile(direct, 0.5).toFixed(2)),
    };
  } finally {
    agent.destroy();
    await tandem.stop();
    await site.close();
    (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  }
}
