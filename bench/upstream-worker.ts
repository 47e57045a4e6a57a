import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';

/**
 * The upstream site and a bare `http.request`-pipe proxy in front of it, on their own thread so
 * their work does not count against the proxy under test.
 */
const PAGE_BYTES = 100 * 1024;

function page(origin: string): string {
  const parts = [
    '<!doctype html><html><head><title>Catalogue</title><link rel="stylesheet" href="/s.css"></head><body>',
  ];
  let i = 0;
  while (parts.join('').length < PAGE_BYTES) {
    parts.push(
      `<div class="item"><a href="${origin}/item/${i}">Item ${i}</a> <img src="/img/${i}.png" srcset="${origin}/img/${i}.png 1x, /img/${i}@2x.png 2x" alt=""><p style="background:url(${origin}/bg.png)">Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p></div>\n`,
    );
    i++;
  }
  parts.push('</body></html>');
  return parts.join('');
}

const blob = Buffer.alloc(PAGE_BYTES, 7);
let html = '';
const site = http.createServer((req, res) => {
  if (req.url === '/page.html') {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
    });
    return void res.end(html);
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
  res.end(blob);
});
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
const listen = (server: http.Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
const sitePort = await listen(site);
html = page(`http://127.0.0.1:${sitePort}`);
const pipePort = await listen(pipe);
parentPort?.postMessage({ sitePort, pipePort, pageBytes: Buffer.byteLength(html) });
parentPort?.on('message', () => {
  site.closeAllConnections();
  pipe.closeAllConnections();
  site.close();
  pipe.close();
  upstreamAgent.destroy();
  parentPort?.close();
});
