import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Frame, Page } from 'puppeteer-core';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { frameShowing, launchBrowser, openViewer, until } from './helpers/browser.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const SHOTS = new URL('../../test-output/', import.meta.url);

/** An element's box in a follower's mirror, in the viewer page's coordinates (the mirror is scaled to fit). */
const mirroredBox = (viewer: Page, selector: string): Promise<Box> =>
  viewer.evaluate((sel) => {
    const frame = document.querySelector('[data-testid="page-frame"]') as HTMLIFrameElement;
    const outer = frame.getBoundingClientRect();
    const scale = outer.width / frame.offsetWidth;
    const r = frame.contentDocument?.querySelector(sel)?.getBoundingClientRect();
    if (!r) throw new Error(`${sel} is not in the mirror`);
    return {
      left: outer.left + r.left * scale,
      top: outer.top + r.top * scale,
      right: outer.left + r.right * scale,
      bottom: outer.top + r.bottom * scale,
    };
  }, selector);

/** The box of the first element matching `selector` in this document, or null. */
const boxOf = (where: Page | Frame, selector: string): Promise<Box | null> =>
  where.evaluate((sel) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    return r ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom } : null;
  }, selector);

/** Waits for a drawn mark, then gives its box. */
async function markBox(where: Page | Frame, selector: string, what: string): Promise<Box> {
  await until(what, async () => (await boxOf(where, selector)) !== null);
  return (await boxOf(where, selector)) as Box;
}

function assertPointsInto(dot: Box, element: Box, where: string): void {
  const x = (dot.left + dot.right) / 2;
  const y = (dot.top + dot.bottom) / 2;
  const slack = 3;
  assert.ok(
    x >= element.left - slack &&
      x <= element.right + slack &&
      y >= element.top - slack &&
      y <= element.bottom + slack,
    `${where}: the pointer at (${x}, ${y}) is on the element ${JSON.stringify(element)}`,
  );
}

/** A highlight outlines the element 3 px outside its box, at any scale. */
function assertOutlines(mark: Box, element: Box, where: string): void {
  for (const side of ['left', 'top', 'right', 'bottom'] as const) {
    assert.ok(
      Math.abs(mark[side] - element[side]) <= 4,
      `${where}: the highlight's ${side} (${mark[side]}) follows the element's (${element[side]})`,
    );
  }
}

describe('pointers and highlights land on the same element in viewers of different sizes', function () {
  this.timeout(120_000);
  let site: FixtureSite;
  let tandem: TestTandem;
  let browser: Browser;

  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  it('a follower points and another highlights; each mark is on the element for the owner and the other follower', async () => {
    const session = await createSession(tandem.url, { startUrl: `${site.url}/` });
    const owner = await openViewer(browser, session.hostUrl, 'Olivia', { width: 1000, height: 700 });
    const felix = await openViewer(browser, session.joinUrl, 'Felix', { width: 1280, height: 800 });
    const pia = await openViewer(browser, session.joinUrl, 'Pia', { width: 390, height: 844 });
    const live = await frameShowing(owner, 'Layering basics');
    await live.evaluate(() => document.getElementById('section-4')?.scrollIntoView());
    const liveTop = await live.evaluate(() => window.scrollY);
    assert.ok(liveTop > 500, 'the owner has scrolled down the page');
    for (const viewer of [felix, pia]) {
      const mirror = await frameShowing(viewer, 'Layering basics');
      await until('the mirror follows the scroll', () =>
        mirror.evaluate((y) => window.scrollY === y, liveTop),
      );
    }
    const heading = '#section-4 h2';
    const text = '#section-4 p';

    const felixHeading = await mirroredBox(felix, heading);
    const at = {
      x: felixHeading.left + (felixHeading.right - felixHeading.left) / 4,
      y: (felixHeading.top + felixHeading.bottom) / 2,
    };
    await felix.mouse.move(at.x - 10, at.y);
    await felix.mouse.move(at.x, at.y, { steps: 4 });
    const ownerDot = await markBox(
      live,
      'tandem-overlay div[style*="width:14px"]',
      'the owner sees the pointer',
    );
    assertPointsInto(ownerDot, (await boxOf(live, heading)) as Box, 'on the owner’s live page');
    const piaDot = await markBox(pia, '[data-testid="marks"] .mark-dot', 'Pia sees the pointer');
    assertPointsInto(piaDot, await mirroredBox(pia, heading), 'in the phone-sized mirror');

    await pia.click('[data-testid="tool-highlight"]');
    const piaText = await mirroredBox(pia, text);
    await pia.mouse.click((piaText.left + piaText.right) / 2, (piaText.top + piaText.bottom) / 2);
    const ownerBox = await markBox(
      live,
      'tandem-overlay div[style*="outline"]',
      'the owner sees the highlight',
    );
    assertOutlines(ownerBox, (await boxOf(live, text)) as Box, 'on the owner’s live page');
    const felixBox = await markBox(felix, '[data-testid="marks"] .mark-box', 'Felix sees the highlight');
    assertOutlines(felixBox, await mirroredBox(felix, text), 'in the desktop-sized mirror');

    // The owner scrolls on: the marks stay on the element as it moves, in every viewer.
    const moved = await live.evaluate(() => {
      window.scrollBy(0, 150);
      return window.scrollY;
    });
    const felixMirror = await frameShowing(felix, 'Layering basics');
    await until('Felix’s mirror follows', () => felixMirror.evaluate((y) => window.scrollY === y, moved));
    await until('the highlight moves with the element for Felix', async () => {
      assertOutlines(
        await markBox(felix, '[data-testid="marks"] .mark-box', 'the highlight'),
        await mirroredBox(felix, text),
        'after scrolling',
      );
      return true;
    });
    await until('and on the owner’s page', async () => {
      assertOutlines(
        await markBox(live, 'tandem-overlay div[style*="outline"]', 'the highlight'),
        (await boxOf(live, text)) as Box,
        'after scrolling',
      );
      return true;
    });

    fs.mkdirSync(SHOTS, { recursive: true });
    for (const [page, name] of [
      [owner, 'owner'],
      [felix, 'felix'],
      [pia, 'pia'],
    ] as const) {
      await page.screenshot({ path: fileURLToPath(new URL(`marks-${name}.png`, SHOTS)) });
    }

    // The owner's page is loaded again at the same address. The recorder numbers its elements
    // afresh, so the marks on the page before go, for everyone.
    await live.evaluate(() => {
      (window as unknown as { before?: boolean }).before = true;
      location.reload();
    });
    await until('the owner’s page has loaded again', async () => {
      const again = await frameShowing(owner, 'Layering basics');
      return again
        .evaluate(
          () => !(window as unknown as { before?: boolean }).before && document.readyState === 'complete',
        )
        .catch(() => false);
    });
    const reloaded = await frameShowing(owner, 'Layering basics');
    const y = await reloaded.evaluate(() => {
      window.scrollTo(0, 300);
      return window.scrollY;
    });
    const mirror = await frameShowing(felix, 'Layering basics');
    await until('Felix’s mirror shows the page loaded again', () =>
      mirror.evaluate((top) => window.scrollY === top, y),
    );
    assert.equal(await boxOf(felix, '[data-testid="marks"] .mark-box'), null, 'no highlight for Felix');
    assert.equal(await boxOf(pia, '[data-testid="marks"] .mark-box'), null, 'nor for Pia');
    assert.equal(await boxOf(reloaded, 'tandem-overlay div[style*="outline"]'), null, 'nor on the page');
  });

  for (const [path, where] of [
    ['/trusted.html', 'its header'],
    ['/meta-trusted.html', 'a meta tag'],
  ]) {
    it(`on a page that enforces Trusted Types from ${where}, the page keeps its policy and the owner sees the marks`, async () => {
      const session = await createSession(tandem.url, { startUrl: `${site.url}${path}` });
      const owner = await openViewer(browser, session.hostUrl, 'Olivia', { width: 1000, height: 700 });
      const live = await frameShowing(owner, 'Trusted types');
      assert.equal(await live.$eval('#made', (e) => e.textContent), 'made by the page’s policy');
      // The policy's sources name the site's origins; through Tandem they are content hosts.
      await until('the image the policy allows has loaded', () =>
        live.evaluate(() => (document.getElementById('partner') as HTMLImageElement).naturalWidth > 0),
      );
      const felix = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
      const ws = await WsClient.connect(tandem.url, session.id, felix.token);
      try {
        const heading = await nodeIdOf(ws, 'h1');
        ws.send({ type: 'highlight', tab: 't1', node: heading });
        const box = await markBox(
          live,
          'tandem-overlay div[style*="outline"]',
          'the owner sees the highlight',
        );
        assertOutlines(box, (await boxOf(live, '#title')) as Box, 'on the Trusted Types page');
      } finally {
        ws.close();
      }
    });
  }
});

/** The recorder's id of the first element with this tag in the full snapshot a follower was sent. */
async function nodeIdOf(ws: WsClient, tag: string): Promise<number> {
  interface SerializedNode {
    id: number;
    tagName?: string;
    childNodes?: SerializedNode[];
  }
  const find = (n: SerializedNode): number | undefined =>
    n.tagName === tag ? n.id : (n.childNodes ?? []).map(find).find((id) => id !== undefined);
  let found: number | undefined;
  await ws.next((m) => {
    if (m.type !== 'rec') return false;
    for (const e of m.events as Array<{ type: number; data: { node?: SerializedNode } }>) {
      if (e.type === 2 && e.data.node) found = find(e.data.node);
    }
    return found !== undefined;
  });
  return found as number;
}
