import assert from 'node:assert/strict';
import type http from 'node:http';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, until } from './helpers/browser.js';
import { request } from './helpers/content.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { type Route, upstream } from './helpers/upstream.js';

async function text(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

/**
 * An API that logs in with a cookie, answering CORS with credentials for the app's origin only. The
 * body of a login names who it is; `/me` says who the cookie belongs to.
 */
function api(appOrigin: () => string): Record<string, Route> {
  const cors = (req: http.IncomingMessage): http.OutgoingHttpHeaders =>
    req.headers.origin === appOrigin()
      ? {
          'access-control-allow-origin': appOrigin(),
          'access-control-allow-credentials': 'true',
          vary: 'Origin',
        }
      : {};
  return {
    '/login': async (req, res) => {
      const body = await text(req);
      res
        .writeHead(200, {
          ...cors(req),
          'content-type': 'application/json',
          'set-cookie': `user=${encodeURIComponent(body)}; Path=/; HttpOnly; SameSite=Lax`,
        })
        .end('{"ok":true}');
    },
    // A sign-in form's target: post, redirect, and the next page knows who signed in.
    '/sign-in': async (req, res) => {
      const body = await text(req);
      res
        .writeHead(303, {
          location: '/welcome',
          'set-cookie': `user=${encodeURIComponent(body)}; Path=/; HttpOnly; SameSite=Lax`,
        })
        .end();
    },
    '/welcome': (req, res) => {
      const user = /(?:^|; )user=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><title>Welcome</title><p id="welcome">${decodeURIComponent(user ?? 'nobody')}</p>`,
        );
    },
    '/favicon.ico': (_req, res) => res.writeHead(204).end(),
    '/me': (req, res) => {
      const user = /(?:^|; )user=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
      res
        .writeHead(200, { ...cors(req), 'content-type': 'application/json' })
        .end(JSON.stringify({ user: user ? decodeURIComponent(user) : null }));
    },
  };
}

/** A single-page app on A that logs in against the API on B, through fetch or XHR. */
const spa = (apiUrl: string) => `<!doctype html><html><head><title>SPA</title></head><body>
<p id="fetch"></p><p id="xhr"></p>
<script>
  const xhr = (method, url, body) => new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    x.withCredentials = true;
    x.onload = () => resolve(JSON.parse(x.responseText));
    x.onerror = () => reject(new Error('xhr failed'));
    x.send(body);
  });
  const api = ${JSON.stringify(apiUrl)};
  (async () => {
    if (location.search === '?xhr') {
      await xhr('POST', api + '/login', 'xena');
      document.getElementById('xhr').textContent = (await xhr('GET', api + '/me')).user ?? 'nobody';
      return;
    }
    await fetch(api + '/login', { method: 'POST', credentials: 'include', body: 'olivia' });
    const me = await (await fetch(api + '/me', { credentials: 'include' })).json();
    document.getElementById('fetch').textContent = me.user ?? 'nobody';
  })().catch((err) => { document.body.dataset.failed = String(err); });
</script></body></html>`;

describe('a credentialed request to a content host the browser has not entered yet', function () {
  this.timeout(90_000);
  let tandem: TestTandem;
  let browser: Browser;
  let a: { url: string; server: http.Server };
  let b: { url: string; server: http.Server };
  const consoleErrors: string[] = [];

  before(async () => {
    const aRoutes: Record<string, Route> = {};
    a = await upstream(aRoutes);
    b = await upstream(api(() => a.url));
    aRoutes['/'] = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(spa(b.url));
    aRoutes['/favicon.ico'] = (_req, res) => res.writeHead(204).end();
    aRoutes['/form'] = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<!doctype html><title>Form</title><form method="post" action="${b.url}/sign-in">
        <input name="user" value="felix"><button name="via" value="button">Sign in</button></form>`,
      );
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    a?.server.close();
    b?.server.close();
  });

  /** A fresh browser context on a fresh session: nothing entered, nothing in the jar. */
  async function ownerTab(): Promise<{ tab: Page; open: (url: string) => Promise<void> }> {
    const tab = await (await browser.createBrowserContext()).newPage();
    tab.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const open = async (url: string) => {
      await tab.goto(
        `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(url)}&token=${owner.token}`,
      );
    };
    return { tab, open };
  }

  const shows = async (tab: Page, selector: string) => {
    await until(`${selector} has an answer`, async () => {
      const failed = await tab.evaluate(() => document.body.dataset.failed);
      if (failed) throw new Error(failed);
      return (await tab.$eval(selector, (el) => el.textContent)) !== '';
    });
    return tab.$eval(selector, (el) => el.textContent);
  };

  it('fetch with credentials: the second call sees the cookie the first set, as directly', async () => {
    const direct = await (await browser.createBrowserContext()).newPage();
    await direct.goto(`${a.url}/`);
    assert.equal(await shows(direct, '#fetch'), 'olivia', 'the app works without Tandem');

    const { tab, open } = await ownerTab();
    await open(`${a.url}/`);
    assert.equal(await shows(tab, '#fetch'), 'olivia');
    assert.deepEqual(consoleErrors, []);
  });

  it('an XMLHttpRequest withCredentials does the same', async () => {
    const { tab, open } = await ownerTab();
    await open(`${a.url}/?xhr`);
    assert.equal(await shows(tab, '#xhr'), 'xena');
    assert.deepEqual(consoleErrors, []);
  });

  it('a form on A posting to B enters B first, and the submission arrives as the button sent it', async () => {
    const signIn = async (tab: Page) => {
      await Promise.all([tab.waitForNavigation(), tab.click('button')]);
      await tab.waitForSelector('#welcome');
      return tab.$eval('#welcome', (el) => el.textContent);
    };
    const direct = await (await browser.createBrowserContext()).newPage();
    await direct.goto(`${a.url}/form`);
    assert.equal(await signIn(direct), 'user=felix&via=button', 'the form works without Tandem');

    const { tab, open } = await ownerTab();
    await open(`${a.url}/form`);
    assert.equal(await signIn(tab), 'user=felix&via=button');
    assert.match(new URL(tab.url()).hostname, /\.content\.localhost$/);
    assert.deepEqual(consoleErrors, []);
  });

  it('the entry answers a page of the same session only, and its code works once', async () => {
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const opened = await fetch(
      `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(`${a.url}/`)}&token=${owner.token}`,
      { redirect: 'manual' },
    );
    const entry = new URL(opened.headers.get('location') ?? '');
    const aHost = entry.host;
    const aCookie = (await request(tandem.port, aHost, `${entry.pathname}${entry.search}`)).headers[
      'set-cookie'
    ]?.[0]?.split(';')[0];
    assert.ok(aCookie);
    const bLabel = await request(tandem.port, aHost, `/__tandem/map?origin=${encodeURIComponent(b.url)}`, {
      headers: { cookie: aCookie },
    });
    const bHost = new URL(bLabel.body).host;
    const label = bHost.split('.')[0] ?? '';
    const mint = (cookie?: string) =>
      request(tandem.port, aHost, `/__tandem/bounce?label=${label}`, {
        headers: cookie ? { cookie } : {},
      });
    assert.equal((await mint()).status, 403, 'only the cookie holder of A gets a code for B');
    const code = new URL((await mint(aCookie)).headers.location ?? '');
    const origin = `http://${aHost}`;
    const redeem = (from: string) =>
      request(tandem.port, bHost, `${code.pathname}${code.search}`, { headers: { origin: from } });
    const entered = await redeem(origin);
    assert.equal(entered.status, 204);
    assert.equal(entered.headers['access-control-allow-origin'], origin);
    assert.equal(entered.headers['access-control-allow-credentials'], 'true');
    assert.match(
      entered.headers['set-cookie']?.[0] ?? '',
      /^tandem_participant=.*HttpOnly; Secure; SameSite=None; Partitioned$/,
    );
    assert.equal((await redeem(origin)).status, 403, 'a code is single-use');

    const stranger = await request(
      tandem.port,
      bHost,
      `${code.pathname}${code.search}`.replace(/code=[^&]+/, 'code=x'),
      {
        headers: { origin },
      },
    );
    assert.equal(stranger.status, 403, 'an unknown code enters nobody');
    const other = new URL((await mint(aCookie)).headers.location ?? '');
    const foreign = await request(tandem.port, bHost, `${other.pathname}${other.search}`, {
      headers: { origin: 'http://elsewhere.example' },
    });
    assert.equal(foreign.status, 303, 'a page outside the session gets no CORS answer');
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });
});
