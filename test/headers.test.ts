import assert from 'node:assert/strict';
import {
  type CspContext,
  inlineScriptAllowed,
  RUNTIME_TRUSTED_TYPES_POLICY,
  rewriteCsp,
  rewriteLinkHeader,
  rewriteOriginList,
  secFetchSite,
} from '../rewriter/headers.js';

const SELF = 'https://aaaa.content.example';
const ctx: CspContext = {
  mapOrigin: (origin) =>
    origin === 'https://shop.example'
      ? SELF
      : `https://x-${new URL(origin).hostname.replace(/\./g, '-')}.content.example`,
  page: new URL('https://shop.example/cart'),
  self: SELF,
  anyContentHost: 'https://*.content.example',
  anyContentSocket: 'wss://*.content.example',
  secure: true,
  nonce: 'N0NCE',
};
const directives = (policy: string) =>
  new Map(
    policy.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );

describe('rewriting the site’s Content-Security-Policy', () => {
  it('maps host sources onto content hosts, keeping paths, keywords and kept schemes', () => {
    const out = directives(
      rewriteCsp(
        "img-src 'self' https://cdn.example/img/ data: cdn2.example:8443; style-src 'unsafe-inline' https:",
        ctx,
      ),
    );
    assert.deepEqual(out.get('img-src'), [
      "'self'",
      'https://x-cdn-example.content.example/img/',
      'data:',
      'https://x-cdn2-example.content.example',
    ]);
    assert.deepEqual(out.get('style-src'), ["'unsafe-inline'", 'https://*.content.example']);
  });

  it('maps wildcards and socket sources to every content host', () => {
    const out = directives(rewriteCsp('connect-src *.api.example wss://live.example ws:', ctx));
    assert.deepEqual(out.get('connect-src'), [
      'https://*.content.example',
      'wss://x-live-example.content.example',
      'wss://*.content.example',
      `${SELF}/__tandem/`,
    ]);
  });

  it('lets the runtime run: a nonce where the list uses nonces, its path where it relies on unsafe-inline', () => {
    const strict = directives(rewriteCsp("script-src 'nonce-abc' 'strict-dynamic'", ctx));
    assert.deepEqual(strict.get('script-src'), [
      "'nonce-abc'",
      "'strict-dynamic'",
      `${SELF}/__tandem/`,
      "'nonce-N0NCE'",
    ]);
    const loose = directives(rewriteCsp("script-src 'self' 'unsafe-inline'", ctx));
    assert.deepEqual(
      loose.get('script-src'),
      ["'self'", "'unsafe-inline'", `${SELF}/__tandem/`],
      'no nonce: it would disable unsafe-inline',
    );
    const none = directives(rewriteCsp("default-src 'none'", ctx));
    assert.deepEqual(none.get('default-src'), [`${SELF}/__tandem/`]);
  });

  it('drops framing and reporting, keeps the rest, and handles several policies', () => {
    const out = rewriteCsp(
      "frame-ancestors 'none'; sandbox allow-forms; report-uri /r, report-to g; img-src 'self'",
      ctx,
    );
    assert.equal(out, "sandbox allow-forms, img-src 'self'");
    const insecure = rewriteCsp('upgrade-insecure-requests; img-src *', { ...ctx, secure: false });
    assert.equal(insecure, 'img-src *');
  });

  it('lets the runtime’s overlay policy into a Trusted Types list, and keeps the requirement', () => {
    assert.equal(
      rewriteCsp("require-trusted-types-for 'script'; trusted-types app 'allow-duplicates'", ctx),
      `require-trusted-types-for 'script'; trusted-types app 'allow-duplicates' ${RUNTIME_TRUSTED_TYPES_POLICY}`,
    );
    assert.equal(
      rewriteCsp("trusted-types 'none'", ctx),
      `trusted-types ${RUNTIME_TRUSTED_TYPES_POLICY}`,
      "'none' lets in no policy of the page's, only the runtime's",
    );
    assert.equal(rewriteCsp("require-trusted-types-for 'script'", ctx), "require-trusted-types-for 'script'");
  });

  it('never throws on junk', () => {
    for (const junk of [
      '',
      ';;;',
      'img-src http://[::1',
      'img-src %%%',
      "script-src 'nonce-",
      ',,',
      'img-src ::::',
    ]) {
      assert.equal(typeof rewriteCsp(junk, ctx), 'string');
    }
  });
});

describe('Link and Sec-Fetch-Site', () => {
  it('maps each Link target and leaves relative ones', () => {
    const map = (u: URL) => `https://m.content.example${u.pathname}`;
    assert.equal(
      rewriteLinkHeader(
        '<https://cdn.example/a.css>; rel=preload; as=style, </b.js>; rel=modulepreload',
        new URL('https://shop.example/'),
        map,
      ),
      '<https://m.content.example/a.css>; rel=preload; as=style, </b.js>; rel=modulepreload',
    );
  });

  it('computes the site relation from the real URLs', () => {
    const target = new URL('https://www.shop.example/api');
    assert.equal(secFetchSite(target, new URL('https://www.shop.example/'), 'same-origin'), 'same-origin');
    assert.equal(secFetchSite(target, new URL('https://static.shop.example/'), 'same-site'), 'same-site');
    assert.equal(secFetchSite(target, new URL('https://other.example/'), 'same-site'), 'cross-site');
    assert.equal(secFetchSite(target, null, 'none'), 'none');
  });
});

describe('origins in CORS headers and inline scripts under a site policy', () => {
  it('maps every origin of an origin list and keeps *, null and junk', () => {
    const mapOrigin = (origin: string) => `https://m-${new URL(origin).port || 'd'}.content.example`;
    assert.equal(
      rewriteOriginList('https://shop.example, http://cdn.example:8080/ignored', mapOrigin),
      'https://m-d.content.example, https://m-8080.content.example',
    );
    for (const kept of ['*', 'null', 'https://', 'ftp://x.example']) {
      assert.equal(rewriteOriginList(kept, mapOrigin), kept);
    }
  });

  it('tells whether an inline script Tandem adds may run', () => {
    assert.equal(inlineScriptAllowed(undefined, ''), true);
    assert.equal(inlineScriptAllowed("img-src 'self'", ''), true, 'no script directive');
    assert.equal(inlineScriptAllowed("script-src 'self' 'unsafe-inline'", ''), true);
    assert.equal(inlineScriptAllowed("default-src 'self'", ''), false);
    assert.equal(inlineScriptAllowed("script-src 'nonce-a' 'unsafe-inline'", ''), false);
    assert.equal(inlineScriptAllowed("script-src 'nonce-a'", 'N'), true);
    assert.equal(
      inlineScriptAllowed("script-src 'unsafe-inline'; script-src-elem 'self'", ''),
      false,
      'script-src-elem decides for elements',
    );
    assert.equal(
      inlineScriptAllowed("script-src 'unsafe-inline', default-src 'self'", ''),
      false,
      'every policy must allow it',
    );
  });
});
