import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { launchBrowser, until } from './helpers/browser.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';

const CHECKS: Record<string, RegExp> = {
  fetch: /^fetch: ok fetch$/,
  'fetch-other': /^fetch-other: ok request POST$/,
  xhr: /^xhr: ok xhr$/,
  websocket: /^websocket: ok ping$/,
  eventsource: /^eventsource: ok hello from the stream$/,
  image: /^image: ok$/,
  beacon: /^beacon: ok queued$/,
  history: /^history: ok \?pushed=1$/,
  'inner-html': /^inner-html: ok$/,
};

describe('URLs built by page scripts at run time go through the proxy', function () {
  this.timeout(60_000);
  let tandem: TestTandem;
  let site: FixtureSite;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const consoleErrors: string[] = [];
  let contentSuffix: string;

  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    contentSuffix = '.content.localhost';
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('request', (r) => requested.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const target = `${site.url}/runtime-urls.html`;
    await page.goto(
      `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(target)}&token=${owner.token}`,
    );
    await page.waitForSelector('h1::-p-text(Runtime URLs)');
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  it('fetch, XHR, WebSocket, EventSource, images, beacons, history and inserted markup all work', async () => {
    await until('every check has reported', async () =>
      page.evaluate((n) => document.querySelectorAll('#results li').length >= n, Object.keys(CHECKS).length),
    );
    const lines = await page.$$eval('#results li', (lis) => lis.map((li) => [li.id, li.textContent ?? '']));
    const byName = new Map(lines.map(([id, text]) => [String(id).slice(2), String(text)]));
    for (const [name, expected] of Object.entries(CHECKS)) {
      assert.match(byName.get(name) ?? `${name}: missing`, expected);
    }
    assert.ok(
      new URL(page.url()).hostname.endsWith(contentSuffix),
      'pushState kept the page on its content host',
    );
    await until(
      'the beacon reached the site',
      async () => (await (await fetch(`${site.url}/beacons`)).text()) === '1',
    );
  });

  it('sends nothing from the browser to the site itself, and logs no errors', () => {
    const site127 = new URL(site.url);
    const direct = requested.filter((u) => {
      const h = new URL(u);
      return h.port === site127.port && !h.hostname.endsWith(contentSuffix);
    });
    assert.deepEqual(direct, [], 'every request went to a content host or the app');
    assert.deepEqual(consoleErrors, []);
  });

  it('a script navigating to an absolute address of the site stays inside the proxy', async () => {
    await Promise.all([page.waitForNavigation(), page.click('#go')]);
    await page.waitForSelector('h1::-p-text(Products)');
    assert.ok(new URL(page.url()).hostname.endsWith(contentSuffix), page.url());
  });

  it('a form whose action a script set to the site is posted through the proxy', async () => {
    await page.goBack();
    await page.waitForSelector('#post');
    await Promise.all([page.waitForNavigation(), page.click('#post')]);
    await page.waitForSelector('::-p-text(Runtime Ann)');
    assert.ok(new URL(page.url()).hostname.endsWith(contentSuffix), page.url());
  });

  it('leaves a value that is not a string (a Trusted Types object) to the browser as it is', async () => {
    const other = site.url.replace('127.0.0.1', 'localhost');
    const href = await page.evaluate((o) => {
      const a = document.createElement('a');
      a.setAttribute('href', { toString: () => `${o}/x` } as unknown as string);
      return a.getAttribute('href');
    }, other);
    assert.equal(href, `${other}/x`, 'not mapped: a trusted value must reach the browser unchanged');
    const mapped = await page.evaluate((o) => {
      const a = document.createElement('a');
      a.setAttribute('href', `${o}/x`);
      return a.getAttribute('href');
    }, other);
    assert.notEqual(mapped, `${other}/x`, 'a string is mapped');
  });

  it('the policy added to proxied pages blocks a load the shims did not map', async () => {
    const blocked = await page.evaluate(
      (other) =>
        new Promise<string>((resolve) => {
          addEventListener('securitypolicyviolation', (e) => resolve(e.blockedURI), { once: true });
          const link = document.createElement('link');
          link.rel = 'stylesheet';
          document.head.append(link);
          // An attribute node set on an element already in the page passes no shim.
          const attr = document.createAttribute('href');
          attr.value = `${other}/style.css`;
          link.setAttributeNode(attr);
        }),
      site.url.replace('127.0.0.1', 'localhost'),
    );
    assert.match(blocked, /^http:\/\/localhost:\d+\/style\.css$/);
  });

  it('document.cookie shows and writes the site’s cookies from the session jar, never HttpOnly ones', async () => {
    const url = new URL(page.url());
    await page.goto(`${url.origin}/cookies.html`);
    await page.waitForSelector('#r-after-fetch');
    const text = (id: string) => page.$eval(`#r-${id}`, (el) => el.textContent ?? '');
    assert.equal(await text('initial'), 'visible=yes');
    assert.equal(
      await text('after-write'),
      'visible=yes; fromjs=1',
      'a script cannot set an HttpOnly cookie',
    );
    // acme_session is the HttpOnly cookie the form post of an earlier test set.
    const server = (await text('server'))
      .split('; ')
      .filter((c) => !c.startsWith('acme_session='))
      .sort();
    assert.deepEqual(
      server,
      ['fromjs=1', 'hidden=server-only', 'visible=yes'],
      'the site gets all of its cookies',
    );
    assert.equal(
      await text('after-fetch'),
      'visible=yes; fromjs=1; later=1',
      'a cookie set by a fetch shows',
    );
  });
});
