import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import {
  assertSameThroughTandem,
  freePort,
  packageDir,
  runBoth,
  type StaticSite,
  startApp,
  useCompatEnv,
  waitValue,
} from './helpers.js';

const page = (heading: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Status board</title>
<link rel="stylesheet" href="/board.css"></head>
<body><h1 class="banner">${heading}</h1></body></html>`;

const banner = (p: Page) =>
  p.$eval('.banner', (el) => ({ text: el.textContent, color: getComputedStyle(el).color }));

describe('compat: five-server, a dev server that pushes changes to the page over its WebSocket', function () {
  this.timeout(90_000);
  const env = useCompatEnv();
  let root: string;
  let site: StaticSite;
  const write = (color: string, heading?: string) => {
    fs.writeFileSync(path.join(root, 'board.css'), `.banner { color: ${color}; }\n`);
    if (heading) fs.writeFileSync(path.join(root, 'index.html'), page(heading));
  };

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-five-'));
    write('rgb(0, 0, 255)', 'Build passing');
    const port = await freePort();
    site = await startApp(
      path.join(packageDir('five-server'), 'lib', 'bin.js'),
      [`--port=${port}`, '--host=127.0.0.1', '--open=false', `--root=${root}`],
      `http://127.0.0.1:${port}/fiveserver/status`,
      // It watches its working folder.
      { cwd: root },
    );
  });
  after(async () => {
    await site?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('restyles the page in place and reloads it when the server says the files changed', async () => {
    const runs = await runBoth(env, site, '/index.html', async (p) => {
      // Five-server's script adds its own style sheet once its socket is open.
      await waitValue(p, () =>
        [...document.querySelectorAll('style')].some((s) =>
          s.textContent?.includes('Injected by five-server'),
        ),
      );
      const first = await banner(p);
      write('rgb(255, 0, 0)');
      // The server sends "refreshcss": the page swaps its style sheet without reloading.
      await waitValue(
        p,
        () => getComputedStyle(document.querySelector('.banner') as Element).color !== 'rgb(0, 0, 255)',
      );
      const restyled = await banner(p);
      const toast = await waitValue(p, () => document.getElementById('fiveserver-info')?.textContent);
      fs.writeFileSync(path.join(root, 'index.html'), page('Build failing'));
      // An HTML change is "reload": the page loads itself again, from where it came.
      await waitValue(
        p,
        // Complete: the style sheet, which the new document loads again, has arrived too.
        () =>
          document.readyState === 'complete' &&
          document.querySelector('.banner')?.textContent === 'Build failing',
      );
      const reloaded = await banner(p);
      // Back as it was for the next run, once this page has seen it (so no change is left in flight).
      write('rgb(0, 0, 255)', 'Build passing');
      await waitValue(p, () => {
        const el = document.querySelector('.banner');
        return el?.textContent === 'Build passing' && getComputedStyle(el).color === 'rgb(0, 0, 255)';
      });
      return { first, restyled, toast, reloaded };
    });
    assert.deepEqual(runs.direct.result, {
      first: { text: 'Build passing', color: 'rgb(0, 0, 255)' },
      restyled: { text: 'Build passing', color: 'rgb(255, 0, 0)' },
      toast: 'css updated',
      reloaded: { text: 'Build failing', color: 'rgb(255, 0, 0)' },
    });
    assertSameThroughTandem(runs, env);
    assert.ok(
      runs.proxied.requests.some((u) => /^ws:\/\/[a-z2-7]+\.content\.localhost:\d+\/fsws$/.test(u)),
      'the page opened its socket through Tandem',
    );
  });
});
