import assert from 'node:assert/strict';
import path from 'node:path';
import {
  assertSameThroughTandem,
  packageDir,
  runBoth,
  type StaticSite,
  serveStatic,
  useCompatEnv,
} from './helpers.js';

const LIT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Lit compat</title>
<script type="importmap">${JSON.stringify({
  imports: {
    lit: '/lit/index.js',
    'lit/': '/lit/',
    'lit-html': '/lit-html/lit-html.js',
    'lit-html/': '/lit-html/',
    'lit-element/': '/lit-element/',
    '@lit/reactive-element': '/@lit/reactive-element/reactive-element.js',
    '@lit/reactive-element/': '/@lit/reactive-element/',
  },
})}</script></head>
<body><todo-list></todo-list>
<script type="module">
import { LitElement, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
class TodoList extends LitElement {
  static properties = { items: { state: true } };
  constructor() { super(); this.items = []; }
  add() {
    const input = this.renderRoot.querySelector('#new');
    this.items = [...this.items, input.value];
    input.value = '';
  }
  render() {
    return html\`<input id="new" aria-label="New item"><button id="add" @click=\${this.add}>Add</button>
      <ul>\${repeat(this.items, (item) => item, (item) => html\`<li>\${item}</li>\`)}</ul>
      <p id="count">\${this.items.length} items</p>\`;
  }
}
customElements.define('todo-list', TodoList);
</script></body></html>`;

// Dynamic import() of bare specifiers resolves through the import map as well.
const PREACT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Preact compat</title>
<script type="importmap">${JSON.stringify({
  imports: {
    preact: '/preact/dist/preact.module.js',
    'preact/hooks': '/preact/hooks/dist/hooks.module.js',
  },
})}</script></head>
<body><div id="app"></div>
<script type="module">
const [{ h, render }, { useState }] = await Promise.all([import('preact'), import('preact/hooks')]);
function Counter() {
  const [n, setN] = useState(0);
  return h('div', null,
    h('button', { id: 'inc', onClick: () => setN(n + 1) }, 'More'),
    h('output', { id: 'n' }, n === 0 ? 'none yet' : 'clicked ' + n));
}
render(h(Counter), document.getElementById('app'));
</script></body></html>`;

describe('compat: module scripts resolved through import maps (lit, preact)', function () {
  this.timeout(60_000);
  const env = useCompatEnv();
  let site: StaticSite;

  before(async () => {
    // Both packages import their siblings by bare name, so the whole node_modules folder is served.
    site = await serveStatic(path.dirname(packageDir('lit')), {
      '/lit.html': LIT_PAGE,
      '/preact.html': PREACT_PAGE,
    });
  });
  after(async () => site?.close());

  it('a LitElement component mapped from "lit" renders and updates the same through Tandem', async () => {
    const runs = await runBoth(env, site, '/lit.html', async (page) => {
      await page.waitForSelector('todo-list >>> #count');
      for (const item of ['Milk', 'Bread', 'Tea']) {
        await page.type('todo-list >>> #new', item);
        await page.click('todo-list >>> #add');
      }
      await page.waitForFunction(
        () =>
          document.querySelector('todo-list')?.shadowRoot?.querySelector('#count')?.textContent === '3 items',
        { timeout: 5_000 },
      );
      return page.$eval('todo-list', (el) =>
        [...(el.shadowRoot?.querySelectorAll('li, #count') ?? [])].map((n) => n.textContent),
      );
    });
    assertSameThroughTandem(runs, env);
    assert.deepEqual(runs.direct.result, ['Milk', 'Bread', 'Tea', '3 items']);
  });

  it('preact loaded by dynamic import() of mapped bare specifiers works the same through Tandem', async () => {
    const runs = await runBoth(env, site, '/preact.html', async (page) => {
      await page.waitForSelector('#inc');
      const before = await page.$eval('#n', (el) => el.textContent);
      for (let i = 0; i < 4; i++) await page.click('#inc');
      await page.waitForFunction(() => document.getElementById('n')?.textContent === 'clicked 4', {
        timeout: 5_000,
      });
      return { before, after: await page.$eval('#n', (el) => el.textContent) };
    });
    assertSameThroughTandem(runs, env);
    assert.deepEqual(runs.direct.result, { before: 'none yet', after: 'clicked 4' });
  });
});
