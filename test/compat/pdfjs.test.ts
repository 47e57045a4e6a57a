import { assertSameThroughTandem, runBoth, useCompatEnv, usePackageSite } from './helpers.js';

/** A minimal valid PDF with one line of Helvetica text per page; offsets in the xref are computed. */
function makePdf(pages: string[]): Buffer {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>'];
  const kids = pages.map((_, i) => `${4 + i * 2} 0 R`).join(' ');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (const [i, text] of pages.entries()) {
    const stream = `BT /F1 28 Tf 72 700 Td (${text}) Tj ET`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`,
    );
    objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>PDF.js compat</title>
<link rel="stylesheet" href="/web/pdf_viewer.css">
<style>.page-box { position: relative; margin: 8px; --scale-factor: 1; }</style></head>
<body><div id="pages"></div>
<script type="module">
import * as pdfjsLib from '/build/pdf.mjs';
pdfjsLib.GlobalWorkerOptions.workerSrc = '/build/pdf.worker.mjs';
const doc = await pdfjsLib.getDocument({ url: '/sample.pdf', standardFontDataUrl: '/standard_fonts/', wasmUrl: '/wasm/' }).promise;
const holder = document.getElementById('pages');
for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  const viewport = page.getViewport({ scale: 1 });
  const box = document.createElement('div');
  box.className = 'page-box';
  const canvas = document.createElement('canvas');
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  const layer = document.createElement('div');
  layer.className = 'textLayer';
  box.append(canvas, layer);
  holder.append(box);
  await page.render({ canvas, viewport }).promise;
  await new pdfjsLib.TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport }).render();
}
document.body.dataset.pages = String(doc.numPages);
</script></body></html>`;

describe('compat: pdfjs-dist renders a PDF with its worker', function () {
  this.timeout(60_000);
  const env = useCompatEnv();
  const served = usePackageSite('pdfjs-dist', {
    '/compat.html': PAGE,
    '/sample.pdf': makePdf(['Hello from page one', 'Tandem renders page two']),
  });

  it('draws the same pages and text layer through Tandem', async () => {
    const runs = await runBoth(env, served.site, '/compat.html', async (page) => {
      await page.waitForSelector('body[data-pages]', { timeout: 15_000 });
      return page.evaluate(() => ({
        pages: document.body.dataset.pages,
        text: [...document.querySelectorAll('.textLayer')].map((l) => l.textContent),
        // A blank canvas would mean the worker never delivered the drawing operations.
        inked: [...document.querySelectorAll<HTMLCanvasElement>('.page-box canvas')].map((c) => {
          const data =
            c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
          let dark = 0;
          for (let i = 0; i < data.length; i += 4)
            if ((data[i] ?? 255) < 128 && (data[i + 3] ?? 0) > 0) dark++;
          return dark > 100;
        }),
      }));
    });
    assertSameThroughTandem(runs, env);
  });
});
