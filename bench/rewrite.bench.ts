import { rewriteHtml } from '../rewriter/html.js';
import type { UrlMapper } from '../rewriter/url.js';

const TARGET_BYTES = 200 * 1024;
const MIN_ITERATIONS = 20;
const MIN_MILLISECONDS = 1000;

/** A realistic mix: mostly relative links, some absolute CDN assets, srcsets and inline styles. */
function generateDocument(): string {
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench</title>',
    '<link rel="stylesheet" href="https://cdn.example/site.css">',
    '<style>.hero{background:url(https://cdn.example/hero.jpg) center/cover}.x{background:url(/x.png)}</style>',
    '</head><body>',
  ];
  let size = parts.join('').length;
  for (let i = 0; size < TARGET_BYTES; i++) {
    const block =
      `<div class="card" style="background-image: url('https://cdn.example/bg/${i}.png'); padding: 4px">` +
      `<a href="/products/${i}?ref=list&amp;page=${i % 7}">Product ${i}</a> ` +
      `<a href="https://partner${i % 5}.example/offer/${i}">Partner offer</a>` +
      `<img src="https://img.example/p/${i}.jpg" srcset="https://img.example/p/${i}@2x.jpg 2x, /p/${i}.jpg 1x" alt="Item ${i}">` +
      `<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ${i}.</p>` +
      `<script>window.items = (window.items || []).concat(${i});</script></div>\n`;
    parts.push(block);
    size += block.length;
  }
  parts.push('</body></html>');
  return parts.join('');
}

export async function run(): Promise<Record<string, number>> {
  const html = generateDocument();
  const labels = new Map<string, string>();
  const map: UrlMapper = (url) => {
    let label = labels.get(url.origin);
    if (!label) {
      label = `l${labels.size.toString().padStart(25, '0')}`;
      labels.set(url.origin, label);
    }
    return `http://${label}.content.localhost:8080${url.pathname}${url.search}${url.hash}`;
  };
  const options = {
    base: new URL('https://shop.example/'),
    map,
    headInject: '<script src="/__tandem/runtime.js"></script>',
  };
  rewriteHtml(html, options);
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (iterations < MIN_ITERATIONS || elapsed < MIN_MILLISECONDS) {
    rewriteHtml(html, options);
    iterations++;
    elapsed = performance.now() - start;
  }
  const megabytes = (Buffer.byteLength(html) * iterations) / 1e6;
  return { 'html rewrite MB/s': Number((megabytes / (elapsed / 1000)).toFixed(1)) };
}
