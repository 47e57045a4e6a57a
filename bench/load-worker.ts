import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * Load from another thread, so the client's work does not share the proxy's event loop: keeps
 * `concurrency` requests in flight for `durationMs` and reports how many completed, and how many a second.
 */
interface Job {
  port: number;
  host: string;
  path: string;
  cookie: string;
  concurrency: number;
  durationMs: number;
}

const job = workerData as Job;
const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
const deadline = performance.now() + job.durationMs;
let completed = 0;
let failed = 0;

function one(): Promise<void> {
  return new Promise((resolve) => {
    http
      .get(
        {
          host: '127.0.0.1',
          port: job.port,
          path: job.path,
          agent,
          headers: { host: job.host, cookie: job.cookie },
        },
        (res) => {
          if (res.statusCode !== 200) failed++;
          res.resume();
          res.on('end', () => {
            completed++;
            resolve();
          });
        },
      )
      .on('error', () => {
        failed++;
        resolve();
      });
  });
}

async function lane(): Promise<void> {
  while (performance.now() < deadline) await one();
}

const started = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, lane));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
parentPort?.postMessage({ perSecond: completed / seconds, completed, failed });
