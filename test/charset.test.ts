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
