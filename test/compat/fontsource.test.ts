import assert from 'node:assert/strict';
import { assertSameThroughTandem, runBoth, useCompatEnv, usePackageSite } from './helpers.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Fontsource compat</title>
<link rel="stylesheet" href="/index.css">
<style>
  span { font-size: 40px; white-space: nowrap; }
  #inter { font-family: 'Inter', monospace; }
  #fallback { font-family: monospace; }
</style></head>
<body><span id="inter">Tandem iiii WWWW</span><br><span id="fallback">Tandem iiii WWWW</span></body></html>`;

describe('compat: @fontsource/inter web font', function () {
  this.timeout(60_000);
  const env = useCompatEnv();
  const served = usePackageSite('@fontsource/inter', { '/compat.html': PAGE });

  it('loads the same font faces from its rewritten stylesheet through Tandem', async () => {
    const runs = await runBoth(env, served.site, '/compat.html', async (page) => {
      await page.waitForSelector('#inter');
      return page.evaluate(async () => {
        await document.fonts.load('400 40px Inter', 'Tandem');
        await document.fonts.ready;
        const width = (id: string) => document.getElementById(id)?.getBoundingClientRect().width ?? 0;
        return {
          check: document.fonts.check('400 40px Inter', 'Tandem'),
          loaded: [...document.fonts]
            .filter((f) => f.family.replace(/["']/g, '') === 'Inter' && f.status === 'loaded')
            .map((f) => `${f.weight} ${f.style} ${f.unicodeRange.slice(0, 20)}`),
          // Monospace and Inter set this text at clearly different widths; equal means no Inter.
          shaped: Math.abs(width('inter') - width('fallback')) > 5,
        };
      });
    });
    assertSameThroughTandem(runs, env);
    assert.equal(runs.direct.result.check, true);
    assert.ok(runs.direct.result.loaded.length > 0, 'a face of Inter loaded');
    assert.equal(runs.direct.result.shaped, true);
    const fonts = runs.proxied.requests.filter((u) => u.endsWith('.woff2'));
    assert.ok(fonts.length > 0, 'the woff2 came through a content host');
  });
});
