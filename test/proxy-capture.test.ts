import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type http from 'node:http';
import path from 'node:path';
import { BodyCopy } from '../proxy/body-copy.js';
import { diskBlobs } from '../store/blobs.js';
import { enter, request } from './helpers/content.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { upstream } from './helpers/upstream.js';

const sha256 = (body: string | Buffer) => crypto.createHash('sha256').update(body).digest('hex');

describe('BodyCopy: the copy of a streamed body', () => {
  const chunks = (...parts: string[]) => parts.map((p) => Buffer.from(p));

  it('is the previous copy itself when every chunk matches it', () => {
    const previous = Buffer.from('abcdefgh');
    const copy = new BodyCopy(previous, 100);
    for (const c of chunks('abc', 'defg', 'h')) copy.add(c);
    assert.equal(copy.body(), previous);
  });

  it('is the new bytes when they part from the previous copy, at the start, midway or at the end', () => {
    const previous = Buffer.from('abcdefgh');
    const cases: Array<[string[], string]> = [
      [['xbc', 'defgh'], 'xbcdefgh'],
      [['abc', 'dXfg', 'h'], 'abcdXfgh'],
      [['abcd', 'efgh', 'ij'], 'abcdefghij'],
      [['abc', 'de'], 'abcde'],
      [[], ''],
    ];
    for (const [parts, expected] of cases) {
      const copy = new BodyCopy(previous, 100);
      for (const c of chunks(...parts)) copy.add(c);
      const body = copy.body();
      assert.equal(body?.toString(), expected, parts.join('|'));
      assert.notEqual(body, previous);
    }
  });

  it('keeps a body without a previous copy, and none past the limit', () => {
    const copy = new BodyCopy(undefined, 8);
    for (const c of chunks('abc', 'def')) copy.add(c);
    assert.equal(copy.body()?.toString(), 'abcdef');
    for (const c of chunks('ghi')) copy.add(c);
    assert.equal(copy.body(), undefined);
    const matching = new BodyCopy(Buffer.from('abcdefghi'), 8);
    for (const c of chunks('abcdefghi')) matching.add(c);
    assert.equal(matching.body(), undefined);
  });
});

describe('the archive keeps what the owner was served, once per distinct body', function () {
  this.timeout(30_000);
  let tandem: TestTandem;
  let server: http.Server;
  let owner: { host: string; cookie: string };
  let sessionId: string;
  const versions = { page: 'one', blob: 'one' };
  const page = (v: string) =>
    `<!doctype html><html><head><title>${v}</title></head><body><a href="http://127.0.0.1:1/x">${v}</a></body></html>`;
  // A streamed body long enough to arrive in several chunks; versions differ at the end or in length.
  const blob = (v: string) =>
    'x'.repeat(200_000) + (v === 'two' ? 'tail two' : v === 'short' ? '' : 'tail one');

  before(async () => {
    const site = await upstream({
      '/page.html': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(page(versions.page));
      },
      '/blob.bin': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const body = Buffer.from(blob(versions.blob));
        // Written in pieces, a turn apart, so the proxy compares it chunk by chunk.
        let at = 0;
        const next = () => {
          if (at >= body.length) return void res.end();
          res.write(body.subarray(at, at + 50_000));
          at += 50_000;
          setImmediate(next);
        };
        next();
      },
    });
    server = site.server;
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    const session = await createSession(tandem.url);
    sessionId = session.id;
    const o = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    owner = await enter(tandem.url, tandem.port, session.id, o.token, `${site.url}/`);
  });
  after(async () => {
    await tandem?.stop();
    server?.closeAllConnections();
    server?.close();
  });

  const get = async (p: string) => {
    const res = await request(tandem.port, owner.host, p, { headers: { cookie: owner.cookie } });
    assert.equal(res.status, 200);
    return res.body;
  };

  /** The session's capture rows as (path, hash), once every expected hash is among them. */
  async function capturedOnce(expected: Array<[string, string]>): Promise<Array<[string, string]>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows = (await tandem.store.captures('demo', sessionId)).map((r): [string, string] => [
        r.path,
        r.hash,
      ]);
      const has = (e: [string, string]) => rows.some((r) => r[0] === e[0] && r[1] === e[1]);
      if (expected.every(has) || Date.now() > deadline) return rows;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('records a page and a streamed body again only when their bytes change, and keeps each body', async () => {
    const served: Array<[string, string]> = [];
    const bodies = new Map<string, string>();
    const load = async (p: string) => {
      const body = await get(p);
      served.push([p, sha256(body)]);
      bodies.set(sha256(body), body);
    };
    for (const version of ['one', 'one', 'two', 'one', 'short', 'short']) {
      versions.page = version;
      versions.blob = version;
      await load('/page.html');
      await load('/blob.bin');
    }
    const distinct = [...new Map(served.map((s) => [s.join(' '), s])).values()];
    assert.equal(distinct.length, 6, 'three versions of each');
    const rows = await capturedOnce(distinct);
    assert.deepEqual(rows.map((r) => r.join(' ')).sort(), distinct.map((d) => d.join(' ')).sort());
    const blobs = diskBlobs(path.join(tandem.dataDir, 'blobs'));
    for (const [, hash] of distinct) assert.equal(blobs.get(hash)?.toString(), bodies.get(hash));
  });
});
