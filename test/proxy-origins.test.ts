import assert from 'node:assert/strict';
import type http from 'node:http';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser, until } from './helpers/browser.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { type Route, upstream } from './helpers/upstream.js';

/** The part of `cookieStore` the test calls (the DOM typings in use do not declare it). */
interface CookieStoreLike extends EventTarget {
  get(query: string | { name: string }): Promise<unknown>;
  getAll(): Promise<{ name: string; value: string }[]>;
  set(nameOrOptions: string | { name: string; value: string }, value?: string): Promise<void>;
  delete(name: string): Promise<void>;
}

const page = (title: string, body = '') =>
  `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1><p id="first"></p><p id="out"></p>${body}</body></html>`;

function send(res: http.ServerResponse, type: string, body: string, headers: http.OutgoingHttpHeaders = {}) {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers }).end(body);
}

describe('the proxy between two upstream origins: modules, CORS and cookieStore', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  let browser: Browser;
  let tab: Page;
  let a: { url: string; server: http.Server };
  let b: { url: string; server: http.Server };
  let open: (url: string) => Promise<void>;
  const requested: string[] = [];
  const consoleErrors: string[] = [];
  const preflights: string[] = [];

  before(async () => {
    const js = 'text/javascript';
    const anyone = { 'access-control-allow-origin': '*' };
    const aRoutes: Record<string, Route> = {};
    const bRoutes: Record<string, Route> = {};
    a = await upstream(aRoutes);
    b = await upstream(bRoutes);
    const html =
      (body: string): Route =>
      (_req, res) =>
        send(res, 'text/html', body);
    Object.assign(aRoutes, {
      '/a.js': (_req, res) => send(res, js, "export const a = 'a';"),
      '/no-map.html': html(
        page(
          'No map',
          `<script type="module">
            import { b } from '${b.url}/b.js';
            const { a } = await import('${a.url}/a.js');
            document.getElementById('out').textContent = b + ' ' + a;
          </script>`,
        ),
      ),
      '/own-map.html': html(
        page(
          'Own map',
          `<script type="importmap">{"imports": {"lib": "${b.url}/lib.js"}}</script>
          <script type="module">
            import { lib } from 'lib';
            const { a } = await import('${a.url}/a.js');
            document.getElementById('out').textContent = lib + ' ' + a;
          </script>`,
        ),
      ),
      '/late-map.html': html(
        page(
          'Late map',
          `<script type="module">
            const { a } = await import('${a.url}/a.js');
            document.getElementById('first').textContent = a;
          </script>
          <script type="importmap">{"imports": {"lib": "${b.url}/lib.js"}}</script>
          <script type="module">
            import { lib } from 'lib';
            document.getElementById('out').textContent = lib;
          </script>`,
        ),
      ),
      '/plain.html': html(page('Plain')),
      '/nonce.html': (_req, res) =>
        send(
          res,
          'text/html',
          page(
            'Nonce',
            `<script type="module" nonce="abc">
              import { b } from '${b.url}/b.js';
              document.getElementById('out').textContent = b;
            </script>`,
          ),
          { 'content-security-policy': "script-src 'nonce-abc' 'strict-dynamic'" },
        ),
      '/strict.html': (_req, res) =>
        send(res, 'text/html', page('Strict', '<script type="module" src="/app.js"></script>'), {
          'content-security-policy': "script-src 'self'",
        }),
      '/app.js': (_req, res) => send(res, js, "document.getElementById('out').textContent = 'app';"),
      '/cookies.html': (_req, res) =>
        send(res, 'text/html', page('Cookies'), {
          'set-cookie': ['seen=1; Path=/', 'secret=2; Path=/; HttpOnly'],
        }),
      '/echo': (req, res) => send(res, 'text/plain', req.headers.cookie ?? ''),
    } satisfies Record<string, Route>);
    Object.assign(bRoutes, {
      '/b.js': (_req, res) =>
        send(res, js, `import { c } from '${b.url}/c.js'; export const b = 'b+' + c;`, anyone),
      '/lib.js': (_req, res) =>
        send(res, js, `import { c } from '${b.url}/c.js'; export const lib = 'lib+' + c;`, anyone),
      '/c.js': (_req, res) => send(res, js, "export const c = 'c';", anyone),
      '/enter.html': (_req, res) =>
        send(res, 'text/html', page('B entered'), { 'set-cookie': 'b_session=1; Path=/; HttpOnly' }),
      // Answers the Origin it was sent as the site would: allowed, another origin, or anyone.
      '/data': (req, res) => {
        const allow = new URL(req.url ?? '/', 'http://x').searchParams.get('allow');
        const origin = allow === 'origin' ? req.headers.origin : allow === 'other' ? b.url : '*';
        if (req.method === 'OPTIONS') {
          preflights.push(`${req.headers.origin} ${req.headers['access-control-request-headers']}`);
          return void res
            .writeHead(204, {
              'access-control-allow-origin': origin,
              'access-control-allow-credentials': 'true',
              'access-control-allow-headers': 'x-asked',
            })
            .end();
        }
        send(
          res,
          'application/json',
          JSON.stringify({ origin: req.headers.origin, cookie: req.headers.cookie }),
          {
            'access-control-allow-origin': origin,
            ...(allow === 'star' ? {} : { 'access-control-allow-credentials': 'true' }),
            'access-control-expose-headers': 'vary',
            vary: 'Origin',
          },
        );
      },
      '/timed': (req, res) => {
        const tao = new URL(req.url ?? '/', 'http://x').searchParams.get('tao');
        send(res, 'text/plain', 'timed', {
          ...anyone,
          'timing-allow-origin': tao === 'a' ? `http://nowhere.example, ${a.url}` : b.url,
        });
      },
    } satisfies Record<string, Route>);

    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    browser = await launchBrowser();
    tab = await browser.newPage();
    tab.on('request', (r) => requested.push(r.url()));
    tab.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    open = async (url) => {
      await tab.goto(
        `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(url)}&token=${owner.token}`,
      );
    };
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    a?.server.close();
    b?.server.close();
  });

  const text = (selector: string) => tab.$eval(selector, (el) => el.textContent ?? '');
  const shows = async (selector: string, expected: string) => {
    await until(`${selector} shows ${expected}`, async () => (await text(selector)) === expected);
  };
  const nothingDirect = () => {
    const upstreams = [a.url, b.url].map((u) => `${u}/`);
    assert.deepEqual(
      requested.filter((u) => upstreams.some((prefix) => u.startsWith(prefix))),
      [],
      'no request went to an upstream origin itself',
    );
  };

  describe('absolute module URLs', () => {
    it('of the page’s origin and of origins it names load through an injected import map', async () => {
      await open(`${a.url}/no-map.html`);
      await shows('#out', 'b+c a');
      nothingDirect();
    });

    it('are added to the page’s own import map, whose entries keep working', async () => {
      await open(`${a.url}/own-map.html`);
      await shows('#out', 'lib+c a');
      const maps = await tab.$$eval('script[type=importmap]', (s) => s.map((e) => e.textContent ?? ''));
      assert.equal(maps.length, 1, 'the page’s map took the entries; none was injected');
      nothingDirect();
    });

    it('load through the injected map, and a page’s map after a module script still counts', async () => {
      await open(`${a.url}/late-map.html`);
      await shows('#first', 'a');
      await shows('#out', 'lib+c');
      nothingDirect();
    });

    it('under a site policy with nonces, the injected map carries the runtime’s nonce', async () => {
      await open(`${a.url}/nonce.html`);
      await shows('#out', 'b+c');
      nothingDirect();
    });

    it('under a site policy that refuses inline scripts, no map is added', async () => {
      consoleErrors.length = 0;
      await open(`${a.url}/strict.html`);
      await shows('#out', 'app');
      assert.equal(await tab.$$eval('script[type=importmap]', (s) => s.length), 0);
      assert.deepEqual(consoleErrors, [], 'nothing was refused');
    });
  });

  describe('CORS between two content hosts of one session', () => {
    before(async () => {
      // Entering B top level puts its session cookie in the jar and the participant's in the browser.
      await open(`${b.url}/enter.html`);
      await open(`${a.url}/plain.html`);
    });

    const credentialed = (
      path: string,
      credentials: RequestCredentials,
      headers: Record<string, string> = {},
    ) =>
      tab.evaluate(
        async (url, mode, asked) => {
          try {
            const r = await fetch(url, { credentials: mode, headers: asked });
            return { vary: r.headers.get('vary'), body: (await r.json()) as { cookie?: string } };
          } catch (err) {
            return { error: String(err) };
          }
        },
        `${b.url}${path}`,
        credentials,
        headers,
      );

    it('a credentialed fetch gets the answer only when the site allows the page’s origin', async () => {
      const allowed = await credentialed('/data?allow=origin', 'include');
      assert.ok(allowed.body, JSON.stringify(allowed));
      assert.equal(allowed.body.cookie, 'b_session=1', 'the jar’s cookies for B went upstream');
      assert.equal(allowed.vary, 'Origin');
      const preflighted = await credentialed('/data?allow=origin', 'include', { 'x-asked': '1' });
      assert.equal(preflighted.body?.cookie, 'b_session=1', 'after a preflight the site allowed');
      assert.deepEqual(preflights, [`${a.url} x-asked`], 'the site answered the preflight for A’s origin');
      const other = await credentialed('/data?allow=other', 'include');
      assert.match(String((other as { error?: string }).error), /TypeError/);
      const anyone = await credentialed('/data?allow=star', 'include');
      assert.match(String((anyone as { error?: string }).error), /TypeError/, '* never allows credentials');
      const anonymous = await credentialed('/data?allow=star', 'omit');
      assert.ok(anonymous.body, JSON.stringify(anonymous));
      nothingDirect();
    });

    it('Timing-Allow-Origin naming the page’s origin exposes timings, another origin does not', async () => {
      const timings = await tab.evaluate(async (base) => {
        const requestStart = async (tao: string) => {
          await (await fetch(`${base}/timed?tao=${tao}`)).text();
          const entry = performance
            .getEntriesByType('resource')
            .find((e) => e.name.endsWith(`/timed?tao=${tao}`)) as PerformanceResourceTiming | undefined;
          return entry?.requestStart ?? -1;
        };
        return { page: await requestStart('a'), other: await requestStart('other') };
      }, b.url);
      assert.ok(timings.page > 0, JSON.stringify(timings));
      assert.equal(timings.other, 0);
    });
  });

  describe('cookieStore', () => {
    it('reads and writes the site’s cookies in the jar, never HttpOnly ones, with change events', async () => {
      await open(`${a.url}/cookies.html`);
      const seen = await tab.evaluate(async () => {
        const store = (globalThis as unknown as { cookieStore: CookieStoreLike }).cookieStore;
        const events: string[] = [];
        store.addEventListener('change', (e) => {
          const { changed, deleted } = e as unknown as {
            changed: { name: string; value: string }[];
            deleted: { name: string }[];
          };
          events.push(
            [...changed.map((c) => `+${c.name}=${c.value}`), ...deleted.map((c) => `-${c.name}`)].join(' '),
          );
        });
        const visible = await store.get('seen');
        const hidden = await store.get({ name: 'secret' });
        await store.set('fromstore', 'x');
        await store.set({ name: 'secret', value: 'overwritten' });
        await store.delete('seen');
        const all = (await store.getAll()).map((c) => `${c.name}=${c.value}`);
        const refused = await store.set('bad=name', 'x').then(
          () => 'set',
          (err: Error) => err.name,
        );
        return { visible, hidden, all, cookie: document.cookie, events, refused };
      });
      assert.deepEqual(seen.visible, { name: 'seen', value: '1' });
      assert.equal(seen.hidden, null, 'an HttpOnly cookie is never exposed');
      assert.deepEqual(seen.all, ['fromstore=x']);
      assert.equal(seen.cookie, 'fromstore=x', 'document.cookie shows the same');
      assert.deepEqual(seen.events, ['+fromstore=x', '-seen']);
      assert.equal(seen.refused, 'TypeError');
      const server = await tab.evaluate(async (url) => (await fetch(url)).text(), `${a.url}/echo`);
      assert.deepEqual(
        // Cookies are not kept apart by port: B's session cookie is the same host's.
        server
          .split('; ')
          .filter((c) => !c.startsWith('b_session='))
          .sort(),
        ['fromstore=x', 'secret=2'],
        'the site got the jar’s cookies',
      );
    });
  });
});
