import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rewriteCss } from '../rewriter/css.js';
import { type CspContext, rewriteCsp, rewriteLinkHeader } from '../rewriter/headers.js';
import { rewriteHtml } from '../rewriter/html.js';
import { rewriteSrcset, rewriteUrl, type UrlMapper } from '../rewriter/url.js';
import { toProxyUrl } from '../runtime/url-map.js';

const CONTENT = '.content.example';
const base = new URL('https://shop.example/dir/page.html');
/** Every origin gets a content host named after it, so a mapped URL is recognisable. */
const map: UrlMapper = (u) =>
  `https://h${u.host.replace(/[^a-z0-9]/gi, '-')}${CONTENT}${u.pathname}${u.search}${u.hash}`;

/** Whether a URL the browser would resolve here still leads somewhere other than a content host. */
function escapes(raw: string): boolean {
  const input = raw.trim().replace(/[\t\n\r]/g, '');
  let url: URL;
  try {
    url = new URL(input, 'https://h0.content.example/');
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return !url.hostname.endsWith(CONTENT);
}

const host = fc.constantFrom(
  'shop.example',
  'cdn.example',
  'a.b.example:8443',
  '127.0.0.1:81',
  '[::1]:9',
  'xn--bcher-kva.example',
);
const pathPart = fc.stringMatching(/^[a-zA-Z0-9/._~%!$&'()*+,;=:@?#é -]{0,30}$/);
/** Absolute, protocol-relative, backslashed and oddly spaced URLs, and plain junk. */
const urlLike = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('http://', 'https://', 'HTTPS://', '//', '\\\\', ' https:\t//', 'https:/\\'),
      host,
      pathPart,
    )
    .map(([scheme, h, p]) => `${scheme}${h}/${p}`),
  pathPart,
  fc.string(),
);

/** URLs with nothing that ends a CSS token or a srcset candidate (quotes, parentheses, spaces, commas). */
const plainUrl = fc
  .tuple(
    fc.constantFrom('http://', 'https://', '//', 'HTTP://'),
    host,
    fc.stringMatching(/^[a-zA-Z0-9/._~%!$&*+;=:@?#-]{0,30}$/),
  )
  .map(([scheme, h, p]) => `${scheme}${h}/${p}`);

describe('rewriters, property-based: no input crashes them and no URL escapes the proxy', () => {
  it('rewriteUrl', () => {
    fc.assert(
      fc.property(urlLike, (raw) => {
        const out = rewriteUrl(raw, base, map);
        assert.equal(typeof out, 'string');
        assert.equal(escapes(out), false, `${JSON.stringify(raw)} → ${JSON.stringify(out)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('rewriteSrcset', () => {
    // Candidates are separated by a comma after whitespace or a descriptor; "a,b" is one URL.
    const candidate = fc
      .tuple(plainUrl, fc.constantFrom(' 1x', ' 2x', ' 300w', ' (a,b) 1x'))
      .map(([u, d]) => `${u}${d}`);
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 5 }),
        fc.constantFrom(', ', ',', ' , '),
        (candidates, sep) => {
          const out = rewriteSrcset(candidates.join(sep), base, map);
          for (const c of out.split(/,\s+|,(?=\S)/)) {
            const url = c.trim().split(/\s+/)[0] ?? '';
            if (/^(https?:)?[/\\]{2}/i.test(url.replace(/^\s+/, '')))
              assert.equal(escapes(url), false, `${out}`);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rewriteCss', () => {
    const css = fc
      .tuple(plainUrl, fc.constantFrom('"', "'", ''))
      .map(([u, q]) => `a{background:url(${q}${u}${q})}@import ${q || '"'}${u}${q || '"'};`);
    fc.assert(
      fc.property(fc.oneof(css, fc.string()), (text) => {
        const out = rewriteCss(text, base, map);
        for (const m of out.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)|@import\s+(["'])([^"']*)\3/g)) {
          const url = m[2] ?? m[4] ?? '';
          if (/^\s*(https?:)?[/\\]{2}/i.test(url)) assert.equal(escapes(url), false, out);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('rewriteHtml never throws and leaves no absolute link pointing away', () => {
    const tag = fc
      .tuple(
        fc.constantFrom('a href', 'img src', 'link href', 'form action', 'iframe src', 'video poster'),
        urlLike,
      )
      .map(([t, u]) => `<${t}="${u.replace(/"/g, '&quot;')}">`);
    fc.assert(
      fc.property(fc.array(fc.oneof(tag, fc.string()), { maxLength: 8 }), (parts) => {
        const html = parts.join('');
        const out = rewriteHtml(html, { base, map, headInject: '<script src="/__tandem/r.js"></script>' });
        assert.ok(out.includes('<script src="/__tandem/r.js"></script>'), 'the runtime is always injected');
        // Past stray markup or an <iframe> (whose content is raw text), a tag is not what it seems.
        const generated = /^<(a|img|link|form|video) /;
        if (parts.some((p) => p.includes('<') && !generated.test(p))) return;
        for (const m of out.matchAll(/ (?:href|src|action|poster)="([^"]*)"/g)) {
          const value = (m[1] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
          assert.equal(escapes(value), false, out);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('with import maps wanted, rewriteHtml never throws and import maps send modules only to content hosts', () => {
    const script = fc
      .tuple(
        fc.constantFrom('', ' type="module"', ' type="importmap"', ' type="text/javascript"'),
        fc.oneof(
          urlLike.map((u) => `import(${JSON.stringify(u)})`),
          fc.constant('{"imports": {"x": "https://cdn.example/x.js", "https://cdn.example/": "/c/"}}'),
          fc.string(),
        ),
      )
      .map(([type, text]) => `<script${type}>${text.replace(/</g, '')}</script>`);
    const link = urlLike.map((u) => `<link rel="modulepreload" href="${u.replace(/"/g, '&quot;')}">`);
    fc.assert(
      fc.property(fc.array(fc.oneof(script, link, fc.string()), { maxLength: 6 }), (parts) => {
        const out = rewriteHtml(parts.join(''), {
          base,
          map,
          headInject: '<script src="/__tandem/r.js"></script>',
          importMap: { nonce: '' },
        });
        // Past stray markup a generated tag may not be what it seems.
        if (parts.some((p) => p.includes('<') && !/^<(script|link)[ >]/.test(p))) return;
        const usesModules = parts.some(
          (p) =>
            /^<script type="module"|^<link rel="modulepreload"|^<script type="importmap">\{"imports"/.test(
              p,
            ) ||
            (/^<script( type="text\/javascript")?>/.test(p) && /import\s*\(/.test(p)),
        );
        let ownOrigin = false;
        for (const [, json] of out.matchAll(/<script type="importmap">(.*?)<\/script>/g)) {
          let imports: unknown;
          try {
            imports = (JSON.parse(json as string) as { imports?: unknown }).imports;
          } catch {
            continue;
          }
          if (typeof imports !== 'object' || imports === null) continue;
          for (const [key, value] of Object.entries(imports)) {
            if (key === `${base.origin}/`) ownOrigin = true;
            if (typeof value === 'string') assert.equal(escapes(value), false, out);
          }
        }
        if (usesModules) assert.ok(ownOrigin, out);
      }),
      { numRuns: 500 },
    );
  });

  it('rewriteCsp and rewriteLinkHeader never throw, and map every host source', () => {
    const ctx: CspContext = {
      mapOrigin: (origin) => `https://h${origin.length}${CONTENT}`,
      page: base,
      self: `https://h0${CONTENT}`,
      anyContentHost: `https://*${CONTENT}`,
      anyContentSocket: `wss://*${CONTENT}`,
      secure: true,
      nonce: 'n',
    };
    fc.assert(
      fc.property(fc.string(), fc.array(host, { maxLength: 4 }), (junk, hosts) => {
        const out = rewriteCsp(`img-src ${hosts.join(' ')}; ${junk}`, ctx);
        const img = out.split(/[;,]/).find((d) => d.trim().startsWith('img-src')) ?? '';
        for (const h of hosts) assert.ok(!img.includes(` ${h}`) && !img.includes(`//${h}`), `${h} in ${out}`);
        assert.equal(typeof rewriteLinkHeader(junk, base, map), 'string');
      }),
      { numRuns: 1000 },
    );
  });

  it('the runtime’s URL mapping', () => {
    const ctx = {
      pageOrigin: `https://h0${CONTENT}`,
      upstreamOrigin: 'https://shop.example',
      contentSuffix: CONTENT,
      lookup: (origin: string) => `https://h${origin.length}${CONTENT}`,
    };
    fc.assert(
      fc.property(urlLike, (raw) => {
        const out = toProxyUrl(raw, `https://h0${CONTENT}/page`, ctx);
        assert.equal(escapes(out), false, `${JSON.stringify(raw)} → ${JSON.stringify(out)}`);
      }),
      { numRuns: 2000 },
    );
  });
});
