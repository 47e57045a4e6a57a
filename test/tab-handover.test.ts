import assert from 'node:assert/strict';
import {
  clickInWhoRow,
  frameShowing,
  seriousA11yViolations,
  shot,
  until,
  whoRow,
} from './helpers/browser.js';
import { productsScene } from './helpers/scene.js';

const liveFrames = (page: import('puppeteer-core').Page) => page.$$eval('iframe.live', (f) => f.length);

describe('handing a tab’s page to another person’s browser, in Chromium', function () {
  this.timeout(120_000);
  const scene = productsScene();

  it('the host hands the page to Felix: it runs in his browser, signed in as before, and he leads', async () => {
    const { owner, follower } = scene;
    const live = await frameShowing(owner, 'Products');
    // A cookie the site sets while Olivia's browser runs the page lands in the session's jar.
    assert.equal(await live.evaluate(() => fetch('/set-later').then((r) => r.text())), 'ok');
    assert.equal(await liveFrames(follower), 0, 'Felix starts with the mirror');

    await owner.click('[data-testid="who-toggle"]');
    await whoRow(owner, 'Felix');
    assert.deepEqual(await seriousA11yViolations(owner), [], 'the Who panel with the hand-over button');
    await clickInWhoRow(owner, 'Felix', 'who-hand-over');

    await until('the page runs in Felix’s browser', async () => (await liveFrames(follower)) === 1);
    await follower.waitForSelector('.notice::-p-text(now runs in your browser)');
    await owner.waitForSelector('.notice::-p-text(now runs in Felix)');
    await follower.waitForSelector('[data-testid="participant"][data-leader="true"]::-p-text(Felix)');
    assert.equal(await liveFrames(owner), 0, 'one copy of the page runs, in Felix’s browser');

    const felixLive = await frameShowing(follower, 'Products');
    assert.match(new URL(felixLive.url()).hostname, /\.content\.localhost$/, 'a live page on a content host');
    const upstreamSaw = await felixLive.evaluate(() => fetch('/cookie').then((r) => r.text()));
    assert.match(upstreamSaw, /later=1/, 'the site sees the cookie it set while Olivia ran the page');
    // Olivia now watches the mirror of what runs at Felix's.
    await frameShowing(owner, 'Products');
    await shot(follower, 'tab-handover-follower');
  });

  it('Felix, who runs the page now, may hand it back; the button is not offered for him', async () => {
    const { owner, follower } = scene;
    await follower.click('[data-testid="who-toggle"]');
    await clickInWhoRow(follower, 'Olivia', 'who-hand-over');
    await until('the page runs in Olivia’s browser again', async () => (await liveFrames(owner)) === 1);
    await until('Felix has the mirror again', async () => (await liveFrames(follower)) === 0);
    await frameShowing(follower, 'Products');
    const ownRow = await whoRow(owner, 'Felix');
    assert.ok(await ownRow.$('[data-testid="who-hand-over"]'), 'Olivia may hand it over again');
    const felixRow = await follower.$('[data-testid="who-person"]');
    assert.equal(
      await felixRow?.$('[data-testid="who-hand-over"]'),
      null,
      'a follower without the page may not',
    );
  });
});
