import assert from 'node:assert/strict';
import { contentPolicy } from '../rewriter/csp.js';
import { toProxyUrl, toUpstreamUrl, type UrlMapContext } from '../runtime/url-map.js';

const PAGE = 'https://aaaa.content.example:8443';
const asked: string[] = [];
const ctx: UrlMapContext = {
  pageOrigin: PAGE,
  upstreamOrigin: 'https://shop.example',
  contentSuffix: '.content.example',
  lookup(origin) {
    asked.push(origin);
    return origin === 'https://cdn.example' ? 'https://bbbb.content.example:8443' : null;
  },
};
const base = `${PAGE}/products/list.html`;
const map = (u: string) => toProxyUrl(u, base, ctx);

describe('runtime URL mapping', () => {
  it('maps the page’s own upstream origin onto its content host without asking', () => {
    asked.length = 0;
    assert.equal(map('https://shop.example/api/cart?x=1#top'), `${PAGE}/api/cart?x=1#top`);
    assert.deepEqual(asked, []);
  });

  it('maps another origin through the lookup, keeping path, query and fragment', () => {
    assert.equal(map('https://cdn.example/a/b.png?v=2'), 'https://bbbb.content.example:8443/a/b.png?v=2');
    assert.equal(map('//cdn.example/x.js'), 'https://bbbb.content.example:8443/x.js', 'protocol-relative');
  });

  it('keeps WebSocket schemes, following the content host’s', () => {
    assert.equal(map('wss://shop.example/live'), 'wss://aaaa.content.example:8443/live');
    assert.equal(map('wss://cdn.example/feed'), 'wss://bbbb.content.example:8443/feed');
  });

  it('leaves relative URLs, content hosts, other schemes and unknown origins alone', () => {
    for (const u of [
      '/api',
      'next.html',
      `${PAGE}/x`,
      'https://zzzz.content.example:8443/y',
      'data:text/plain,hi',
      'blob:https://aaaa.content.example:8443/1',
      'javascript:void(0)',
      'mailto:a@b.c',
      'https://unknown.example/z',
      'http://[::1',
    ]) {
      assert.equal(map(u), u, u);
    }
  });
});

describe('the policy on proxied pages', () => {
  it('allows the content hosts on Tandem’s scheme and port, and framing only by the viewer', () => {
    const p = contentPolicy(new URL('https://tandem.example:8443'), 'content.example');
    assert.match(p, /default-src 'self' https:\/\/\*\.content\.example:8443 data: blob:/);
    assert.match(p, /connect-src [^;]*wss:\/\/\*\.content\.example:8443/);
    assert.match(p, /frame-ancestors https:\/\/tandem\.example:8443 https:\/\/\*\.content\.example:8443/);
    assert.match(p, /form-action 'self' https:\/\/\*\.content\.example:8443/);
    const local = contentPolicy(new URL('http://localhost:8080'), 'content.localhost');
    assert.match(local, /connect-src [^;]*ws:\/\/\*\.content\.localhost:8080/);
    assert.doesNotMatch(contentPolicy(new URL('https://t.example'), 'c.example'), /:\/\/\*\.c\.example:/);
  });
});

describe('runtime: a new window’s address as the site knows it', () => {
  const upstream = (u: string) => toUpstreamUrl(u, base, ctx);

  it('reads this content host’s URLs, relative ones included, as the upstream page', () => {
    assert.equal(upstream(`${PAGE}/help?q=1#a`), 'https://shop.example/help?q=1#a');
    assert.equal(upstream('detail.html'), 'https://shop.example/products/detail.html');
  });

  it('keeps a plain http(s) address and refuses what cannot be opened as a session page', () => {
    assert.equal(upstream('https://other.example/x'), 'https://other.example/x');
    assert.equal(upstream('https://bbbb.content.example:8443/y'), null);
    assert.equal(upstream('javascript:alert(1)'), null);
    assert.equal(upstream('about:blank'), null);
  });
});
