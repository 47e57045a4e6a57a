import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { enter, request } from './helpers/content.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';

describe('the rewriting proxy, over real HTTP', function () {
  this.timeout(30_000);
  let site: FixtureSite;
  let tandem: TestTandem;
  let owner: { host: string; cookie: string };
  let follower: { host: string; cookie: string };
  const seen: string[] = [];

  before(async () => {
    site = await startFixtureSite();
    site.server.on('request', (req) => seen.push(`${req.method} ${req.url}`));
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    const session = await createSession(tandem.url);
    const o = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const f = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    owner = await enter(tandem.url, tandem.port, session.id, o.token, `${site.url}/`);
    follower = await enter(tandem.url, tandem.port, session.id, f.token, `${site.url}/`);
  });
  after(async () => {
    await tandem?.stop();
    await site?.close();
  });

  const get = (
    who: { host: string; cookie: string },
    path: string,
    options: Parameters<typeof request>[3] = {},
  ) =>
    request(tandem.port, who.host, path, { ...options, headers: { cookie: who.cookie, ...options.headers } });

  it('enters with a one-time code that becomes a partitioned, host-only, HttpOnly cookie', async () => {
    const session = await createSession(tandem.url);
    const o = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const entered = await enter(
      tandem.url,
      tandem.port,
      session.id,
      o.token,
      `${site.url}/form.html?x=1#top`,
    );
    assert.match(entered.setCookie, /HttpOnly/);
    assert.match(entered.setCookie, /Partitioned/);
    assert.match(entered.setCookie, /SameSite=None/);
    assert.doesNotMatch(entered.setCookie, /Domain=/i, 'host-only');
    assert.equal(entered.location, '/form.html?x=1#top');
    assert.notEqual(entered.host, owner.host, 'each session has its own content host for the same site');
  });

  it('serves the page with the runtime as the first script and absolute links mapped to the content host', async () => {
    const home = await get(owner, '/');
    assert.equal(home.status, 200);
    const head = home.body.slice(home.body.indexOf('<head'), home.body.indexOf('<head') + 300);
    assert.match(head, /<head[^>]*><script src="\/__tandem\/runtime\.[0-9a-f]+\.js"/);
    const products = await get(owner, '/products.html');
    assert.match(products.body, new RegExp(`href="http://${owner.host.replace(/\./g, '\\.')}/form\\.html"`));
    assert.doesNotMatch(products.body, new RegExp(`href="${site.url}`));
    const runtimePath = /src="(\/__tandem\/runtime\.[0-9a-f]+\.js)"/.exec(home.body)?.[1] ?? '';
    const runtime = await request(tandem.port, owner.host, runtimePath);
    assert.equal(runtime.status, 200);
    assert.match(String(runtime.headers['cache-control']), /immutable/);
  });

  it('decodes gzip before rewriting CSS, and compresses the result again only for a browser that takes it', async () => {
    const plain = await get(owner, '/style.css');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers['content-type']), /text\/css/);
    assert.match(plain.body, /pattern\.svg/);
    const zipped = await get(owner, '/style.css', { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers.vary), /Accept-Encoding/);
    assert.ok(
      Number(zipped.headers['content-length']) < Buffer.byteLength(plain.body),
      'smaller than the plain body',
    );
  });

  it('keeps upstream cookies in the session jar: never in a browser, always sent upstream', async () => {
    const posted = await get(owner, '/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'fullname=Olivia&size=M',
    });
    assert.equal(posted.status, 200);
    assert.match(posted.body, /Thank you, Olivia/);
    assert.equal(
      posted.headers['set-cookie'],
      undefined,
      'the upstream Set-Cookie does not reach the browser',
    );
    const echoed = await get(owner, '/cookie');
    assert.match(echoed.body, /acme_session=/);
    assert.doesNotMatch(echoed.body, /tandem_participant/, "Tandem's own cookie never goes upstream");
  });

  it('puts its policy only on what can run, serves a page the same on every view, and keeps forwarding headers', async () => {
    const page = await get(owner, '/');
    const again = await get(owner, '/');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(page.body, again.body, 'no per-view nonce without a site policy that wants one');
    const text = await get(owner, '/cookie');
    assert.equal(text.headers['content-security-policy'], undefined, 'plain text cannot run: no policy');
    const forwarded: Array<string | undefined> = [];
    const watch = (req: { headers: Record<string, string | string[] | undefined> }) =>
      forwarded.push(
        String(req.headers['x-forwarded-for'] ?? req.headers['x-real-ip'] ?? req.headers.forwarded ?? ''),
      );
    site.server.on('request', watch);
    try {
      await get(owner, '/cookie', {
        headers: {
          'x-forwarded-for': '203.0.113.9',
          'x-real-ip': '203.0.113.9',
          forwarded: 'for=203.0.113.9',
        },
      });
    } finally {
      site.server.off('request', watch);
    }
    assert.deepEqual(forwarded, [''], 'who the participant is does not reach the site');
  });

  it('rewrites redirects to the content host instead of following them', async () => {
    const redirected = await get(owner, '/redirect?to=/form.html');
    assert.equal(redirected.status, 302);
    assert.equal(redirected.headers.location, `http://${owner.host}/form.html`);
  });

  it('serves followers what the owner loaded, and fetches anything else once, without the session cookies', async () => {
    const loaded = await get(owner, '/img/logo.svg?v=owner-first');
    assert.equal(loaded.status, 200);
    const before = seen.length;
    const cached = await get(follower, '/img/logo.svg?v=owner-first');
    assert.equal(cached.status, 200);
    assert.equal(cached.body, loaded.body);
    assert.match(String(cached.headers['content-type']), /svg/);
    assert.equal(cached.headers['content-security-policy'], 'sandbox');
    assert.equal(seen.length, before, 'a copy the owner loaded is served without asking the site');

    await get(owner, '/submit', { method: 'POST', body: 'fullname=x' });
    const together = await Promise.all(
      Array.from({ length: 5 }, () => get(follower, '/cookie?v=follower-first')),
    );
    for (const reply of together) {
      assert.equal(reply.status, 200);
      assert.equal(reply.body, '', 'the site saw no cookie from the jar');
    }
    assert.equal(
      seen.filter((r) => r === 'GET /cookie?v=follower-first').length,
      1,
      'five followers, one fetch',
    );
    const again = await get(follower, '/cookie?v=follower-first');
    assert.equal(again.body, '');
    assert.equal(seen.filter((r) => r === 'GET /cookie?v=follower-first').length, 1, 'kept for the next one');

    const page = await get(follower, '/');
    assert.equal(page.status, 404, 'followers never get page HTML, so they never run page scripts');
  });

  it('bounces a browser without its cookie through the referring content host, else the app', async () => {
    const other = `${site.url.replace('127.0.0.1', 'localhost')}/img/logo.svg`;
    const session = await createSession(tandem.url);
    const o = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const first = await enter(tandem.url, tandem.port, session.id, o.token, `${site.url}/`);
    const res = await fetch(
      `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(other)}&token=${o.token}`,
      {
        redirect: 'manual',
      },
    );
    const otherHost = new URL(res.headers.get('location') ?? '').host;

    const viaPage = await request(tandem.port, otherHost, '/img/logo.svg', {
      headers: { referer: `http://${first.host}/` },
    });
    assert.equal(viaPage.status, 307);
    const bounce = new URL(viaPage.headers.location ?? '');
    assert.equal(bounce.host, first.host);
    assert.equal(bounce.pathname, '/__tandem/bounce');

    const onward = await request(tandem.port, first.host, `${bounce.pathname}${bounce.search}`, {
      headers: { cookie: first.cookie },
    });
    assert.equal(onward.status, 303);
    const entry = new URL(onward.headers.location ?? '');
    assert.equal(entry.host, otherHost);
    const entered = await request(tandem.port, otherHost, `${entry.pathname}${entry.search}`);
    assert.equal(entered.headers.location, '/img/logo.svg');
    const cookie = entered.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    const image = await request(tandem.port, otherHost, '/img/logo.svg', { headers: { cookie } });
    assert.equal(image.status, 200);

    const withoutCookie = await request(tandem.port, first.host, `${bounce.pathname}${bounce.search}`);
    assert.equal(withoutCookie.status, 403, 'the referring host only vouches for participants it knows');
    const viaApp = await request(tandem.port, otherHost, '/img/logo.svg');
    assert.equal(viaApp.status, 307);
    assert.equal(new URL(viaApp.headers.location ?? '').pathname, `/api/sessions/${session.id}/enter`);
  });

  it('never bounces into another session, and does not accept a cookie made for another host', async () => {
    const session = await createSession(tandem.url);
    const o = await joinAs(tandem.url, session.id, 'Eve', session.hostKey);
    const elsewhere = await enter(tandem.url, tandem.port, session.id, o.token, `${site.url}/`);
    const elsewhereLabel = elsewhere.host.split('.')[0] ?? '';
    const foreign = await request(tandem.port, owner.host, `/__tandem/bounce?label=${elsewhereLabel}&to=/`, {
      headers: { cookie: owner.cookie },
    });
    assert.equal(foreign.status, 403, 'the target must be another host of the same session');
    const post = await request(tandem.port, owner.host, '/submit', { method: 'POST', body: 'a=1' });
    assert.equal(post.status, 403, 'a request that cannot be bounced is refused');
    const stolen = await request(tandem.port, owner.host, '/', { headers: { cookie: elsewhere.cookie } });
    assert.equal(stolen.status, 307, 'a cookie for another host counts as none: the page is not served');
    assert.doesNotMatch(stolen.body, /Acme/);
  });
});

describe("the page's own WebSockets, over real sockets", function () {
  this.timeout(20_000);
  let site: FixtureSite;
  let tandem: TestTandem;
  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
  });
  after(async () => {
    await tandem?.stop();
    await site?.close();
  });

  const connect = (host: string, cookie: string, origin?: string) =>
    new Promise<{ status: number; echo?: string }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${tandem.port}/echo`, {
        headers: { host, cookie, ...(origin ? { origin } : {}) },
      });
      ws.on('open', () => ws.send('ping'));
      ws.on('message', (d) => {
        resolve({ status: 101, echo: d.toString() });
        ws.close();
      });
      ws.on('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.resume();
      });
      ws.on('error', (e) => {
        if (!String(e.message).includes('Unexpected server response')) reject(e);
      });
    });

  it("tunnels the owner's connection and refuses followers and strangers", async () => {
    const session = await createSession(tandem.url);
    const o = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const f = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const owner = await enter(tandem.url, tandem.port, session.id, o.token, `${site.url}/live.html`);
    const follower = await enter(tandem.url, tandem.port, session.id, f.token, `${site.url}/live.html`);
    assert.deepEqual(await connect(owner.host, owner.cookie), { status: 101, echo: 'ping' });
    assert.equal((await connect(follower.host, follower.cookie)).status, 403);
    assert.equal((await connect(owner.host, '')).status, 403);
  });

  it('lets a page of the session connect to another of its hosts without a cookie, but never with the session’s cookies', async () => {
    const session = await createSession(tandem.url);
    const o = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const owner = await enter(tandem.url, tandem.port, session.id, o.token, `${site.url}/live.html`);
    // The jar gets a cookie for the site, as a login would set.
    await request(tandem.port, owner.host, '/submit', {
      method: 'POST',
      body: 'a=1',
      headers: { cookie: owner.cookie },
    });
    const other = site.url.replace('127.0.0.1', 'localhost');
    const second = await enter(tandem.url, tandem.port, session.id, o.token, `${other}/live.html`);
    const cookies: Array<string | undefined> = [];
    const watch = (req: { headers: { cookie?: string } }) => cookies.push(req.headers.cookie);
    site.server.on('upgrade', watch);
    try {
      const tunnelled = await connect(owner.host, '', `http://${second.host}`);
      assert.deepEqual(tunnelled, { status: 101, echo: 'ping' });
      assert.deepEqual(cookies, [undefined], 'the jar’s cookies are not sent on an Origin alone');
      cookies.length = 0;
      assert.equal((await connect(owner.host, owner.cookie)).status, 101);
      assert.match(String(cookies[0]), /acme_session=/, 'the owner’s own connection carries them');
    } finally {
      site.server.off('upgrade', watch);
    }
  });
});
