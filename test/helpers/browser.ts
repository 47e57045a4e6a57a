import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type ElementHandle, type Frame, type Page } from 'puppeteer-core';
import { startFixtureSite } from '../../fixtures/site.js';
import { createSession, joinAs, startTestTandem } from './tandem.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with a fresh profile that is removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  const close = browser.close.bind(browser);
  // Chromium may still be writing its profile when 'disconnected' fires; remove it after close.
  browser.close = async () => {
    await close();
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  return browser;
}

/** Polls until `check` holds (errors count as not yet), failing with `what` after 15 s. */
export async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The viewer's page frame (live page or mirror) once its text includes `text`. */
export async function frameShowing(page: Page, text: string): Promise<Frame> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const frame = await (await page.$('[data-testid="page-frame"]'))?.contentFrame();
    const seen = frame ? await frame.evaluate(() => document.body?.textContent ?? '').catch(() => '') : '';
    if (frame && seen.includes(text)) return frame;
    if (Date.now() > deadline)
      throw new Error(`the page frame never showed "${text}"; it shows: ${seen.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page (not inside its frames) and returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const source = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } })
      .axe;
    return (await axe.run({ exclude: [['iframe']] }, { resultTypes: ['violations'] })) as {
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: string[] }>;
      }>;
    };
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
}

/**
 * A fixture site, a Tandem that may reach it, and a host's browser page with `open()` to load `path`
 * top-level through the proxy; all torn down after `use`.
 */
export async function withOwnerPage(
  path: string,
  use: (page: Page, open: () => Promise<void>, tandemUrl: string) => Promise<void>,
): Promise<void> {
  const site = await startFixtureSite();
  const tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
  const browser = await launchBrowser();
  try {
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const page = await browser.newPage();
    const target = encodeURIComponent(`${site.url}${path}`);
    const open = async () => {
      await page.goto(`${tandem.url}/api/sessions/${session.id}/open?url=${target}&token=${owner.token}`);
    };
    await use(page, open, tandem.url);
  } finally {
    await browser.close();
    await tandem.stop();
    await site.close();
  }
}

/** A session viewer (a `hostUrl` or `joinUrl`) for `name` in a browser context of its own, once live. */
export async function openViewer(
  browser: Browser,
  url: string,
  name: string,
  viewport: { width: number; height: number },
): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(viewport);
  await page.goto(`${url}&name=${encodeURIComponent(name)}`);
  await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
  return page;
}

/** The follower named `name` asks for the baton and the owner gives it, as the two people would. */
export async function handBaton(owner: Page, follower: Page, name: string): Promise<void> {
  await follower.click('[data-testid="baton-request"]');
  await owner.waitForSelector(`::-p-text(${name} asks to take control)`);
  await owner.click(`[data-testid="baton-give"][aria-label="Give control to ${name}"]`);
  await follower.waitForSelector(`[data-testid="participant"][data-leader="true"]::-p-text(${name})`);
}

const SHOTS = new URL('../../../test-output/', import.meta.url);

/** A screenshot of a state, written to test-output/ on every run so a person can look at it. */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: fileURLToPath(new URL(`${name}.png`, SHOTS)) });
}

/** The row of the person named in the Who panel, once it is there. */
export async function whoRow(page: Page, name: string): Promise<ElementHandle<Element>> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    for (const person of await page.$$('[data-testid="who-person"]')) {
      if ((await person.evaluate((el) => el.textContent ?? '')).includes(name)) return person;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} is not in the Who panel`);
}

/** Clicks the button with that test id in the Who panel's row of the person named. */
export async function clickInWhoRow(page: Page, name: string, testid: string): Promise<void> {
  const button = await (await whoRow(page, name)).$(`[data-testid="${testid}"]`);
  if (!button) throw new Error(`no ${testid} in ${name}'s row of the Who panel`);
  await button.click();
}

/** Two people's viewer pages, each in a browser context of its own (no shared cookies or storage). */
export async function ownerAndFollower(browser: Browser): Promise<{ owner: Page; follower: Page }> {
  const [owner, follower] = await Promise.all(
    [0, 1].map(async () => {
      const page = await (await browser.createBrowserContext()).newPage();
      await page.setViewport({ width: 1100, height: 760 });
      return page;
    }),
  );
  if (!owner || !follower) throw new Error('no pages');
  return { owner, follower };
}

/** Draws with the mouse through the points given, as a person would. */
export async function drawThrough(page: Page, points: Array<{ x: number; y: number }>) {
  const [first, ...rest] = points;
  assert.ok(first);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const p of rest) await page.mouse.move(p.x, p.y);
  await page.mouse.up();
}

/** The centre of an element of a frame, in the coordinates of the page holding the frame. */
export async function centreOf(page: Page, frame: Frame, selector: string) {
  const box = await (await frame.$(selector))?.boundingBox();
  assert.ok(box, `${selector} is on screen`);
  assert.ok(page);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}
