import type { Page } from 'puppeteer-core';
import { assertSameThroughTandem, runBoth, useCompatEnv, usePackageSite } from './helpers.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>reveal.js compat</title>
<link rel="stylesheet" href="/dist/reveal.css"><link rel="stylesheet" href="/dist/theme/black.css"></head>
<body><div class="reveal"><div class="slides">
<section><h2>One</h2></section>
<section><h2>Two</h2></section>
<section><section><h2>Three A</h2></section><section><h2>Three B</h2></section></section>
<section><h2>Four</h2></section>
</div></div>
<script src="/dist/reveal.js"></script>
<script>Reveal.initialize({ hash: true, transition: 'none', controls: true, progress: true });</script>
</body></html>`;

interface Where {
  heading: string;
  hash: string;
  indices: string;
}

async function where(page: Page): Promise<Where> {
  return page.evaluate(() => {
    const reveal = (window as unknown as { Reveal: { getIndices(): { h: number; v: number } } }).Reveal;
    const { h, v } = reveal.getIndices();
    return {
      heading: document.querySelector('section.present:not(.stack) h2')?.textContent ?? '',
      hash: location.hash,
      indices: `${h}/${v}`,
    };
  });
}

describe('compat: reveal.js keyboard navigation and hash routes', function () {
  this.timeout(60_000);
  const env = useCompatEnv();
  const served = usePackageSite('reveal.js', { '/compat.html': PAGE });

  it('walks the same slides through Tandem', async () => {
    const runs = await runBoth(env, served.site, '/compat.html', async (page) => {
      await page.waitForFunction(
        () => (window as unknown as { Reveal?: { isReady(): boolean } }).Reveal?.isReady() === true,
        { timeout: 15_000 },
      );
      const seen: Where[] = [await where(page)];
      // Reveal writes the hash a moment after each move, so the hash is read once the walk settles.
      const step = async (key: 'ArrowRight' | 'ArrowDown', indices: string) => {
        await page.keyboard.press(key);
        await page.waitForFunction(
          (i) => {
            const { h, v } = (
              window as unknown as { Reveal: { getIndices(): { h: number; v: number } } }
            ).Reveal.getIndices();
            return `${h}/${v}` === i;
          },
          { timeout: 5_000 },
          indices,
        );
        seen.push({ ...(await where(page)), hash: '' });
      };
      await step('ArrowRight', '1/0');
      await step('ArrowRight', '2/0');
      await step('ArrowDown', '2/1');
      await page.waitForFunction(() => location.hash === '#/2/1', { timeout: 5_000 });
      seen.push(await where(page));
      // A hash change made from outside (a bookmark, the back button) must move the deck too.
      await page.evaluate(() => {
        location.hash = '#/3';
      });
      await page.waitForFunction(() => document.querySelector('section.present h2')?.textContent === 'Four', {
        timeout: 5_000,
      });
      seen.push(await where(page));
      await page.goBack();
      await page.waitForFunction(() => location.hash === '#/2/1', { timeout: 5_000 });
      await page.waitForFunction(
        () => document.querySelector('section.present:not(.stack) h2')?.textContent === 'Three B',
        { timeout: 5_000 },
      );
      seen.push(await where(page));
      const progress = await page.$eval(
        '.reveal .progress span',
        (el) => (el as HTMLElement).style.transform,
      );
      return { seen, progress };
    });
    assertSameThroughTandem(runs, env);
  });
});
