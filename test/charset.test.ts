import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { launchBrowser } from './helpers/browser.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';

describe('page encodings survive the proxy', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  let site: FixtureSite;
  let browser: Browser;
  let page: Page;
  let open: (path: string) => Promise<void>;

  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    browser = await launchBrowser();
    page = await browser.newPage();
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    open = async (path) => {
      const target = encodeURIComponent(`${site.url}${path}`);
      await page.goto(`${tandem.url}/api/sessions/${session.id}/open?url=${target}&token=${owner.token}`);
    };
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  it('a windows-1252 page declared only by a late <meta> reads right and posts its form in windows-1252', async () => {
    await open('/latin.html');
    await page.waitForSelector('#title');
    assert.equal(await page.evaluate(() => document.characterSet), 'windows-1252');
    assert.equal(await page.$eval('#title', (el) => el.textContent), 'Café crème à emporter');
    await page.type('#name', 'Zoë');
    await Promise.all([page.waitForNavigation(), page.click('#send')]);
    assert.equal(
      await page.evaluate(() => document.body.textContent?.trim()),
      'name=Zo%EB',
      'ë is 0xEB, not UTF-8',
    );
  });

  it('keeps a non-ASCII absolute link exactly as the page wrote it, with only its origin changed', async () => {
    await open('/utf8-links.html');
    const href = await page.$eval('#abs', (el) => el.getAttribute('href') ?? '');
    const url = new URL(href);
    assert.ok(url.hostname.endsWith('.content.localhost'), href);
    assert.ok(href.endsWith('/chemin/été?q=ü#à'), href);
  });
});

describe('the site’s own Content-Security-Policy stays in force inside Tandem', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  let site: FixtureSite;
  let browser: Browser;

  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  it('runs the page’s nonce’d script and Tandem’s runtime, blocks what the site blocks, maps its sources', async () => {
    const page = await browser.newPage();
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const target = encodeURIComponent(`${site.url}/strict.html`);
    const response = await page.goto(
      `${tandem.url}/api/sessions/${session.id}/open?url=${target}&token=${owner.token}`,
    );
    await page.waitForSelector('#nonced');
    const headers = response?.headers() ?? {};
    const csp = headers['content-security-policy'] ?? '';
    const port = new URL(site.url).port;
    for (const gone of [`127.0.0.1:${port}`, `//localhost:${port}`, "frame-ancestors 'none'", 'report-uri']) {
      assert.ok(!csp.includes(gone), `${gone} is not in ${csp}`);
    }
    assert.match(csp, /img-src 'self' http:\/\/[a-z2-7]+\.content\.localhost:\d+/, csp);
    assert.match(
      headers.link ?? '',
      /^<http:\/\/[a-z2-7]+\.content\.localhost:\d+\/style\.css>; rel=preload/,
    );
    assert.equal(headers['x-frame-options'], undefined);
    assert.equal(await page.$eval('#nonced', (el) => el.textContent), 'ran');
    assert.equal(
      await page.$eval('#unnonced', (el) => el.textContent),
      'not run',
      'the site’s policy still applies',
    );
    await page.waitForFunction(
      () => (document.getElementById('other-img') as HTMLImageElement).naturalWidth > 0,
    );
    // The runtime ran: document.cookie is its emulation, which reads the jar (empty here), not the host's.
    assert.equal(
      await page.evaluate(() => Object.getOwnPropertyDescriptor(document, 'cookie') !== undefined),
      true,
    );
    await page.close();
  });
});
