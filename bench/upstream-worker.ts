import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';

/** The upstream site, on its own thread so its work does not count against the proxy under test. */
const PAGE_BYTES = 100 * 1024;

/** A real page of about 100 KB from the rewrite benchmark's corpus (the htmlparser-benchmark package). */
function realPage(): Buffer {
  const dir = fileURLToPath(new URL('../../node_modules/htmlparser-benchmark/files/', import.meta.url));
  const sizes = fs.readdirSync(dir).map((name) => ({ name, size: fs.statSync(path.join(dir, name)).size }));
  sizes.sort(
    (a, b) => Math.abs(a.size - PAGE_BYTES) - Math.abs(b.size - PAGE_BYTES) || a.name.localeCompare(b.name),
  );
  const closest = sizes[0];
  if (!closest) throw new Error(`no pages in ${dir}`);
  return fs.readFileSync(path.join(dir, closest.name));
}

const blob = Buffer.alloc(PAGE_BYTES, 7);
const html = realPage();
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
site.listen(0, '127.0.0.1', () =>
  parentPort?.postMessage({ sitePort: (site.address() as AddressInfo).port, pageBytes: html.length }),
);
parentPort?.on('message', () => {
  site.closeAllConnections();
  site.close();
  parentPort?.close();
});
