import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import type { RelayedMessage } from '../session/protocol.js';
import {
  centreOf,
  drawThrough,
  frameShowing,
  seriousA11yViolations,
  shot,
  until,
} from './helpers/browser.js';
import { productsScene } from './helpers/scene.js';

/** The session's archived messages, as the archive's API answers an auditor. */
async function archived(base: string, session: string, key: string): Promise<RelayedMessage[]> {
  const all: RelayedMessage[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const res = await fetch(`${base}/api/archive/sessions/${session}/events?after=${after}&limit=2000`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const page = (await res.json()) as { events: RelayedMessage[]; next: number | null };
    all.push(...page.events);
    after = page.next;
  }
  return all;
}

describe('replay of a session with two tabs and a stroke, in Chromium', function () {
  this.timeout(180_000);
  const scene = productsScene();
  let auditor: Page;
  let events: RelayedMessage[];

  /** Opens the replay paused at `at`. */
  async function replayAt(at: number): Promise<void> {
    await auditor.goto(`${scene.tandem.url}/archive/${scene.session.id}?t=${at}`);
    await auditor.waitForSelector(`[data-testid="replay-clock"][data-at="${at}"]`);
  }

  /** Waits until the replay shows the page with this heading (it fails by timing out). */
  async function shows(heading: string): Promise<void> {
    await until(`the replay shows “${heading}”`, async () => {
      const frame = await (await auditor.$('[data-testid="replay-stage"] iframe'))?.contentFrame();
      return (await frame?.evaluate(() => document.querySelector('h1')?.textContent)) === heading;
    });
  }

  const strokesShown = () =>
    auditor.$$eval('[data-testid="replay-marks"] svg[data-mark="stroke"]', (s) => s.length);

  it('records: Felix draws an arrow on the products page, then Olivia’s page opens the contact form in a second tab', async () => {
    const { owner, follower } = scene;
    const live = await frameShowing(owner, 'Products');
    const mirror = await frameShowing(follower, 'Products');
    await follower.click('[data-testid="tool-arrow"]');
    await follower.waitForSelector('[data-testid="draw-layer"]');
    const product = await centreOf(follower, mirror, '.product h3');
    await drawThrough(follower, [
      { x: product.x - 120, y: product.y + 60 },
      { x: product.x - 60, y: product.y + 30 },
      { x: product.x, y: product.y },
    ]);
    await until(
      'Olivia sees Felix’s arrow on her page',
      async () =>
        (await live.evaluate(
          () => document.querySelectorAll('tandem-overlay svg[data-mark="stroke"]').length,
        )) === 1,
    );
    await live.evaluate(() => window.open('/form.html'));
    for (const page of [owner, follower]) await frameShowing(page, 'Contact form');

    const key = (await scene.tandem.auditors.create('demo', 'Ada Auditor')).key;
    await until('the second tab’s page is archived', async () => {
      events = await archived(scene.tandem.url, scene.session.id, key);
      return events.some((m) => m.type === 'rec' && m.tab === 't2');
    });
    auditor = await (await scene.browser.createBrowserContext()).newPage();
    await auditor.setViewport({ width: 1400, height: 900 });
    await auditor.goto(`${scene.tandem.url}/archive`);
    await auditor.evaluate(
      (k) =>
        fetch('/api/archive/sign-in', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: k }),
        }),
      key,
    );
  });

  it('shows the arrow from when it was drawn, on the first tab’s page', async () => {
    const strokes = events.filter((m) => m.type === 'stroke');
    const firstStroke = strokes[0];
    const done = strokes.find((m) => m.type === 'stroke' && m.done);
    assert.ok(firstStroke && done, 'the arrow is archived');

    await replayAt(firstStroke.at - 1);
    await shows('Products');
    assert.equal(await strokesShown(), 0, 'nothing drawn yet');

    await replayAt(done.at);
    await shows('Products');
    await until('the arrow is drawn over the replayed page', async () => (await strokesShown()) === 1);
    const placed = await auditor.evaluate(() => {
      const frame = document.querySelector<HTMLIFrameElement>('[data-testid="replay-stage"] iframe');
      const target = frame?.contentDocument?.querySelector('.product h3')?.getBoundingClientRect();
      const path = document.querySelector('[data-testid="replay-marks"] svg[data-mark="stroke"] path');
      const arrow = path?.getBoundingClientRect();
      const f = frame?.getBoundingClientRect();
      if (!frame || !target || !arrow || !f) return null;
      const scale = f.width / frame.offsetWidth;
      // The arrow ends at the heading's centre (its tip is the right and top edge of its box).
      return {
        dx: Math.abs(f.left + (target.left + target.width / 2) * scale - arrow.right),
        dy: Math.abs(f.top + (target.top + target.height / 2) * scale - arrow.top),
      };
    });
    assert.ok(
      placed && placed.dx < 12 && placed.dy < 12,
      `the arrow points at the product: ${JSON.stringify(placed)}`,
    );
    await shot(auditor, 'replay-tabs-stroke');
  });

  it('shows the second tab’s page after the switch, with a tab strip to watch the first one instead', async () => {
    const focus = events.find((m) => m.type === 'tab.focus' && m.tab === 't2');
    const recorded = events.find((m) => m.type === 'rec' && m.tab === 't2');
    assert.ok(focus && recorded);
    await replayAt(Math.max(focus.at, recorded.at));
    await shows('Contact form'); // the tab in use then
    const strip = () =>
      auditor.$$eval('[data-testid="tab"]', (tabs) =>
        tabs.map((t) => [
          t.getAttribute('data-tab'),
          t.getAttribute('aria-current'),
          t.getAttribute('data-active'),
        ]),
      );
    assert.deepEqual(await strip(), [
      ['t1', null, null],
      ['t2', 'true', 'true'],
    ]);
    assert.equal(await strokesShown(), 0, 'the arrow is on the other tab');
    await shot(auditor, 'replay-tabs-second');

    await auditor.click('[data-testid="tab"][data-tab="t1"]');
    await until('the first tab is shown', async () => (await strip())[0]?.[1] === 'true');
    await shows('Products'); // the pinned tab, at the same moment
    await until('its arrow is still there', async () => (await strokesShown()) === 1);
    assert.deepEqual(await seriousA11yViolations(auditor), [], 'the replay screen with its tabs');

    await auditor.click('[data-testid="tab"][data-tab="t2"]');
    await shows('Contact form'); // choosing the active tab follows the session again

    // The switch has its tick on the timeline.
    const tick = await auditor.$('.tick.kind-tab');
    assert.ok(tick, 'a tick for the change of tab');
    assert.match(String(await tick.evaluate((t) => t.getAttribute('title'))), /Tab/);
  });

  it('switches tabs by itself while playing through the switch', async () => {
    const focus = events.find((m) => m.type === 'tab.focus' && m.tab === 't2');
    assert.ok(focus);
    await replayAt(focus.at - 300);
    await shows('Products');
    await auditor.click('[data-testid="replay-play"]');
    await shows('Contact form');
  });
});
