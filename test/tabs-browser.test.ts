import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { frameShowing, seriousA11yViolations, shot, until } from './helpers/browser.js';
import { productsScene } from './helpers/scene.js';

/** The tab strip as a viewer shows it: each tab's label, which one is shown, which one is active. */
const strip = (page: Page) =>
  page.$$eval('[data-testid="tab"]', (tabs) =>
    tabs.map((t) => ({
      label: t.textContent?.replace('● ', '') ?? '',
      shown: t.getAttribute('aria-current') === 'true',
      active: t.getAttribute('data-active') === 'true',
    })),
  );

const tabCount = async (page: Page) => (await strip(page)).length;

describe('tabs in a session, in Chromium', function () {
  this.timeout(120_000);
  const scene = productsScene();
  let browser: Browser;
  let owner: Page;
  let follower: Page;
  before(() => {
    ({ browser, owner, follower } = scene);
  });

  it('the owner’s page calls window.open: a second tab for everyone, mirrored, and window.open gives null', async () => {
    const live = await frameShowing(owner, 'Products');
    const returned = await live.evaluate(() => String(window.open('/form.html')));
    assert.equal(returned, 'null');
    for (const page of [owner, follower]) {
      await until('two tabs in the strip', async () => (await tabCount(page)) === 2);
      await frameShowing(page, 'Contact form');
    }
    const seen = await strip(follower);
    assert.deepEqual(
      seen.map((t) => [t.shown, t.active]),
      [
        [false, false],
        [true, true],
      ],
      'the follower follows the new tab',
    );
    // The first page still runs in the owner's browser, out of sight.
    const hidden = await owner.$$eval('iframe.live.background', (frames) => frames.length);
    assert.equal(hidden, 1);
    await shot(follower, 'tabs-follower-two');
    assert.deepEqual(await seriousA11yViolations(owner), [], 'the owner’s strip');
  });

  it('a link with target=_blank in the owner’s page opens a third tab instead of a window', async () => {
    const windowsBefore = (await browser.pages()).length;
    const live = await frameShowing(owner, 'Contact form');
    await live.evaluate(() => {
      const a = document.createElement('a');
      a.href = '/app.html';
      a.target = '_blank';
      a.id = 'elsewhere';
      a.textContent = 'Plan a trail';
      document.body.prepend(a);
    });
    await live.click('#elsewhere');
    for (const page of [owner, follower]) {
      await until('three tabs in the strip', async () => (await tabCount(page)) === 3);
      await frameShowing(page, 'Trail planner');
    }
    assert.equal((await browser.pages()).length, windowsBefore, 'no browser window was opened');
  });

  it('a follower looks at another tab, and goes back to following by choosing the active one', async () => {
    await follower.click('[data-testid="tab"][data-tab="t1"]');
    await frameShowing(follower, 'Products');
    await frameShowing(owner, 'Trail planner');
    await follower.click('[data-testid="tab"][data-tab="t3"]');
    await frameShowing(follower, 'Trail planner');
  });

  it('the baton holder sends the page into a new tab from the viewer, and the owner closes it', async () => {
    await owner.click('[data-testid="tab-new"]');
    for (const page of [owner, follower]) {
      await until('four tabs in the strip', async () => (await tabCount(page)) === 4);
      await frameShowing(page, 'Trail planner');
    }
    const seen = await strip(follower);
    assert.equal(seen[3]?.active, true, 'the new tab is where the leader is');
    const closes = await owner.$$('[data-testid="tab-close"]');
    await closes.at(-1)?.click();
    await until('a tab closed for the follower', async () => (await tabCount(follower)) === 3);
    await frameShowing(follower, 'Products');
  });
});
