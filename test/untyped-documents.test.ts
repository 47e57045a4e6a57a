import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { sniffsAsHtml } from '../rewriter/sniff.js';
import { enter, request } from './helpers/content.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('sniffing a body sent without a Content-Type', () => {
  it('takes the standard’s HTML openings after whitespace, in any case, ended by a space or >', () => {
    for (const page of [
      '<!DOCTYPE html><title>x</title>',
      '\n\t <!doctype HTML>',
      '<html lang="en">',
      '<HEAD>',
      '<script>1</script>',
      '<!-- a comment -->',
      '<p>text',
      '<b>bold</b>',
      '<a href="/">',
    ]) {
      assert.equal(sniffsAsHtml(bytes(page)), true, page);
    }
  });

  it('leaves alone what a browser would not render as HTML', () => {
    for (const other of [
      '',
      'plain text <html>',
      '<htmlx>',
      '<?xml version="1.0"?><html>',
      '{"html": "<html>"}',
      '<bogus>',
      '<!DOCTYPE html',
    ]) {
      assert.equal(sniffsAsHtml(bytes(other)), false, other);
    }
    assert.equal(sniffsAsHtml(bytes(`${' '.repeat(1445)}<html>`)), false, 'past what is sniffed');
  });
});

describe('a page sent without a Content-Type, through the proxy', function () {
  this.timeout(30_000);
  let upstream: http.Server;
  let site: string;
  let tandem: TestTandem;
  let owner: { host: string; cookie: string };

  const PAGE = (origin: string) =>
    `<!doctype html><html><head><title>untyped</title></head><body><a href="${origin}/next">next</a></body></html>`;

  before(async () => {
    upstream = http.createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      // No Content-Type on any of these: the browser sniffs.
      if (req.url === '/page') return res.end(PAGE(origin));
      if (req.url === '/page.gz') {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        return res.end(zlib.gzipSync(PAGE(origin)));
      }
      if (req.url === '/nosniff') {
        res.writeHead(200, { 'x-content-type-options': 'nosniff' });
        return res.end(PAGE(origin));
      }
      if (req.url === '/notes') {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        return res.end(zlib.gzipSync(`notes, not markup: ${origin}/next`));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    site = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    const session = await createSession(tandem.url);
    const o = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    owner = await enter(tandem.url, tandem.port, session.id, o.token, `${site}/page`);
  });
  after(async () => {
    await tandem?.stop();
    upstream?.close();
  });

  const get = (path: string, dest: string) =>
    request(tandem.port, owner.host, path, { headers: { cookie: owner.cookie, 'sec-fetch-dest': dest } });

  it('rewrites a document that sniffs as HTML, compressed or not, and gives it the runtime', async () => {
    for (const path of ['/page', '/page.gz']) {
      const page = await get(path, 'document');
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/, path);
      assert.equal(page.headers['content-encoding'], undefined, path);
      assert.match(page.body, /<head><script src="\/__tandem\/runtime\.[0-9a-f]+\.js"/, path);
      assert.ok(page.body.includes(`href="http://${owner.host}/next"`), `${path}: the link is mapped`);
    }
    const framed = await get('/page', 'iframe');
    assert.match(framed.body, /__tandem\/runtime/, 'a frame’s document too');
  });

  it('passes on what is not a page: other destinations, nosniff, and bodies that are not markup', async () => {
    const image = await get('/page', 'image');
    assert.doesNotMatch(image.body, /__tandem/, 'an image request is streamed as it came');
    const nosniff = await get('/nosniff', 'document');
    assert.doesNotMatch(nosniff.body, /__tandem/, 'the browser will not sniff it either');
    const notes = await get('/notes', 'document');
    assert.equal(notes.status, 200);
    assert.equal(notes.headers['content-type'], undefined, 'still untyped');
    assert.equal(notes.headers['content-encoding'], undefined, 'sent as it was read, decompressed');
    assert.equal(notes.body, `notes, not markup: ${site}/next`);
  });
});
