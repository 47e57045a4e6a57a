import assert from 'node:assert/strict';
import http from 'node:http';
import { escapedRequests, packageDir, serveStatic } from './helpers.js';

/** A raw GET, so that a path with dot segments reaches the server as written. */
function rawGet(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    http
      .get({ hostname, port, path }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('compat: the static file server and the request check the suite relies on', () => {
  it('serves package files with their content types, pages laid over them, and 404s', async () => {
    const site = await serveStatic(packageDir('pdfjs-dist'), { '/doc.pdf': Buffer.from('%PDF-1.4\n') });
    try {
      const types: Record<string, string> = {
        '/build/pdf.mjs': 'text/javascript; charset=utf-8',
        '/wasm/qcms_bg.wasm': 'application/wasm',
        '/web/pdf_viewer.css': 'text/css; charset=utf-8',
        '/doc.pdf': 'application/pdf',
      };
      for (const [path, type] of Object.entries(types)) {
        const res = await fetch(`${site.url}${path}`);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('content-type'), type, path);
        await res.arrayBuffer();
      }
      const wasm = new Uint8Array(await (await fetch(`${site.url}/wasm/qcms_bg.wasm`)).arrayBuffer());
      assert.deepEqual([...wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], 'the bytes are the module’s');
      assert.equal((await fetch(`${site.url}/build/missing.mjs`)).status, 404);
      // Plain dot segments are folded by the URL parser; encoded slashes are what could get past it.
      assert.equal(await rawGet(site.url, '/build%2f..%2f..%2fpackage.json'), 404, 'no way out of the root');
      assert.equal(await rawGet(site.url, '/..%2f..%2f..%2fetc%2fpasswd'), 404, 'no way out of the root');
      assert.equal((await fetch(`${site.url}/doc.pdf`, { method: 'POST' })).status, 405);
    } finally {
      await site.close();
    }
    const fonts = await serveStatic(packageDir('@fontsource/inter'));
    try {
      const res = await fetch(`${fonts.url}/files/inter-latin-400-normal.woff2`);
      assert.equal(res.headers.get('content-type'), 'font/woff2');
      assert.equal(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, 4)
          .toString('latin1'),
        'wOF2',
      );
    } finally {
      await fonts.close();
    }
  });

  it('counts as escaped every network request that is neither a content host nor Tandem', () => {
    const tandem = 'http://localhost:4100';
    const requests = [
      'http://localhost:4100/api/sessions/x/open?url=y',
      'http://abc.content.localhost:4100/app.js',
      'data:image/png;base64,AAAA',
      'blob:http://abc.content.localhost:4100/123',
      'http://127.0.0.1:5555/app.js',
      'http://localhost:5555/app.js',
      'ws://127.0.0.1:5555/socket',
      'http://content.localhost.evil.test/x',
    ];
    assert.deepEqual(escapedRequests(requests, tandem), requests.slice(4));
  });
});
