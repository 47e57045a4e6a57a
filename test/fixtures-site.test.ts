import assert from 'node:assert/strict';
import http from 'node:http';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';

describe('fixtures/site', () => {
  let site: FixtureSite;

  before(async () => {
    site = await startFixtureSite();
  });

  after(async () => {
    await site.close();
  });

  async function get(path: string, init?: RequestInit): Promise<{ response: Response; body: string }> {
    const response = await fetch(`${site.url}${path}`, init);
    return { response, body: await response.text() };
  }

  it('listens on a random loopback port', () => {
    assert.ok(site.port > 0);
    assert.equal(site.url, `http://127.0.0.1:${site.port}`);
  });

  it('serves a tall home page with navigation, logo and stylesheet', async () => {
    const { response, body } = await get('/');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(body, /<h1>Acme Outfitters<\/h1>/);
    for (const link of ['/products.html', '/form.html', '/app.html'])
      assert.ok(body.includes(`href="${link}"`));
    assert.ok(body.includes('<img src="/img/logo.svg" alt="Acme logo"'));
    assert.ok(body.includes('<link rel="stylesheet" href="/style.css">'));
    assert.ok(body.includes('id="section-10"'));
    assert.equal(body.match(/class="section"/g)?.length, 20);
  });

  it('links to the form with an absolute URL built from the Host header', async () => {
    const { response, body } = await get('/products.html');
    assert.equal(response.status, 200);
    assert.match(body, /<h1>Products<\/h1>/);
    assert.ok(body.includes('href="/"'));
    assert.ok(body.includes(`href="${site.url}/form.html"`));
    // fetch may not override Host, and the proxy reaches the site under whatever name the page used.
    const viaOtherName = await new Promise<string>((resolve, reject) => {
      http
        .get(`${site.url}/products.html`, { headers: { host: 'shop.test:8081' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    assert.ok(viaOtherName.includes('href="http://shop.test:8081/form.html"'));
  });

  it('serves the contact form with every field the tests drive', async () => {
    const { response, body } = await get('/form.html');
    assert.equal(response.status, 200);
    assert.match(body, /<h1>Contact form<\/h1>/);
    assert.ok(body.includes('<form class="card" action="/submit" method="post">'));
    for (const id of [
      'fullname',
      'size',
      'newsletter',
      'contact-email',
      'contact-phone',
      'message',
      'password',
    ]) {
      assert.ok(body.includes(`id="${id}"`), id);
    }
    assert.match(body, /<input type="text" name="card" id="card" data-tandem-private/);
    assert.ok(body.includes('id="submit"'));
    assert.ok(body.includes('id="counter"'));
    assert.ok(body.includes('Clicked 0 times'));
  });

  it('thanks the submitter with escaped values and sets an HttpOnly session cookie', async () => {
    const { response, body } = await get('/submit', {
      method: 'POST',
      body: new URLSearchParams({ fullname: '<b>Ann & Bo</b>', size: 'M', message: 'hi "there"' }),
    });
    assert.equal(response.status, 200);
    assert.ok(body.includes('Thank you, &lt;b&gt;Ann &amp; Bo&lt;/b&gt;'));
    assert.ok(body.includes('<dt>size</dt><dd>M</dd>'));
    assert.ok(body.includes('<dd>hi &quot;there&quot;</dd>'));
    assert.match(response.headers.get('set-cookie') ?? '', /^acme_session=[0-9a-f]+; Path=\/; HttpOnly$/);
    assert.equal((await get('/submit')).response.status, 405);
  });

  it('serves a hash-routed app', async () => {
    const { response, body } = await get('/app.html');
    assert.equal(response.status, 200);
    assert.ok(body.includes('href="#/two"'));
    assert.ok(body.includes("addEventListener('hashchange'"));
  });

  it('serves the stylesheet gzip-compressed when accepted, plain otherwise', async () => {
    const gzipped = await get('/style.css', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzipped.response.headers.get('content-encoding'), 'gzip');
    assert.equal(gzipped.response.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.ok(gzipped.body.includes('url(/img/pattern.svg)'));
    const plain = await get('/style.css', { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.response.headers.get('content-encoding'), null);
    assert.equal(plain.body, gzipped.body);
  });

  it('serves the images as SVG', async () => {
    for (const path of ['/img/logo.svg', '/img/pattern.svg']) {
      const { response, body } = await get(path);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/svg+xml');
      assert.ok(body.startsWith('<svg'));
    }
  });

  it('echoes the Cookie header', async () => {
    const { response, body } = await get('/cookie', { headers: { cookie: 'a=1; b=2' } });
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(body, 'a=1; b=2');
    assert.equal((await get('/cookie')).body, '');
  });

  it('redirects to the absolute URL of a path on the site only', async () => {
    const { response } = await get('/redirect?to=/form.html?x=1', { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), `${site.url}/form.html?x=1`);
    assert.equal((await get('/redirect?to=//evil.example/', { redirect: 'manual' })).response.status, 400);
  });

  it('answers unknown paths with a 404 page', async () => {
    const { response, body } = await get('/nope?<x>');
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.ok(body.includes('<code>/nope</code>'));
  });
});
