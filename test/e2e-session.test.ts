import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import {
  frameShowing,
  launchBrowser,
  ownerAndFollower,
  seriousA11yViolations,
  until,
  withOwnerPage,
} from './helpers/browser.js';
import {
  type CreatedSession,
  createSession,
  joinAs,
  startTestTandem,
  type TestTandem,
} from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

const PASSWORD = 'hunter2-SECRET-pw';
const SHOTS = new URL('../../test-output/', import.meta.url);

/** Screenshots of the main states, written on every run so a person can look at them. */
async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: fileURLToPath(new URL(`${name}.png`, SHOTS)) });
}
const CARD = '4111-PRIVATE-1111';

describe('a quick co-browsing session, end to end in Chromium', function () {
  this.timeout(120_000);
  let tandem: TestTandem;
  let site: FixtureSite;
  let browser: Browser;
  let owner: Page;
  let follower: Page;
  let session: CreatedSession;
  const followerFrames: string[] = [];

  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    browser = await launchBrowser();
    ({ owner, follower } = await ownerAndFollower(browser));
    session = await createSession(tandem.url);
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  it('1-2: the owner opens the viewer and browses a page through the proxy', async () => {
    await owner.goto(`${session.hostUrl}&name=Olivia`);
    await owner.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await owner.type('[data-testid="address-bar"]', `${site.url}/`);
    await owner.keyboard.press('Enter');
    const live = await frameShowing(owner, 'Acme Outfitters');
    assert.match(new URL(live.url()).hostname, /^[a-z][a-z2-7]{25}\.content\.localhost$/);
    // Styles and images arrive through the proxy.
    await until("an image from the site's other origin has loaded, through the entry bounce", () =>
      live.evaluate(() => (document.getElementById('partner-badge') as HTMLImageElement).naturalWidth > 0),
    );
    await until('the logo has loaded', () =>
      live.evaluate(() => (document.querySelector('img') as HTMLImageElement).naturalWidth > 0),
    );
    const styled = await live.evaluate(() => getComputedStyle(document.body).fontFamily);
    assert.notEqual(styled, '', 'the stylesheet applies');
    assert.ok((await live.evaluate(() => document.documentElement.scrollHeight)) > 2000);
    const shared = await owner.$eval('[data-testid="share-link"]', (el) => (el as HTMLInputElement).value);
    assert.equal(shared, session.joinUrl, 'the host is shown the link to share');
    await shot(owner, '1-owner-browsing');
    assert.deepEqual(
      await seriousA11yViolations(owner),
      [],
      'the owner view has no serious accessibility violations',
    );
  });

  it('3: a follower joins with a name and sees a live mirror: text, scroll, fields, masked secrets', async () => {
    const cdp = await follower.createCDPSession();
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketFrameReceived', (e) => followerFrames.push(e.response.payloadData));

    const shared = await owner.$eval('[data-testid="share-link"]', (el) => (el as HTMLInputElement).value);
    await follower.goto(shared);
    await follower.waitForSelector('[data-testid="name-input"]');
    await shot(follower, '2-follower-name-prompt');
    assert.deepEqual(await seriousA11yViolations(follower), [], 'the name prompt');
    await follower.type('[data-testid="name-input"]', 'Felix');
    await follower.click('[data-testid="join"]');
    await follower.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const mirror = await frameShowing(follower, 'Acme Outfitters');
    await until('the mirror shows the logo from the session cache', () =>
      mirror.evaluate(() => (document.querySelector('img') as HTMLImageElement | null)?.naturalWidth !== 0),
    );
    await until('the mirror shows the other-origin image too', () =>
      mirror.evaluate(
        () => (document.getElementById('partner-badge') as HTMLImageElement | null)?.naturalWidth !== 0,
      ),
    );
    const scripts = await mirror.evaluate(() => document.querySelectorAll('script[src]').length);
    assert.equal(scripts, 0, 'the mirror runs no page scripts');

    const live = await frameShowing(owner, 'Acme Outfitters');
    await live.evaluate(() => window.scrollTo(0, 1200));
    await until('the mirror is scrolled to 1200', () => mirror.evaluate(() => window.scrollY === 1200));

    await live.click('a[href="/form.html"]');
    const liveForm = await frameShowing(owner, 'Contact form');
    const mirrorForm = await frameShowing(follower, 'Contact form');
    await liveForm.type('#fullname', 'Olivia Owner');
    await liveForm.select('#size', 'L');
    await liveForm.click('#newsletter');
    await liveForm.click('#contact-phone');
    await liveForm.type('#message', 'Hello there');
    await liveForm.type('#password', PASSWORD);
    await liveForm.type('#card', CARD);

    await until('typed values reach the mirror', () =>
      mirrorForm.evaluate(
        () =>
          (document.getElementById('fullname') as HTMLInputElement).value === 'Olivia Owner' &&
          (document.getElementById('message') as HTMLTextAreaElement).value === 'Hello there' &&
          (document.getElementById('size') as HTMLSelectElement).value === 'L' &&
          (document.getElementById('newsletter') as HTMLInputElement).checked &&
          (document.getElementById('contact-phone') as HTMLInputElement).checked &&
          (document.getElementById('card') as HTMLInputElement).value !== '',
      ),
    );
    await shot(follower, '3-follower-mirror-form');
    assert.deepEqual(await seriousA11yViolations(follower), [], 'the follower view');
    const masked = await mirrorForm.evaluate(() => ({
      password: (document.getElementById('password') as HTMLInputElement).value,
      card: (document.getElementById('card') as HTMLInputElement).value,
    }));
    assert.notEqual(masked.password, PASSWORD);
    assert.notEqual(masked.card, CARD);
    assert.ok(!masked.password.includes('hunter2') && !masked.card.includes('PRIVATE'));
    assert.ok(followerFrames.length > 0, 'frames were captured');
    for (const frame of followerFrames) {
      assert.ok(
        !frame.includes(PASSWORD) && !frame.includes('hunter2'),
        'the password never reaches a follower',
      );
      assert.ok(
        !frame.includes(CARD) && !frame.includes('PRIVATE'),
        'a private field never reaches a follower',
      );
    }
    // The archive holds what followers were sent (the database, its write-ahead log, captured bodies).
    const archived = fs.readdirSync(tandem.dataDir, { recursive: true, withFileTypes: true });
    const files = archived.filter((f) => f.isFile()).map((f) => `${f.parentPath}/${f.name}`);
    assert.ok(
      files.some((f) => f.includes('/blobs/')),
      'served responses were captured',
    );
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const canary of [PASSWORD, 'hunter2', CARD, 'PRIVATE']) {
        assert.equal(bytes.includes(canary), false, `${canary} is not in the archive (${file})`);
      }
    }
  });

  it('drops input from a participant who does not hold the baton, leaving the owner page unchanged', async () => {
    const intruder = await joinAs(tandem.url, session.id, 'Mallory', session.joinKey);
    const ws = await WsClient.connect(tandem.url, session.id, intruder.token);
    const welcome = await ws.next((m) => m.type === 'welcome');
    assert.equal(welcome.checkpoint, true);
    const liveForm = await frameShowing(owner, 'Contact form');
    const before = await liveForm.evaluate(() => ({
      y: window.scrollY,
      name: (document.getElementById('fullname') as HTMLInputElement).value,
      url: location.href,
    }));
    for (const msg of [
      { type: 'click', tab: 't1', node: 1 },
      { type: 'scroll', tab: 't1', x: 0, y: 900 },
      { type: 'input', tab: 't1', node: 1, value: 'pwned' },
      { type: 'nav', tab: 't1', url: 'http://127.0.0.1:1/' },
    ]) {
      ws.send(msg);
      const refusal = await ws.next((m) => m.type === 'error' && m.ref === msg.type);
      assert.equal(refusal.code, 'not-baton-holder');
      ws.received.length = 0;
    }
    await new Promise((r) => setTimeout(r, 300));
    const afterwards = await liveForm.evaluate(() => ({
      y: window.scrollY,
      name: (document.getElementById('fullname') as HTMLInputElement).value,
      url: location.href,
    }));
    assert.deepEqual(afterwards, before);
    for (const frame of followerFrames) assert.ok(!frame.includes('pwned'), 'dropped input is not relayed');
    ws.close();
  });

  it('4: chat lines appear for everyone once the server has ordered them', async () => {
    await follower.type('[data-testid="chat-input"]', 'Hi Olivia, where do I enter my size?');
    await owner.waitForSelector('[data-testid="typing"]::-p-text(Felix is typing…)');
    await follower.keyboard.press('Enter');
    for (const page of [owner, follower]) {
      await page.waitForSelector('[data-testid="chat-line"]::-p-text(where do I enter my size)');
    }
    await until('the typing indicator has gone', () =>
      owner.$eval('[data-testid="typing"]', (el) => el.textContent === ''),
    );
    const ordered = followerFrames
      .map((f) => JSON.parse(f) as { type: string; seq?: number; at?: number; from?: string; text?: string })
      .find((m) => m.type === 'chat' && m.text === 'Hi Olivia, where do I enter my size?');
    assert.ok(ordered && typeof ordered.seq === 'number' && typeof ordered.at === 'number' && ordered.from);
  });

  it('5: the baton passes to the follower, whose input and navigation act on the owner page', async () => {
    await follower.click('[data-testid="baton-request"]');
    await owner.waitForSelector('::-p-text(Felix asks to take control)');
    await shot(owner, '4-owner-control-request');
    assert.deepEqual(await seriousA11yViolations(owner), [], 'the control request');
    const felix = await owner.waitForSelector('[data-testid="participant"]::-p-text(Felix)');
    assert.ok(felix);
    await owner.click('[data-testid="baton-give"]');
    await follower.waitForSelector('[data-testid="participant"][data-leader="true"]::-p-text(Felix)');
    await owner.waitForSelector('::-p-text(Felix is in control of your page)');

    const mirrorForm = await frameShowing(follower, 'Contact form');
    const liveForm = await frameShowing(owner, 'Contact form');
    await mirrorForm.click('#fullname', { count: 3 });
    await mirrorForm.type('#fullname', 'Felix Follower');
    await until('the owner page shows the follower typing', () =>
      liveForm.evaluate(
        () => (document.getElementById('fullname') as HTMLInputElement).value === 'Felix Follower',
      ),
    );
    await mirrorForm.click('#newsletter');
    await until('the checkbox on the owner page is unticked', () =>
      liveForm.evaluate(() => !(document.getElementById('newsletter') as HTMLInputElement).checked),
    );
    await mirrorForm.click('#counter');
    await until('the owner sees a ripple where the follower clicked', () =>
      liveForm.evaluate(() => document.querySelector('tandem-overlay [data-mark="ripple"]') !== null),
    );
    await until('the page script ran on the owner page', () =>
      liveForm.evaluate(() => document.getElementById('counter')?.textContent?.includes('1') === true),
    );
    await until('the ripple goes after a moment', () =>
      liveForm.evaluate(() => document.querySelector('tandem-overlay [data-mark="ripple"]') === null),
    );

    const bar = await follower.$('[data-testid="address-bar"]');
    await bar?.click({ count: 3 });
    await follower.keyboard.type(`${site.url}/products.html`);
    await follower.keyboard.press('Enter');
    await frameShowing(owner, 'Products');
    await frameShowing(follower, 'Products');
    await shot(owner, '5-owner-while-follower-leads');
    await shot(follower, '5-follower-leading');

    await follower.click('[data-testid="history-back"]');
    await frameShowing(owner, 'Contact form');
    await frameShowing(follower, 'Contact form');
    await follower.click('[data-testid="history-forward"]');
    await frameShowing(owner, 'Products');

    await follower.click('[data-testid="history-toggle"]');
    await follower.waitForSelector('[data-testid="history-panel"]');
    await shot(follower, '5-follower-history');
    const visited = await follower.$$eval('[data-testid="history-item"] .url', (els) =>
      els.map((e) => e.textContent),
    );
    assert.ok(
      visited.includes(`${site.url}/form.html`) && visited.includes(`${site.url}/`),
      visited.join(' '),
    );
    await follower.click(`[data-testid="history-item"]::-p-text(${site.url}/form.html)`);
    await frameShowing(owner, 'Contact form');
    await follower.click('[data-testid="history-back"]');
    await frameShowing(owner, 'Products');
    await follower.click('[data-testid="history-toggle"]');

    await owner.click('[data-testid="baton-take"]');
    await owner.waitForSelector('[data-testid="participant"][data-leader="true"]::-p-text(Olivia)');
    await follower.waitForSelector('[data-testid="baton-request"]');
  });

  it('shows a follower’s pointer and highlight on the owner’s live page, anchored to the element', async () => {
    const live = await frameShowing(owner, 'Products');
    const mirror = await frameShowing(follower, 'Products');
    const heading = await mirror.$('h1');
    const box = await heading?.boundingBox();
    assert.ok(box);
    await follower.mouse.move(box.x + 5, box.y + box.height / 2);
    await follower.mouse.move(box.x + 10, box.y + box.height / 2, { steps: 3 });
    const overlayText = () =>
      live.evaluate(() => document.querySelector('tandem-overlay')?.textContent ?? '');
    await until('the owner sees Felix’s pointer', async () => (await overlayText()).includes('Felix'));
    await follower.click('[data-testid="tool-laser"]');
    await follower.mouse.move(box.x + 20, box.y + box.height / 2, { steps: 3 });
    await until('it turns into a laser dot', () =>
      live.evaluate(() => document.querySelector('tandem-overlay [data-mark="laser"]') !== null),
    );
    assert.equal((await overlayText()).includes('Felix'), false, 'a laser dot carries no name');
    await follower.click('[data-testid="tool-laser"]');
    await follower.mouse.move(box.x + 5, box.y + box.height / 2, { steps: 3 });
    await until('and back to a named pointer', async () => (await overlayText()).includes('Felix'));

    await follower.click('[data-testid="tool-highlight"]');
    await heading?.click();
    const boxes = () =>
      live.evaluate(() => document.querySelectorAll('tandem-overlay div[style*="outline"]').length);
    await until('the owner sees the highlight', async () => (await boxes()) === 1);
    await follower.waitForSelector('[data-testid="marks"] .mark-box');
    assert.equal(await live.evaluate(() => location.pathname), '/products.html', 'picking did not click');
    await shot(owner, '8-owner-sees-highlight');
    await shot(follower, '8-follower-highlights');

    await owner.click('[data-testid="tool-clear"]');
    await until('the highlight is cleared for the owner', async () => (await boxes()) === 0);
    await until(
      'and for the follower',
      async () => (await follower.$('[data-testid="marks"] .mark-box')) === null,
    );

    // The owner highlights on the live page itself: the click picks the element instead of acting.
    await owner.click('[data-testid="tool-highlight"]');
    await (await live.$('a[href="/"]'))?.click();
    await follower.waitForSelector('[data-testid="marks"] .mark-box');
    assert.equal(await live.evaluate(() => location.pathname), '/products.html', 'the link was not followed');
    assert.equal(
      await owner.$eval('[data-testid="tool-highlight"]', (b) => b.getAttribute('aria-pressed')),
      'false',
      'the tool is done after one pick',
    );
    await owner.click('[data-testid="tool-clear"]');
  });

  it('tells followers when the host has gone, instead of showing a silently frozen page', async () => {
    await owner.click('[data-testid="exit"]');
    await owner.click('[data-testid="exit-confirm"]');
    await owner.waitForSelector('::-p-text(You have left the session)');
    assert.equal(await owner.$('[data-testid="page-frame"]'), null, 'the live page is gone from the leaver');
    await follower.waitForSelector('::-p-text(The host has left)');
    await follower.waitForSelector('[data-testid="participant"][data-connected="false"]::-p-text(Olivia)');
  });
});

describe('every proxied page', function () {
  this.timeout(60_000);
  it('refuses service worker registration with a rejected promise, not an exception', async () => {
    await withOwnerPage('/', async (page, open) => {
      await open();
      const outcome = await page.evaluate(() =>
        navigator.serviceWorker.register('/sw.js').then(
          () => 'registered',
          (e: Error) => `rejected: ${e.name}`,
        ),
      );
      assert.equal(outcome, 'rejected: SecurityError');
    });
  });
});
