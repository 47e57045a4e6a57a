import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { enter, request } from './helpers/content.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';

/** A site that misbehaves in every way a proxy must survive, on a loopback port. */
function hostileSite(): Promise<http.Server> {
  const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 'a'));
  const server = http.createServer((req, res) => {
    switch (req.url) {
      case '/silent':
        return; // never answers
      case '/many-headers': {
        const headers: Record<string, string> = { 'content-type': 'text/html' };
        for (let i = 0; i < 200; i++) headers[`x-filler-${i}`] = 'y'.repeat(300);
        res.writeHead(200, headers);
        return void res.end('<p>never seen</p>');
      }
      case '/bomb':
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        return void res.end(bomb);
      case '/drip':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<p>');
        setInterval(() => res.write('.'), 50).unref();
        return;
      case '/stall':
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.write('<p>half a page');
      case '/huge-download':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return void res.end(Buffer.alloc(3 * 1024 * 1024));
      default:
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<h1>fine</h1>');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('hostile upstream sites get a clear page, and the proxy stays up', function () {
  this.timeout(30_000);
  let tandem: TestTandem;
  let site: http.Server;
  let origin: string;
  let get: (path: string) => ReturnType<typeof request>;
  let contentHost: string;
  let cookie: string;

  before(async () => {
    site = await hostileSite();
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    tandem = await startTestTandem(
      { TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' },
      {
        upstreamLimits: {
          // Wide apart, so that a loaded machine's pauses never trip one limit for another.
          firstByteMs: 500,
          totalMs: 2500,
          idleMs: 1000,
          maxHeaderBytes: 16 * 1024,
          maxBodyBytes: 1024 * 1024,
        },
      },
    );
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const entered = await enter(tandem.url, tandem.port, session.id, owner.token, `${origin}/`);
    contentHost = entered.host;
    cookie = entered.cookie;
    get = (path) => request(tandem.port, contentHost, path, { headers: { cookie } });
  });

  after(async () => {
    await tandem?.stop();
    site.closeAllConnections();
    await new Promise((r) => site.close(r));
  });

  const cases: Array<[string, RegExp]> = [
    ['/silent', /did not answer within 500 ms/],
    ['/many-headers', /more headers than Tandem accepts/],
    ['/bomb', /larger than 32 MB/],
    ['/drip', /took longer than 2500 ms/],
    ['/stall', /stopped sending for 1 s/],
  ];
  for (const [path, reason] of cases) {
    it(`${path}: a 502 page that says why`, async () => {
      const reply = await get(path);
      assert.equal(reply.status, 502);
      assert.match(reply.headers['content-type'] ?? '', /text\/html/);
      assert.match(reply.body, reason);
      assert.match(
        reply.body,
        /<script src="\/__tandem\/runtime\./,
        'the page still carries the runtime, so the viewer shows it',
      );
    });
  }

  it('cuts a streamed download off at the body limit', async () => {
    const { received, complete } = await new Promise<{ received: number; complete: boolean }>(
      (resolve, reject) => {
        const req = http.get(
          {
            host: '127.0.0.1',
            port: tandem.port,
            path: '/huge-download',
            headers: { host: contentHost, cookie },
          },
          (res) => {
            let received = 0;
            res.on('data', (c: Buffer) => {
              received += c.length;
            });
            res.on('error', () => {});
            res.on('close', () => resolve({ received, complete: res.complete }));
          },
        );
        req.on('error', reject);
      },
    );
    assert.equal(complete, false, 'the download was cut');
    assert.ok(received <= 1024 * 1024 + 256 * 1024, `${received} bytes arrived`);
  });

  it('still serves a well-behaved page afterwards', async () => {
    const reply = await get('/');
    assert.equal(reply.status, 200);
    assert.match(reply.body, /<h1>fine<\/h1>/);
  });
});
