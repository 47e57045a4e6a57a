import { assertSameThroughTandem, runBoth, useCompatEnv, usePackageSite } from './helpers.js';

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'Compat Pets', version: '1.2.3', description: 'A spec served next to Swagger UI.' },
  servers: [{ url: '/api' }],
  paths: {
    '/pets.json': {
      get: {
        summary: 'List pets',
        operationId: 'listPets',
        responses: { '200': { description: 'The pets', content: { 'application/json': {} } } },
      },
    },
    '/pets/{id}': {
      get: {
        summary: 'One pet',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '200': { description: 'The pet' } },
      },
      delete: {
        summary: 'Remove a pet',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: { '204': { description: 'Gone' } },
      },
    },
  },
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Swagger UI compat</title>
<link rel="stylesheet" href="/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script>
</body></html>`;

describe('compat: swagger-ui-dist renders a fetched spec and runs "Try it out"', function () {
  this.timeout(60_000);
  const env = useCompatEnv();
  const served = usePackageSite('swagger-ui-dist', {
    '/compat.html': PAGE,
    '/openapi.json': JSON.stringify(SPEC),
    '/api/pets.json': JSON.stringify([{ id: 7, name: 'Rex' }]),
  });

  it('shows the same operations and the same live response through Tandem', async () => {
    const runs = await runBoth(env, served.site, '/compat.html', async (page) => {
      await page.waitForFunction(() => document.querySelectorAll('.opblock').length === 3, {
        timeout: 15_000,
      });
      const title = await page.$eval('.info .title', (el) => el.textContent ?? '');
      const operations = await page.$$eval('.opblock-summary', (els) =>
        els.map((el) =>
          [
            el.querySelector('.opblock-summary-method')?.textContent,
            el.querySelector('.opblock-summary-path')?.textContent,
            el.querySelector('.opblock-summary-description')?.textContent,
          ].join(' '),
        ),
      );
      await page.click('.opblock-get .opblock-summary-control');
      await (await page.waitForSelector('.try-out__btn'))?.click();
      await (await page.waitForSelector('.execute'))?.click();
      const live = '.live-responses-table tbody .response';
      await page.waitForSelector(live, { timeout: 15_000 });
      const status = await page.$eval(`${live} .response-col_status`, (el) => (el.textContent ?? '').trim());
      // Date differs by the clock. Tandem's own policy header also reaches the page's fetch response
      // although the site sent none; that is a known difference, not what this test is about.
      const headers = await page.$$eval(`${live} .headerline`, (els) =>
        els
          .map((el) => (el.textContent ?? '').trim())
          .filter((h) => !h.startsWith('date:') && !h.startsWith('content-security-policy:')),
      );
      const body = await page.$eval(`${live} .response-col_description .highlight-code`, (el) =>
        (el.textContent ?? '').replace(/\s+/g, ''),
      );
      return { title, operations, status, body, headers };
    });
    assertSameThroughTandem(runs, env);
  });
});
