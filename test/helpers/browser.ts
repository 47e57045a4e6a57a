import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';

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
