import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuMicros } from './thread-cpu.js';

/**
 * A bare `http.request`-pipe proxy in front of the upstream site: the yardstick for pass-through. It
 * has a thread of its own, so its CPU time per request can be set against the proxy's: asked
 * `'cpu'`, it answers with its thread's CPU time so far; anything else stops it.
 */
const { sitePort } = workerData as { sitePort: number };
const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const pipe = http.createServer((req, res) => {
  const upstream = http.request(
    {
      host: '127.0.0.1',
      port: sitePort,
      path: req.url,
      method: req.method,
      headers: req.headers,
      agent: upstreamAgent,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
pipe.listen(0, '127.0.0.1', () =>
  parentPort?.postMessage({ pipePort: (pipe.address() as AddressInfo).port }),
);
parentPort?.on('message', (m) => {
  if (m === 'cpu') return parentPort?.postMessage({ cpuMicros: threadCpuMicros() });
  pipe.closeAllConnections();
  pipe.close();
  upstreamAgent.destroy();
  parentPort?.close();
});
