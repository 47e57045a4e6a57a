import assert from 'node:assert/strict';
import type { Browser } from 'puppeteer-core';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { frameShowing, launchBrowser, withOwnerPage } from './helpers/browser.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';

describe('the egress guard, seen from a browser', function () {
  this.timeout(60_000);
  let site: FixtureSite;
  let browser: Browser;

  before(async () => {
    site = await startFixtureSite();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  describe('with no network allowed', () => {
    let tandem: TestTandem;
    before(async () => {
      tandem = await startTestTandem();
    });
    after(() => tandem?.stop());

    it('refuses a loopback site with a clear page in the owner frame, and never contacts it', async () => {
      let contacted = 0;
      const countRequests = () => contacted++;
      site.server.on('request', countRequests);
      const session = await createSession(tandem.url);
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.goto(`${session.hostUrl}&name=Olivia`);
      await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
      await page.type('[data-testid="address-bar"]', `${site.url}/`);
      await page.keyboard.press('Enter');
      const frame = await frameShowing(page, 'Tandem will not open this address');
      const text = await frame.evaluate(() => document.body.textContent ?? '');
      assert.match(text, /127\.0\.0\.1/);
      assert.match(text, /loopback/);
      site.server.off('request', countRequests);
      assert.equal(contacted, 0);
      await context.close();
    });
  });

  describe('with loopback allowed', () => {
    let tandem: TestTandem;
    before(async () => {
      tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    });
    after(() => tandem?.stop());

    for (const host of ['127.0.0.1', 'localhost']) {
      it(`still refuses Tandem's own port (${host})`, async () => {
        const session = await createSession(tandem.url);
        const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
        const context = await browser.createBrowserContext();
        const page = await context.newPage();
        const target = `http://${host}:${tandem.port}/`;
        await page.goto(
          `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(target)}&token=${owner.token}`,
        );
        const text = await page.evaluate(() => document.body.textContent ?? '');
        assert.match(text, /Tandem will not open this address/);
        assert.match(text, /Tandem's own address/);
        assert.match(new URL(page.url()).hostname, /\.content\.localhost$/);
        await context.close();
      });
    }

    it('lets the fixture site through once its network is allowed', async () => {
      const session = await createSession(tandem.url);
      const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.goto(
        `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(`${site.url}/`)}&token=${owner.token}`,
      );
      assert.equal(await page.$eval('h1', (h) => h.textContent), 'Acme Outfitters');
      await context.close();
    });
  });
});

describe("the page's own WebSockets", function () {
  this.timeout(60_000);
  it('are tunnelled for the tab owner through the proxy', async () => {
    await withOwnerPage('/live.html', async (page, open, tandemUrl) => {
      const direct: string[] = [];
      page.on('request', (r) => {
        if (!new URL(r.url()).hostname.endsWith('.content.localhost') && !r.url().startsWith(tandemUrl)) {
          direct.push(r.url());
        }
      });
      await open();
      await page.waitForSelector('#status::-p-text(echo: hello)');
      assert.deepEqual(direct, [], 'nothing left the content hosts');
    });
  });
});
