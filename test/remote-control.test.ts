import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Frame, Page } from 'puppeteer-core';
import { frameShowing, handBaton, launchBrowser, openViewer, until } from './helpers/browser.js';
import { createSession, startTestTandem, type TestTandem } from './helpers/tandem.js';

const PAGES = new URL('../../test/pages/', import.meta.url);

/**
 * The test's own site: the React form (its TSX bundled now, with esbuild) and the same form as a
 * plain page, on a loopback port.
 */
async function startFormSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const built = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('react-form.tsx', PAGES))],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const files: Record<string, { type: string; body: string | Uint8Array }> = {
    '/react.html': {
      type: 'text/html',
      body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>React form</title><link rel="stylesheet" href="/form.css"></head><body><div id="root"></div><script src="/react-form.js"></script></body></html>',
    },
    '/react-form.js': { type: 'text/javascript', body: built.outputFiles[0]?.contents ?? '' },
    '/plain.html': { type: 'text/html', body: fs.readFileSync(new URL('plain-form.html', PAGES), 'utf8') },
    '/form.css': { type: 'text/css', body: fs.readFileSync(new URL('form.css', PAGES), 'utf8') },
  };
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': `${file.type}; charset=utf-8` }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface FormState {
  name: string;
  message: string;
  size: string;
  newsletter: boolean;
  contact: string;
  notes: string;
  inner: number;
  scrollY: number;
  ime: string;
}

/** What the page's own scripts hold, as the page renders it. */
const stateOf = async (live: Frame): Promise<FormState> =>
  JSON.parse(await live.$eval('[data-testid="state"]', (el) => el.textContent ?? '')) as FormState;

describe('remote control: a follower acts through the mirror and the owner’s page scripts see it', function () {
  this.timeout(180_000);
  let tandem: TestTandem;
  let site: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let owner: Page;
  let follower: Page;

  before(async () => {
    site = await startFormSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    browser = await launchBrowser();
    const session = await createSession(tandem.url, { startUrl: `${site.url}/plain.html` });
    owner = await openViewer(browser, session.hostUrl, 'Olivia', { width: 1100, height: 800 });
    follower = await openViewer(browser, session.joinUrl, 'Felix', { width: 1280, height: 900 });
    await frameShowing(follower, 'Plain form');
    await handBaton(owner, follower, 'Felix');
    await owner.waitForSelector('::-p-text(Felix is in control of your page)');
  });
  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  for (const [title, path] of [
    ['React form', '/react.html'],
    ['Plain form', '/plain.html'],
  ] as const) {
    it(`${title}: address bar, text, textarea, select, checkbox, radio, contenteditable, scrolls, IME`, async () => {
      const bar = await follower.$('[data-testid="address-bar"]');
      await bar?.click({ count: 3 });
      await follower.keyboard.type(`${site.url}${path}`);
      await follower.keyboard.press('Enter');
      const live = await frameShowing(owner, title);
      const mirror = await frameShowing(follower, title);
      const sees = (what: string, check: (s: FormState) => boolean) =>
        until(`the owner's page sees ${what}`, async () => check(await stateOf(live))).catch(
          async (e: Error) => {
            throw new Error(`${e.message}; its state is ${JSON.stringify(await stateOf(live))}`);
          },
        );
      const mirrorHas = (what: string, check: () => boolean) =>
        until(`the mirror shows ${what}`, () => mirror.evaluate(check));

      await mirror.click('#name');
      await mirror.type('#name', 'Felix', { delay: 60 });
      await sees('the typed name', (s) => s.name === 'Felix');

      await mirror.click('#message');
      await mirror.type('#message', 'Two\nlines', { delay: 60 });
      await sees('the textarea', (s) => s.message === 'Two\nlines');

      // The keys go wherever the focus is: make sure it is on the box (the mirror may have just
      // rebuilt the page from the owner's recording, which drops the focus).
      await until('the size box has the focus', async () => {
        await mirror.focus('#size');
        return mirror.evaluate(() => document.activeElement?.id === 'size');
      });
      await follower.keyboard.press('ArrowDown');
      await follower.keyboard.press('ArrowDown');
      await sees('the size chosen', (s) => s.size === 'L');

      await mirror.click('#newsletter');
      await sees('the box ticked', (s) => s.newsletter);
      await mirrorHas(
        'the box ticked',
        () => (document.getElementById('newsletter') as HTMLInputElement).checked,
      );
      await mirror.click('#contact-phone');
      await sees('the radio chosen', (s) => s.contact === 'phone');
      await mirrorHas(
        'the radio chosen',
        () => (document.getElementById('contact-phone') as HTMLInputElement).checked,
      );

      await mirror.click('#notes');
      await follower.keyboard.press('End');
      await follower.keyboard.type(' buy boots', { delay: 60 });
      await sees('the edited notes', (s) => s.notes === 'Notes: buy boots');
      await mirrorHas(
        'the notes as typed',
        () => document.getElementById('notes')?.textContent === 'Notes: buy boots',
      );

      await mirror.click('#ime');
      const cdp = await follower.createCDPSession();
      for (const text of ['に', 'にほ', 'にほん']) {
        await cdp.send('Input.imeSetComposition', {
          text,
          selectionStart: text.length,
          selectionEnd: text.length,
        });
      }
      await cdp.send('Input.insertText', { text: '日本' });
      await sees('the composed text', (s) => s.ime === '日本');
      await mirrorHas(
        'the composed text',
        () => (document.getElementById('ime') as HTMLInputElement).value === '日本',
      );

      const inner = await (await mirror.$('#inner'))?.boundingBox();
      assert.ok(inner);
      await follower.mouse.move(inner.x + inner.width / 2, inner.y + inner.height / 2);
      await follower.mouse.wheel({ deltaY: 300 });
      await mirrorHas(
        'the inner area scrolled',
        () => (document.getElementById('inner')?.scrollTop ?? 0) > 0,
      );
      const innerTop = await mirror.evaluate(() =>
        Math.round(document.getElementById('inner')?.scrollTop ?? 0),
      );
      await sees('the inner area scrolled as far', (s) => s.inner === innerTop);

      const heading = await (await mirror.$('h1'))?.boundingBox();
      assert.ok(heading);
      await follower.mouse.move(heading.x + 5, heading.y + heading.height / 2);
      await follower.mouse.wheel({ deltaY: 500 });
      await mirrorHas('the page scrolled', () => window.scrollY > 0);
      const pageTop = await mirror.evaluate(() => Math.round(window.scrollY));
      await sees('the window scrolled as far', (s) => s.scrollY === pageTop);

      const final = await stateOf(live);
      assert.deepEqual(
        { ...final, inner: 0, scrollY: 0 },
        {
          name: 'Felix',
          message: 'Two\nlines',
          size: 'L',
          newsletter: true,
          contact: 'phone',
          notes: 'Notes: buy boots',
          inner: 0,
          scrollY: 0,
          ime: '日本',
        },
        'every input landed once, in its own field',
      );
      await owner.waitForSelector('::-p-text(Felix is in control of your page)');
    });
  }
});
