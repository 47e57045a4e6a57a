import assert from 'node:assert/strict';
import type { Browser, Frame, Page } from 'puppeteer-core';
import {
  centreOf,
  drawThrough,
  frameShowing,
  seriousA11yViolations,
  shot,
  until,
} from './helpers/browser.js';
import { productsScene } from './helpers/scene.js';
import { type CreatedSession, joinAs, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

/** Points on an ellipse around a centre: circling something. */
const around = (c: { x: number; y: number }, rx: number, ry: number) =>
  Array.from({ length: 25 }, (_, i) => ({
    x: c.x + rx * Math.cos((i / 24) * 2 * Math.PI),
    y: c.y + ry * Math.sin((i / 24) * 2 * Math.PI),
  }));

const strokesIn = (frame: Frame) =>
  frame.evaluate(() => document.querySelectorAll('tandem-overlay svg[data-mark="stroke"]').length);

describe('viewer tools: drawing, rooms, floating the page', function () {
  this.timeout(120_000);
  const scene = productsScene();
  let tandem: TestTandem;
  let browser: Browser;
  let owner: Page;
  let follower: Page;
  let session: CreatedSession;
  before(() => {
    ({ tandem, browser, owner, follower, session } = scene);
  });

  it('a follower circles an element and the owner draws an arrow: both see both, late joiners too', async () => {
    const live = await frameShowing(owner, 'Products');
    const mirror = await frameShowing(follower, 'Products');
    await follower.click('[data-testid="tool-free"]');
    await follower.waitForSelector('[data-testid="draw-layer"]');
    await follower.keyboard.press('Escape');
    await follower.waitForSelector('[data-testid="draw-layer"]', { hidden: true });
    await follower.click('[data-testid="tool-free"]');
    await follower.waitForSelector('[data-testid="draw-layer"]');
    const product = await centreOf(follower, mirror, '.product h3');
    await drawThrough(follower, around(product, 135, 50));
    await until('the owner sees Felix’s circle on the live page', async () => (await strokesIn(live)) === 1);
    await follower.waitForSelector('[data-testid="marks"] svg[data-mark="stroke"]');
    assert.equal(
      await follower.$eval('[data-testid="tool-free"]', (b) => b.getAttribute('aria-pressed')),
      'false',
      'the tool is done after one stroke',
    );
    assert.equal(await live.evaluate(() => location.pathname), '/products.html', 'drawing did not click');

    // The owner draws on the live page itself, from the "Back to home" link, which is not followed.
    await owner.click('[data-testid="tool-arrow"]');
    const link = await centreOf(owner, live, 'a[href="/"]');
    // Released above the page's frame, over the viewer: the page never hears the pointer-up.
    await drawThrough(owner, [
      link,
      { x: link.x + 150, y: link.y - 20 },
      { x: link.x + 220, y: link.y - 90 },
    ]);
    await until(
      'the follower sees the arrow too',
      async () => (await follower.$$('[data-testid="marks"] svg[data-mark="stroke"]')).length === 2,
    );
    assert.equal(await live.evaluate(() => location.pathname), '/products.html', 'the link was not followed');
    await until('the owner sees both', async () => (await strokesIn(live)) === 2);
    await shot(owner, '16-owner-drawing');
    await shot(follower, '16-follower-drawing');

    const mia = await joinAs(tandem.url, session.id, 'Mia', session.joinKey);
    const ws = await WsClient.connect(tandem.url, session.id, mia.token);
    const welcome = (await ws.next((m) => m.type === 'welcome')) as unknown as {
      tabs: Array<{ strokes: Array<{ shape: string; done: boolean; points: unknown[] }> }>;
    };
    const strokes = welcome.tabs[0]?.strokes ?? [];
    assert.deepEqual(
      strokes.map((s) => [s.shape, s.done]),
      [
        ['free', true],
        ['arrow', true],
      ],
      'a late joiner gets both, finished',
    );
    assert.equal(strokes[1]?.points.length, 2, 'an arrow is its two ends');
    ws.close();

    await owner.click('[data-testid="tool-clear"]');
    await until('the owner’s page is clear', async () => (await strokesIn(live)) === 0);
    await until(
      'and the follower’s mirror',
      async () => (await follower.$('[data-testid="marks"] svg[data-mark="stroke"]')) === null,
    );
  });

  it('Rooms: a sidebar started with chosen people, private to them, with unread counts', async () => {
    const mia = await joinAs(tandem.url, session.id, 'Mia', session.joinKey);
    const ws = await WsClient.connect(tandem.url, session.id, mia.token);
    await ws.next((m) => m.type === 'welcome');
    await follower.click('[data-testid="rooms-toggle"]');
    await follower.waitForSelector('[data-testid="rooms-panel"] ::-p-text(No sidebars yet)');
    const boxes = await follower.$$('[data-testid="room-member"]');
    for (const box of boxes) {
      const label = await box.evaluate((el) => el.parentElement?.textContent ?? '');
      if (label.includes('Olivia')) await box.click();
    }
    await follower.click('[data-testid="room-start"]');
    await follower.waitForSelector('[data-testid="room-input"]');
    // Focus moves once the sidebar has rendered, a frame after the field appears.
    await until(
      'the new sidebar’s message field has focus',
      async () =>
        (await follower.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === 'room-input',
    );
    await follower.keyboard.type('Is the blue one in stock?');
    await follower.keyboard.press('Enter');
    await follower.waitForSelector('[data-testid="room-line"]::-p-text(Is the blue one in stock?)');

    await owner.waitForSelector('[data-testid="rooms-unread"]::-p-text(1 new)');
    await owner.click('[data-testid="rooms-toggle"]');
    await owner.waitForSelector('[data-testid="room-item"]::-p-text(Felix)');
    await owner.waitForSelector('[data-testid="room-unread"]::-p-text(1 new)');
    assert.deepEqual(await seriousA11yViolations(owner), [], 'the Rooms panel');
    await shot(owner, '17-rooms-list');
    await owner.click('[data-testid="room-item"]');
    await owner.waitForSelector('[data-testid="room-line"]::-p-text(Is the blue one in stock?)');
    await owner.type('[data-testid="room-input"]', 'Yes, two left.');
    await owner.keyboard.press('Enter');
    await owner.waitForSelector('[data-testid="rooms-unread"]', { hidden: true });
    await follower.waitForSelector('[data-testid="room-line"]::-p-text(Yes, two left.)');
    assert.deepEqual(await seriousA11yViolations(follower), [], 'an open sidebar');
    await shot(follower, '17-rooms-sidebar');

    ws.send({ type: 'chat', text: 'hello everyone' });
    await owner.waitForSelector('[data-testid="chat-line"]::-p-text(hello everyone)');
    assert.equal(
      ws.received.some((m) => m.type === 'chat' && m.to !== undefined),
      false,
      'Mia, not a member, never got a sidebar line',
    );
    assert.equal(
      (await owner.$$('[data-testid="room-line"]')).length,
      2,
      'the sidebar shows its own lines, not the everyone room’s',
    );
    ws.close();
    await owner.click('[data-testid="rooms-toggle"]');
    await follower.click('[data-testid="rooms-toggle"]');
  });

  it('a follower floats the mirror into its own window and brings it back by closing it', async () => {
    const popupTarget = browser.waitForTarget((t) => t.opener() === follower.target());
    await follower.click('[data-testid="float"]');
    const popup = await (await popupTarget).page();
    assert.ok(popup);
    await popup.setViewport({ width: 900, height: 640 });
    await frameShowing(popup, 'Products');
    await follower.waitForSelector('[data-testid="float-placeholder"] ::-p-text(Bring back)');
    assert.equal(await follower.$('[data-testid="page-frame"]'), null, 'the viewer shows no second mirror');
    assert.deepEqual(await seriousA11yViolations(follower), [], 'the viewer while floating');
    assert.deepEqual(await seriousA11yViolations(popup), [], 'the floating window');
    await shot(follower, '18-follower-floating');
    await shot(popup, '18-follower-floating-window');

    // The floating mirror stays live.
    const live = await frameShowing(owner, 'Products');
    const y = await live.evaluate(() => {
      window.scrollTo(0, 200);
      return window.scrollY;
    });
    assert.ok(y > 0, 'the page scrolled');
    const inPopup = await frameShowing(popup, 'Products');
    await until('the floating mirror follows the owner’s scroll', () =>
      inPopup.evaluate((to) => window.scrollY === to, y),
    );

    await popup.close();
    await frameShowing(follower, 'Products');
    await follower.waitForSelector('[data-testid="float-placeholder"]', { hidden: true });
    assert.equal(
      await follower.$eval('[data-testid="float"]', (b) => b.getAttribute('aria-pressed')),
      'false',
    );
  });

  it('the owner floats the live page: it keeps recording and taking input, and comes back', async () => {
    const popupTarget = browser.waitForTarget((t) => t.opener() === owner.target());
    await owner.focus('[data-testid="float"]');
    await owner.keyboard.press('Enter');
    const popup = await (await popupTarget).page();
    assert.ok(popup);
    await popup.setViewport({ width: 900, height: 640 });
    await until('the live page loads in its own window', async () =>
      (await popup.evaluate(() => document.body?.textContent ?? '')).includes('Products'),
    );
    assert.match(new URL(popup.url()).hostname, /\.content\.localhost$/, 'on its content host');
    await owner.waitForSelector('[data-testid="float-placeholder"]');
    assert.equal(await owner.$('[data-testid="page-frame"]'), null, 'no second copy of the page runs here');
    await shot(owner, '19-owner-floating');

    // The follower's mirror is rebuilt from the floated page and follows it.
    await popup.evaluate(() => {
      const h = document.querySelector('h1');
      if (h) h.textContent = 'Products, floated';
    });
    await frameShowing(follower, 'Products, floated');

    // The baton holder's input still reaches the page.
    await owner.click('[data-testid="baton-give"]');
    await follower.waitForSelector('[data-testid="participant"][data-leader="true"]::-p-text(Felix)');
    const mirror = await frameShowing(follower, 'Products, floated');
    // Clicked in the page, not by coordinates: the mirror is scaled to fit, which puppeteer's
    // coordinates inside a transformed frame do not follow.
    const link = await mirror.$('nav a::-p-text(Contact)');
    assert.ok(link, 'the mirror shows the link');
    await link.evaluate((a) => (a as HTMLElement).click());
    await until(
      'the floated page followed the link',
      async () => new URL(popup.url()).pathname === '/form.html',
    );
    await frameShowing(follower, 'Contact form');

    await owner.click('[data-testid="float-back"]');
    await until('the window is closed', async () => popup.isClosed());
    const back = await frameShowing(owner, 'Contact form');
    assert.equal(await back.evaluate(() => location.pathname), '/form.html', 'back at the page it was on');
  });
});
