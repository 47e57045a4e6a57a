import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { seriousA11yViolations, until } from './browser.js';
import { type DeskClient, signIn } from './desk.js';

const SHOTS = new URL('../../../test-output/', import.meta.url);
export const PASSWORD = 'correct horse battery';

/**
 * Looks at a desk screen the way people will: wide and light, then 360 px and dark. Each is
 * screenshotted to test-output/ and must have no serious accessibility violation, nor scroll sideways.
 */
export async function lookAt(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [width, scheme] of [
    [1280, 'light'],
    [360, 'dark'],
  ] as const) {
    await page.setViewport({ width, height: 800 });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    await page.screenshot({
      path: fileURLToPath(new URL(`desk-${name}-${width}-${scheme}.png`, SHOTS)),
      fullPage: true,
    });
    assert.deepEqual(await seriousA11yViolations(page), [], `${name} at ${width} px, ${scheme}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow} px at ${width} px`);
  }
  await page.setViewport({ width: 1280, height: 800 });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
}

/** An element's text, '' while it is missing. */
export const textOf = (page: Page, selector: string) =>
  page.$eval(selector, (el) => el.textContent ?? '').catch(() => '');

/** Polls, because puppeteer's text selectors miss text nodes changed in place. */
export async function waitForText(page: Page, selector: string, text: string | RegExp): Promise<void> {
  await until(`${selector} shows ${text}`, async () => {
    const seen = await textOf(page, selector);
    return typeof text === 'string' ? seen.includes(text) : text.test(seen);
  });
}

/** A browser context of its own signed in as `client`'s user (its cookie), on `path`. */
export async function pageAs(
  browser: Browser,
  base: string,
  client: DeskClient,
  path: string,
): Promise<Page> {
  const page = await (await browser.createBrowserContext()).newPage();
  const [name, value] = client.cookie.split('=') as [string, string];
  await page.setCookie({ name, value, url: base });
  await page.goto(`${base}${path}`);
  return page;
}

/** A person the admin adds, signed in on their own client. */
export async function addStaff(
  admin: DeskClient,
  name: string,
  role: 'agent' | 'supervisor',
  extra: { skills?: string[]; maxSessions?: number } = {},
): Promise<DeskClient> {
  const email = `${name.toLowerCase()}@staff.test`;
  await admin.expect(201, 'POST', '/users', {
    name,
    email,
    password: PASSWORD,
    role,
    skills: extra.skills ?? [],
    maxSessions: extra.maxSessions ?? 1,
  });
  return signIn(admin.base, email, PASSWORD);
}
