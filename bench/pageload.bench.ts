import type { Page } from 'puppeteer-core';
import { startFixtureSite } from '../fixtures/site.js';
import { packageDir, serveStatic } from '../test/compat/helpers.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { createSession, joinAs, startTestTandem } from '../test/helpers/tandem.js';

const RUNS = 7;

const REVEAL = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<link rel="stylesheet" href="/dist/reveal.css"><link rel="stylesheet" href="/dist/theme/black.css"></head>
<body><div class="reveal"><div class="slides"><section><h2>One</h2></section><section><h2>Two</h2></section></div></div>
<script src="/dist/reveal.js"></script><script>Reveal.initialize({ hash: true });</script></body></html>`;

const QUILL = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<link rel="stylesheet" href="/dist/quill.snow.css"></head><body><div id="editor"><p>Hello</p></div>
<script src="/dist/quill.js"></script><script>new Quill('#editor', { theme: 'snow' });</script></body></html>`;

/** Milliseconds from navigation start to the end of the load event, as the page itself measured. */
async function loadTime(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return nav ? nav.loadEventEnd - nav.startTime : Number.NaN;
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * Pages of the fixture site and of two compat applications (reveal.js, quill) loaded in Chromium
 * directly and through Tandem (top-level, already entered), cache off, alternating: the median of
 * each page's load time through Tandem over its load time direct. The goal is at most 1.5.
 */
export async function run(): Promise<Record<string, number>> {
  const site = await startFixtureSite();
  const reveal = await serveStatic(packageDir('reveal.js'), { '/bench.html': REVEAL });
  const quill = await serveStatic(packageDir('quill'), { '/bench.html': QUILL });
  const tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Bench', session.hostKey);
    const pages: Array<[string, string]> = [
      ['home', `${site.url}/`],
      ['products', `${site.url}/products.html`],
      ['form', `${site.url}/form.html`],
      ['reveal.js', `${reveal.url}/bench.html`],
      ['quill', `${quill.url}/bench.html`],
    ];
    const figures: Record<string, number> = {};
    const ratios: number[] = [];
    for (const [name, url] of pages) {
      await page.goto(
        `${tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(url)}&token=${owner.token}`,
      );
      const proxiedUrl = page.url();
      const direct: number[] = [];
      const proxied: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        direct.push(await loadTime(page, url));
        proxied.push(await loadTime(page, proxiedUrl));
      }
      const ratio = median(proxied) / median(direct);
      ratios.push(ratio);
      figures[`${name}: direct, median ms`] = Math.round(median(direct));
      figures[`${name}: through Tandem, median ms`] = Math.round(median(proxied));
      figures[`${name}: ratio`] = Number(ratio.toFixed(2));
    }
    figures['median ratio over the pages (goal <= 1.5)'] = Number(median(ratios).toFixed(2));
    return figures;
  } finally {
    await browser.close();
    await tandem.stop();
    await Promise.all([site.close(), reveal.close(), quill.close()]);
  }
}
