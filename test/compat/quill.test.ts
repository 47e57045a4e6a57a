import assert from 'node:assert/strict';
import { assertSameThroughTandem, runBoth, useCompatEnv, usePackageSite } from './helpers.js';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Quill compat</title>
<link rel="stylesheet" href="/dist/quill.snow.css"></head>
<body><div id="editor"><p>Start here</p></div>
<script src="/dist/quill.js"></script>
<script>window.quill = new Quill('#editor', { theme: 'snow' });</script>
</body></html>`;

type QuillWindow = {
  quill: { getLength(): number; setSelection(i: number): void; getText(): string; getContents(): unknown };
};

describe('compat: quill rich-text editing', function () {
  this.timeout(60_000);
  const env = useCompatEnv();
  const served = usePackageSite('quill', { '/compat.html': PAGE });

  it('types and formats the same way through Tandem', async () => {
    const runs = await runBoth(env, served.site, '/compat.html', async (page) => {
      await page.waitForSelector('.ql-toolbar .ql-bold', { timeout: 15_000 });
      await page.click('.ql-editor');
      await page.evaluate(() => {
        const { quill } = window as unknown as QuillWindow;
        quill.setSelection(quill.getLength() - 1);
      });
      await page.keyboard.type(' and more');
      await page.keyboard.press('Enter');
      await page.click('.ql-bold');
      await page.keyboard.type('bold words');
      await page.keyboard.press('Enter');
      await page.click('.ql-bold');
      await page.click('.ql-list[value="bullet"]');
      await page.keyboard.type('first item');
      await page.keyboard.press('Enter');
      await page.keyboard.type('second item');
      return page.evaluate(() => {
        const { quill } = window as unknown as QuillWindow;
        return {
          text: quill.getText(),
          delta: JSON.stringify(quill.getContents()),
          html: document.querySelector('.ql-editor')?.innerHTML,
          bold: document.querySelector('.ql-bold')?.classList.contains('ql-active'),
        };
      });
    });
    assertSameThroughTandem(runs, env);
    // Guards against both runs agreeing on an editor that ignored the input.
    assert.equal(runs.direct.result.text, 'Start here and more\nbold words\nfirst item\nsecond item\n');
    assert.match(runs.direct.result.html ?? '', /<strong>bold words<\/strong>/);
    assert.match(runs.direct.result.html ?? '', /<li data-list="bullet">.*second item<\/li>/);
  });
});
