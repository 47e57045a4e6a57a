import assert from 'node:assert/strict';
import { SessionJar } from '../proxy/cookie-jars.js';

describe('SessionJar: a session’s cookies, read often', () => {
  const page = new URL('https://shop.example/cart/view?item=1');

  it('answers with cookies set after an earlier answer for the same URL', async () => {
    const jar = new SessionJar();
    assert.equal(await jar.cookieString(page), '');
    await jar.setCookie('a=1; Path=/', page.href);
    assert.equal(await jar.cookieString(page), 'a=1');
    await jar.setCookie('b=2; Path=/cart', page.href);
    assert.equal(await jar.cookieString(page), 'b=2; a=1');
    await jar.setCookie('a=; Path=/; Max-Age=0', page.href);
    assert.equal(await jar.cookieString(page), 'b=2');
  });

  it('answers each path, scheme and view (HTTP or script) on its own', async () => {
    const jar = new SessionJar();
    await jar.setCookie('s=1; Path=/; HttpOnly', page.href);
    await jar.setCookie('c=2; Path=/cart', page.href);
    await jar.setCookie('t=3; Path=/; Secure', page.href);
    assert.equal(await jar.cookieString(page), 'c=2; s=1; t=3');
    assert.equal(await jar.cookieString(page, { http: false }), 'c=2; t=3');
    assert.equal(await jar.cookieString(new URL('https://shop.example/other')), 's=1; t=3');
    assert.equal(await jar.cookieString(new URL('http://shop.example/cart/x')), 'c=2; s=1');
    // The query is not part of the question.
    assert.equal(await jar.cookieString(new URL('https://shop.example/cart/view?item=2')), 'c=2; s=1; t=3');
  });

  it('stops sending a cookie once it has expired, though it was answered before', async () => {
    const jar = new SessionJar();
    await jar.setCookie('brief=1; Path=/; Max-Age=1', page.href);
    await jar.setCookie('lasting=1; Path=/', page.href);
    assert.equal(await jar.cookieString(page), 'brief=1; lasting=1');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(await jar.cookieString(page), 'lasting=1');
  });
});
