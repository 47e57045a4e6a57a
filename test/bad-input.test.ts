import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

/** The status a refused WebSocket handshake answers with. */
function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res: http.IncomingMessage) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('open', () => {
      ws.close();
      reject(new Error('the handshake was accepted'));
    });
    ws.on('error', () => {});
  });
}

describe('bad input gets a clear answer and never crashes the server', function () {
  this.timeout(30_000);
  let tandem: TestTandem;
  let session: Awaited<ReturnType<typeof createSession>>;
  let token: string;

  before(async () => {
    tandem = await startTestTandem();
    session = await createSession(tandem.url);
    token = (await joinAs(tandem.url, session.id, 'Olivia', session.hostKey)).token;
  });
  after(() => tandem?.stop());

  afterEach(async () => {
    // Whatever the test threw at it, the server still answers.
    const res = await fetch(`${tandem.url}/api/sessions`, { method: 'POST' });
    assert.equal(res.status, 201);
  });

  describe('on /ws', () => {
    it('answers malformed JSON with a bad-json error and keeps the socket open', async () => {
      const ws = await WsClient.connect(tandem.url, session.id, token);
      ws.send('{"type": "chat", "text": ');
      const err = await ws.next((m) => m.type === 'error');
      assert.equal(err.code, 'bad-json');
      ws.send({ type: 'chat', text: 'still here' });
      await ws.next((m) => m.type === 'chat' && m.text === 'still here');
      ws.close();
    });

    it('answers an unknown message type and a malformed known one with bad-message', async () => {
      const ws = await WsClient.connect(tandem.url, session.id, token);
      ws.send({ type: 'teleport', to: 'mars' });
      const unknown = await ws.next((m) => m.type === 'error');
      assert.equal(unknown.code, 'bad-message');
      assert.equal(unknown.ref, 'teleport');
      ws.received.length = 0;
      ws.send({ type: 'chat', text: 42 });
      const wrong = await ws.next((m) => m.type === 'error');
      assert.equal(wrong.code, 'bad-message');
      assert.match(String(wrong.message), /text/);
      ws.received.length = 0;
      ws.send({ type: 'chat', text: 'hi', from: 'someone-else' });
      const spoofed = await ws.next((m) => m.type === 'error');
      assert.equal(spoofed.code, 'bad-message', 'a sender field is never accepted from a client');
      ws.close();
    });

    it('refuses a control frame over 64 KiB with too-big', async () => {
      const ws = await WsClient.connect(tandem.url, session.id, token);
      ws.send({ type: 'input', tab: 't1', node: 3, value: 'x'.repeat(90_000) });
      const err = await ws.next((m) => m.type === 'error');
      assert.equal(err.code, 'too-big');
      ws.close();
    });

    it('closes the socket with 1009 and a reason on a frame over 8 MiB', async () => {
      const ws = await WsClient.connect(tandem.url, session.id, token);
      ws.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(9 * 1024 * 1024) }));
      const closed = await ws.waitClosed();
      assert.equal(closed.code, 1009);
    });

    it('refuses handshakes with a bad token, an unknown session or a foreign Origin', async () => {
      const base = tandem.url.replace(/^http/, 'ws');
      assert.equal(await handshakeStatus(`${base}/ws?session=${session.id}&token=wrong`), 403);
      assert.equal(await handshakeStatus(`${base}/ws?session=nope&token=${token}`), 404);
      assert.equal(await handshakeStatus(`${base}/ws?session=${session.id}&ticket=made-up`), 403);
      assert.equal(
        await handshakeStatus(`${base}/ws?session=${session.id}&token=${token}`, {
          origin: 'https://evil.example',
        }),
        403,
      );
      assert.equal(await handshakeStatus(`${base}/elsewhere`), 404);
    });
  });

  describe('over HTTP', () => {
    it('shows a 404 page, not a stack trace, for an unknown session', async () => {
      const res = await fetch(`${tandem.url}/s/no-such-session?key=x`);
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const body = await res.text();
      assert.match(body, /Session not found/);
      assert.doesNotMatch(body, /at .*\.js:\d+/);
    });

    it('answers API misuse with JSON errors', async () => {
      const post = (path: string, body: string) =>
        fetch(`${tandem.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      const cases: Array<[Promise<Response>, number, string]> = [
        [post('/api/sessions/no-such/participants', '{"name":"A","key":"k"}'), 404, 'unknown-session'],
        [post(`/api/sessions/${session.id}/participants`, '{"name":"A","key":"wrong"}'), 403, 'bad-key'],
        [post(`/api/sessions/${session.id}/participants`, '{"name":"A",'), 400, 'bad-json'],
        [
          post(`/api/sessions/${session.id}/participants`, `{"name":"","key":"${session.joinKey}"}`),
          400,
          'bad-request',
        ],
        [post('/api/sessions', '{"startUrl":"javascript:alert(1)"}'), 400, 'bad-url'],
        [post('/api/sessions', '{"batonPolicy":"anarchy"}'), 400, 'bad-request'],
        [post('/api/sessions', `{"pad":"${'x'.repeat(40_000)}"}`), 413, 'too-big'],
        [fetch(`${tandem.url}/api/nothing-here`), 404, 'not-found'],
      ];
      for (const [request, status, code] of cases) {
        const res = await request;
        assert.equal(res.status, status, `${code}`);
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, code);
        assert.ok(body.error.message.length > 0);
      }
    });

    it('checks every input of the open endpoint', async () => {
      const open = (id: string, url: string, t: string) =>
        fetch(`${tandem.url}/api/sessions/${id}/open?url=${encodeURIComponent(url)}&token=${t}`, {
          redirect: 'manual',
        });
      assert.equal((await open('no-such', 'http://example.com/', token)).status, 404);
      assert.equal((await open(session.id, 'http://example.com/', 'bad')).status, 403);
      assert.equal((await open(session.id, 'not a url', token)).status, 400);
      assert.equal((await open(session.id, 'file:///etc/passwd', token)).status, 400);
      const refused = await open(session.id, 'http://169.254.169.254/latest/meta-data/', token);
      assert.equal(refused.status, 303, 'a refused address still leads to a page that explains it');
      assert.match(
        refused.headers.get('location') ?? '',
        /^http:\/\/[a-z2-7]+\.content\.localhost:\d+\/__tandem\/enter\?/,
      );
    });

    it('answers an unknown content host and an entry code that was never issued with clear pages', async () => {
      const get = (host: string, path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port: tandem.port, path, headers: { host } }, (res) => {
              let body = '';
              res.on('data', (c) => {
                body += c;
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            })
            .on('error', reject);
        });
      const unknown = await get(`abcdefghijklmnopqrstuvwxyz.content.localhost:${tandem.port}`, '/');
      assert.equal(unknown.status, 404);
      assert.match(unknown.body, /does not belong to any Tandem session/);
      const res = await fetch(
        `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent('http://example.com/')}&token=${token}`,
        { redirect: 'manual' },
      );
      const entry = new URL(res.headers.get('location') ?? '');
      const forged = await get(entry.host, '/__tandem/enter?code=forged&to=/');
      assert.equal(forged.status, 403);
      assert.match(forged.body, /expired/);
      const noCookie = await get(entry.host, '/');
      assert.equal(noCookie.status, 307, 'a browser without its cookie is sent to be entered');
      const bounced = await fetch(`${tandem.url}/api/sessions/${session.id}/enter?label=x&to=/`, {
        headers: { accept: 'text/html' },
      });
      assert.equal(bounced.status, 404);
      assert.match(bounced.headers.get('content-type') ?? '', /text\/html/);
    });
  });
});
