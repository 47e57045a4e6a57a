import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { contentOrigin, LABEL_LENGTH, labelFromHost, newLabel } from '../rewriter/content-host.js';
import { rewriteCss } from '../rewriter/css.js';
import type { CspContext } from '../rewriter/headers.js';
import { rewriteHtml } from '../rewriter/html.js';
import {
  type OriginMemo,
  rewriteMetaRefresh,
  rewriteSrcset,
  rewriteUrl,
  type UrlMapper,
} from '../rewriter/url.js';

// Keeps scheme and host visible in the result so tests can tell which origin a URL was mapped from.
const map: UrlMapper = (url) =>
  `http://${url.protocol.slice(0, -1)}--${url.host.replace(/[.:]/g, '-')}.c.test${url.pathname}${url.search}${url.hash}`;

const base = new URL('https://shop.example/dir/page.html');
const INJECT = '<script src="/__tandem/runtime.js"></script>';
const html = (text: string): string => rewriteHtml(text, { base, map, headInject: INJECT });

describe('rewriter/url', () => {
  describe('rewriteUrl', () => {
    it('leaves relative URLs untouched, byte for byte', () => {
      for (const raw of ['img.png', '/a/b', '?q=1', '#x', '', ' /a ', '../up', 'dir/file.css?v=1#frag']) {
        assert.equal(rewriteUrl(raw, base, map), raw);
      }
    });

    it('maps absolute http and https URLs, keeping path, query and fragment', () => {
      assert.equal(
        rewriteUrl('https://cdn.example/a.png?x=1#h', base, map),
        'http://https--cdn-example.c.test/a.png?x=1#h',
      );
      assert.equal(
        rewriteUrl('http://cdn.example:8081/', base, map),
        'http://http--cdn-example-8081.c.test/',
      );
      assert.equal(rewriteUrl('HTTPS://CDN.example/A', base, map), 'http://https--cdn-example.c.test/A');
    });

    it('maps protocol-relative URLs with the scheme of the base', () => {
      assert.equal(rewriteUrl('//cdn.example/x.js', base, map), 'http://https--cdn-example.c.test/x.js');
      const httpBase = new URL('http://shop.example/');
      assert.equal(rewriteUrl('//cdn.example/x.js', httpBase, map), 'http://http--cdn-example.c.test/x.js');
      // Browsers read backslashes as slashes in http(s) URLs.
      assert.equal(rewriteUrl('\\\\cdn.example/x.js', base, map), 'http://https--cdn-example.c.test/x.js');
    });

    it('judges the URL the way the browser parses it', () => {
      assert.equal(rewriteUrl('  https://cdn.example/x\n', base, map), 'http://https--cdn-example.c.test/x');
      assert.equal(rewriteUrl('ht\ttps://cdn.example/x', base, map), 'http://https--cdn-example.c.test/x');
      // A scheme without slashes on a same-scheme base is relative to the base path.
      assert.equal(rewriteUrl('https:foo', base, map), 'http://https--shop-example.c.test/dir/foo');
      // So is one with a single slash, to the base's root; on another scheme's base, slashes are optional.
      assert.equal(rewriteUrl('https:/foo/bar', base, map), 'http://https--shop-example.c.test/foo/bar');
      assert.equal(rewriteUrl('http:/foo/bar', base, map), 'http://http--foo.c.test/bar');
      assert.equal(rewriteUrl('https:/\\cdn.example/x', base, map), 'http://https--cdn-example.c.test/x');
    });

    it('maps every URL the same with a memo of origins as without, invalid ones included', () => {
      const memo: OriginMemo = new Map();
      const urls = [
        'https://cdn.example/a.png?x=1',
        'https://cdn.example/b.png#h',
        'https://cdn.example',
        'https://cdn.example?q',
        '//cdn.example/c.js',
        'HTTPS://CDN.example/A',
        'https://user:pw@cdn.example/d',
        'http://exa mple.com/',
        'http://exa mple.com/other',
        'https:/foo/bar',
        'javascript:alert(1)',
        'img.png',
      ];
      for (const round of [1, 2]) {
        for (const raw of urls)
          assert.equal(
            rewriteUrl(raw, base, map, memo),
            rewriteUrl(raw, base, map),
            `${raw}, round ${round}`,
          );
      }
      assert.equal(memo.get('https://cdn.example'), 'http://https--cdn-example.c.test');
      assert.equal(memo.get('http://exa mple.com'), null);
    });

    it('leaves other schemes and invalid URLs untouched', () => {
      for (const raw of [
        'data:image/png;base64,AAAA',
        'blob:https://shop.example/1234',
        'javascript:alert(1)',
        'mailto:a@b.example',
        'tel:+123',
        'about:blank',
        'http://exa mple.com/',
        'https://[::1/',
      ]) {
        assert.equal(rewriteUrl(raw, base, map), raw);
      }
    });
  });

  describe('rewriteSrcset', () => {
    it('rewrites each absolute candidate and keeps descriptors and relative candidates', () => {
      assert.equal(
        rewriteSrcset('a.png 1x, https://cdn.example/b.png 2x', base, map),
        'a.png 1x, http://https--cdn-example.c.test/b.png 2x',
      );
      assert.equal(
        rewriteSrcset('https://cdn.example/s.jpg 480w,\n  //cdn.example/l.jpg 1080w', base, map),
        'http://https--cdn-example.c.test/s.jpg 480w,\n  http://https--cdn-example.c.test/l.jpg 1080w',
      );
    });

    it('does not split inside URLs that contain commas', () => {
      assert.equal(
        rewriteSrcset('data:image/png;base64,AA,BB 1x, https://cdn.example/a.png?v=1,2 2x', base, map),
        'data:image/png;base64,AA,BB 1x, http://https--cdn-example.c.test/a.png?v=1,2 2x',
      );
    });

    it('treats a URL ending in a comma as a whole candidate', () => {
      assert.equal(
        rewriteSrcset('https://cdn.example/a.png,b.png 2x', base, map),
        'http://https--cdn-example.c.test/a.png,b.png 2x',
      );
    });

    it('returns the same string when nothing is absolute', () => {
      const value = ' a.png 1x ,b.png 2x ';
      assert.equal(rewriteSrcset(value, base, map), value);
    });
  });

  describe('rewriteMetaRefresh', () => {
    it('rewrites the url= part and keeps the rest', () => {
      assert.equal(
        rewriteMetaRefresh('5; url=http://x.example/a', base, map),
        '5; url=http://http--x-example.c.test/a',
      );
      assert.equal(
        rewriteMetaRefresh("0;URL='https://x.example/b'", base, map),
        "0;URL='http://https--x-example.c.test/b'",
      );
      assert.equal(
        rewriteMetaRefresh('1, https://x.example/c', base, map),
        '1, http://https--x-example.c.test/c',
      );
    });

    it('leaves relative, missing and malformed targets untouched', () => {
      for (const content of [
        '3',
        '5; url=/relative',
        'url=http://x.example/',
        '',
        '5x; url=http://x.example/',
      ]) {
        assert.equal(rewriteMetaRefresh(content, base, map), content);
      }
    });
  });
});

describe('rewriter/css', () => {
  it('rewrites url() in every quoting style and keeps the quotes', () => {
    const css =
      'a{background:url(https://cdn.example/1.png)}' +
      "b{background:url( 'https://cdn.example/2.png' )}" +
      'c{background:URL("//cdn.example/3.png")}' +
      'd{background:url(\n  https://cdn.example/4.png  \n)}';
    assert.equal(
      rewriteCss(css, base, map),
      'a{background:url(http://https--cdn-example.c.test/1.png)}' +
        "b{background:url( 'http://https--cdn-example.c.test/2.png' )}" +
        'c{background:URL("http://https--cdn-example.c.test/3.png")}' +
        'd{background:url(\n  http://https--cdn-example.c.test/4.png  \n)}',
    );
  });

  it('rewrites @import in string and url() forms', () => {
    assert.equal(
      rewriteCss(
        '@import "https://cdn.example/a.css";\n@import \'//cdn.example/b.css\' screen;\n@import url(https://cdn.example/c.css);',
        base,
        map,
      ),
      '@import "http://https--cdn-example.c.test/a.css";\n@import \'http://https--cdn-example.c.test/b.css\' screen;\n' +
        '@import url(http://https--cdn-example.c.test/c.css);',
    );
  });

  it('leaves relative URLs, comments, plain strings and @namespace untouched', () => {
    const css =
      '@import "local.css";\n' +
      '@namespace svg url(http://www.w3.org/2000/svg);\n' +
      '/* background: url(https://cdn.example/commented.png); @import "https://cdn.example/x.css"; */\n' +
      'a::before{content:"https://cdn.example/not-a-url"; background:url(img/bg.png)}\n' +
      'b{background:url(data:image/svg+xml;utf8,<svg></svg>)}';
    assert.equal(rewriteCss(css, base, map), css);
  });

  it('rewrites the strings of image-set()', () => {
    assert.equal(
      rewriteCss('a{background:image-set("https://cdn.example/1x.png" 1x, "2x.png" 2x)}', base, map),
      'a{background:image-set("http://https--cdn-example.c.test/1x.png" 1x, "2x.png" 2x)}',
    );
  });

  it('decodes CSS escapes and escapes what the rewritten URL needs', () => {
    assert.equal(
      rewriteCss('a{background:url(https://cdn.example/a\\(1\\).png)}', base, map),
      'a{background:url(http://https--cdn-example.c.test/a\\28 1\\29 .png)}',
    );
  });
});

describe('rewriter/html', () => {
  it('empties the integrity of style sheets, whose URLs it rewrites, and keeps that of scripts', () => {
    const out = html(
      '<link integrity="sha384-abc" rel="stylesheet" href="/a.css">' +
        '<link rel=preload as=style href=/b.css integrity=sha384-def>' +
        '<link rel="icon" href="/i.png" integrity="sha384-ghi">' +
        '<script src="/s.js" integrity="sha384-jkl"></script>',
    );
    assert.match(out, /<link integrity="" rel="stylesheet" href="\/a.css">/);
    assert.match(out, /<link rel=preload as=style href=\/b.css integrity="">/);
    assert.match(out, /integrity="sha384-ghi"/);
    assert.match(out, /integrity="sha384-jkl"/);
  });

  it('rewrites a policy in a meta tag as the header would be, and leaves other meta content alone', () => {
    const csp: CspContext = {
      mapOrigin: (origin) => `http://${origin.replace(/[.:/]+/g, '-')}.c.test`,
      page: base,
      self: 'http://https-shop-example.c.test',
      anyContentHost: 'http://*.c.test',
      anyContentSocket: 'ws://*.c.test',
      secure: false,
      nonce: '',
    };
    const out = rewriteHtml(
      `<meta http-equiv="Content-Security-Policy" content="img-src 'self' https://cdn.example; trusted-types app">` +
        '<meta name="description" content="https://cdn.example is our CDN">',
      { base, map, headInject: INJECT, csp },
    );
    assert.match(
      out,
      /content="img-src 'self' http:\/\/https-cdn-example\.c\.test; trusted-types app tandem-overlay"/,
    );
    assert.match(out, /<meta name="description" content="https:\/\/cdn\.example is our CDN">/);
    assert.match(
      html('<meta http-equiv=content-security-policy content="img-src https://cdn.example">'),
      /img-src https:\/\/cdn\.example/,
      'without a context it is left as it is',
    );
  });

  it('maps an import map’s addresses and scopes, keeping its specifiers, and the manifest', () => {
    const importMap = JSON.stringify({
      imports: { vue: 'https://cdn.example/vue.js', app: './app.js', 'https://cdn.example/x.js': '/x.js' },
      scopes: { 'https://cdn.example/': { dep: 'https://cdn.example/dep.js?v=</script>' } },
    }).replace('</script>', '<\\/script>');
    const out = html(
      `<html manifest="https://shop.example/app.appcache"><script type="ImportMap">${importMap}</script>`,
    );
    assert.match(out, /<html manifest="http:\/\/https--shop-example\.c\.test\/app\.appcache">/);
    const json = /<script type="ImportMap">(.*)<\/script>/.exec(out)?.[1] ?? '';
    assert.ok(!json.includes('</script>'), 'a closing tag inside a value is escaped');
    assert.deepEqual(JSON.parse(json), {
      imports: {
        vue: 'http://https--cdn-example.c.test/vue.js',
        app: './app.js',
        'https://cdn.example/x.js': '/x.js',
      },
      scopes: {
        'http://https--cdn-example.c.test/': { dep: 'http://https--cdn-example.c.test/dep.js?v=</script>' },
      },
    });
    const broken = '<script type="importmap">{ not json</script>';
    assert.equal(html(broken), `${INJECT}${broken}`, 'a map the browser would ignore is left as it is');
  });

  describe('absolute module URLs', () => {
    const withMap = (text: string, nonce = '') =>
      rewriteHtml(text, { base, map, headInject: INJECT, importMap: { nonce } });
    const maps = (out: string) =>
      [...out.matchAll(/<script type="importmap"[^>]*>(.*?)<\/script>/gi)].map(
        (m) => JSON.parse(m[1] as string) as { imports: Record<string, string> },
      );

    it('injects a map after the runtime for the page’s origin, the origins it names and those in script text', () => {
      const out = withMap(
        '<head><script type="module" src="https://cdn.example/app.js"></script></head>' +
          '<script>import("http://api.example:8080/m.js")</script>' +
          '<script type="application/ld+json">{"@context": "https://schema.example"}</script>',
        'N1',
      );
      assert.ok(out.startsWith(`<head>${INJECT}<script type="importmap" nonce="N1">`), out);
      assert.deepEqual(maps(out), [
        {
          imports: {
            'https://shop.example/': 'http://https--shop-example.c.test/',
            'https://cdn.example/': 'http://https--cdn-example.c.test/',
            'http://api.example:8080/': 'http://http--api-example-8080.c.test/',
          },
        },
      ]);
    });

    it('adds the entries to the page’s first map, keeping the page’s own for the same key', () => {
      const page =
        '<script type="importmap">{"imports": {"lib": "https://cdn.example/lib.js", "https://shop.example/": "/v2/"}}</script>' +
        '<script type="module">import "lib"</script>';
      const out = withMap(page);
      assert.deepEqual(maps(out), [
        {
          imports: {
            lib: 'http://https--cdn-example.c.test/lib.js',
            'https://shop.example/': '/v2/',
            'https://cdn.example/': 'http://https--cdn-example.c.test/',
          },
        },
      ]);
    });

    it('injects its own map when the page’s comes after a module script or is not JSON', () => {
      const late =
        '<link rel="modulepreload" href="/m.js"><script type="importmap">{"imports": {"x": "/x.js"}}</script>';
      assert.equal(maps(withMap(late)).length, 2, 'the page’s later map stays its own');
      assert.match(withMap(late), /<script type="importmap">\{"imports": \{"x": "\/x\.js"\}\}<\/script>$/);
      const broken = '<script type="importmap">{ not json</script><script type="module"></script>';
      const out = withMap(broken);
      assert.ok(out.endsWith(broken), 'a map the browser ignores is left as it is');
      assert.deepEqual(maps(out.slice(0, -broken.length)), [
        { imports: { 'https://shop.example/': 'http://https--shop-example.c.test/' } },
      ]);
    });

    it('adds nothing without the option, or to a document that shows no sign of modules', () => {
      const page = '<script src="https://cdn.example/app.js"></script><p>x</p>';
      assert.equal(maps(html(page)).length, 0);
      assert.equal(maps(withMap(page)).length, 0);
      assert.equal(maps(withMap(`${page}<script>import ( "/m.js" )</script>`)).length, 1);
    });
  });

  it('injects right after <head>, also when it has attributes', () => {
    assert.equal(
      html('<!doctype html><html><head><title>t</title></head><body></body></html>'),
      `<!doctype html><html><head>${INJECT}<title>t</title></head><body></body></html>`,
    );
    assert.equal(
      html('<HTML lang="en">\n<Head data-x="1"\n  class=a>\n<meta charset="utf-8">'),
      `<HTML lang="en">\n<Head data-x="1"\n  class=a>${INJECT}\n<meta charset="utf-8">`,
    );
  });

  it('injects before the first element when there is no <head>', () => {
    assert.equal(html('<html><body><p>x</p></body></html>'), `<html>${INJECT}<body><p>x</p></body></html>`);
    assert.equal(html('<script>var a = 1;</script>'), `${INJECT}<script>var a = 1;</script>`);
    assert.equal(html('<p>hi'), `${INJECT}<p>hi`);
  });

  it('injects after a doctype and comments that precede <html>', () => {
    assert.equal(
      html('<!DOCTYPE html>\n<!-- build 42 -->\n<html>\n<body>hi</body></html>'),
      `<!DOCTYPE html>\n<!-- build 42 -->\n<html>\n${INJECT}<body>hi</body></html>`,
    );
    assert.equal(
      html('<!doctype html><!-- c --><html lang="en"><head><title>t</title>'),
      `<!doctype html><!-- c --><html lang="en"><head>${INJECT}<title>t</title>`,
    );
  });

  it('still injects into bare text and empty documents', () => {
    assert.equal(html('hello'), `${INJECT}hello`);
    assert.equal(html(''), INJECT);
    assert.equal(html('<!doctype html>'), `<!doctype html>${INJECT}`);
    assert.equal(html('\uFEFFhello'), `\uFEFF${INJECT}hello`);
  });

  it('keeps every byte when only the injection applies', () => {
    const page =
      '<!DOCTYPE html>\r\n<html>\r\n<HEAD>\r\n<link rel=stylesheet href=style.css>\r\n' +
      "<style>a { background: url('img/a.png') }</style>\r\n</HEAD>\r\n" +
      '<body class=\'x\' style="color: red">\r\n<a href=\'/about\' ping="/ping">About &amp; more</a>\r\n' +
      '<img src="logo.svg" srcset="logo.svg 1x, logo@2x.svg 2x" alt="A &quot;logo&quot;">\r\n' +
      '<form action=?q=1><button formaction="#x">Go</button></form>\r\n' +
      '<a href="mailto:a@b.example">mail</a><a href="javascript:void(0)">js</a>\r\n</body>\r\n</html>\r\n';
    const head = '<HEAD>';
    const at = page.indexOf(head) + head.length;
    assert.equal(html(page), page.slice(0, at) + INJECT + page.slice(at));
  });

  it('rewrites absolute URL attributes on every element that loads one', () => {
    const cases: Array<[string, string]> = [
      ['<a href="https://cdn.example/a">', '<a href="http://https--cdn-example.c.test/a">'],
      ['<area href="https://cdn.example/a">', '<area href="http://https--cdn-example.c.test/a">'],
      [
        '<link rel="icon" href="//cdn.example/f.ico">',
        '<link rel="icon" href="http://https--cdn-example.c.test/f.ico">',
      ],
      ['<img src="https://cdn.example/i.png">', '<img src="http://https--cdn-example.c.test/i.png">'],
      [
        '<script src="https://cdn.example/s.js"></script>',
        '<script src="http://https--cdn-example.c.test/s.js"></script>',
      ],
      [
        '<iframe src="https://other.example/"></iframe>',
        '<iframe src="http://https--other-example.c.test/"></iframe>',
      ],
      [
        '<video poster="https://cdn.example/p.jpg">',
        '<video poster="http://https--cdn-example.c.test/p.jpg">',
      ],
      ['<source src="https://cdn.example/v.mp4">', '<source src="http://https--cdn-example.c.test/v.mp4">'],
      ['<form action="https://shop.example/buy">', '<form action="http://https--shop-example.c.test/buy">'],
      [
        '<button formaction="https://shop.example/b">',
        '<button formaction="http://https--shop-example.c.test/b">',
      ],
      ['<object data="https://cdn.example/o.swf">', '<object data="http://https--cdn-example.c.test/o.swf">'],
      [
        '<table background="https://cdn.example/t.png">',
        '<table background="http://https--cdn-example.c.test/t.png">',
      ],
      ['<blockquote cite="https://q.example/">', '<blockquote cite="http://https--q-example.c.test/">'],
      ['<a ping="https://t.example/p /local">', '<a ping="http://https--t-example.c.test/p /local">'],
      [
        '<img srcset="a.png 1x, https://cdn.example/b.png 2x">',
        '<img srcset="a.png 1x, http://https--cdn-example.c.test/b.png 2x">',
      ],
      [
        '<link rel="preload" as="image" imagesrcset="https://cdn.example/p.png 1x">',
        '<link rel="preload" as="image" imagesrcset="http://https--cdn-example.c.test/p.png 1x">',
      ],
      [
        '<meta http-equiv="Refresh" content="5; url=https://x.example/next">',
        '<meta http-equiv="Refresh" content="5; url=http://https--x-example.c.test/next">',
      ],
    ];
    for (const [input, expected] of cases) {
      assert.equal(html(`<body>${input}`), `${INJECT}<body>${expected}`, input);
    }
  });

  it('does not rewrite attributes that do not load anything', () => {
    const page = '<body><div data-url="https://cdn.example/x" title="https://cdn.example/y"></div>';
    assert.equal(html(page), INJECT + page);
  });

  it('decodes entities to compute the URL and writes the value back escaped in double quotes', () => {
    assert.equal(
      html('<body><a href="https://cdn.example/?a=1&amp;b=2">x</a>'),
      `${INJECT}<body><a href="http://https--cdn-example.c.test/?a=1&amp;b=2">x</a>`,
    );
    assert.equal(
      html("<body><a href='https://cdn.example/x' class=y>x</a>"),
      `${INJECT}<body><a href="http://https--cdn-example.c.test/x" class=y>x</a>`,
    );
    assert.equal(
      html('<body><a href=https://cdn.example/x?a&amp;b>x</a>'),
      `${INJECT}<body><a href="http://https--cdn-example.c.test/x?a&amp;b">x</a>`,
    );
    assert.equal(
      html('<body><a href = "&#104;ttps://cdn.example/e">x</a>'),
      `${INJECT}<body><a href = "http://https--cdn-example.c.test/e">x</a>`,
    );
  });

  it('resolves later URLs against the first <base href>', () => {
    assert.equal(
      html(
        '<head><base href="http://cdn.example/sub/"><base href="https://ignored.example/"></head><img src="//img.example/a.png">',
      ),
      `<head>${INJECT}<base href="http://http--cdn-example.c.test/sub/"><base href="http://https--ignored-example.c.test/"></head>` +
        '<img src="http://http--img-example.c.test/a.png">',
    );
  });

  it('rewrites inline style attributes and keeps quotes valid', () => {
    assert.equal(
      html(`<body><div style="background: url('https://cdn.example/bg.png') no-repeat">`),
      `${INJECT}<body><div style="background: url('http://https--cdn-example.c.test/bg.png') no-repeat">`,
    );
    assert.equal(
      html(`<body><div style='background:url("https://cdn.example/bg.png")'>`),
      `${INJECT}<body><div style="background:url(&quot;http://https--cdn-example.c.test/bg.png&quot;)">`,
    );
  });

  it('rewrites <style> elements, including @import and skipping comments', () => {
    assert.equal(
      html(
        '<head><style>@import "https://cdn.example/a.css";\n/* url(https://cdn.example/c.png) */' +
          '.a{background:url(https://cdn.example/b.png)}</style></head>',
      ),
      `<head>${INJECT}<style>@import "http://https--cdn-example.c.test/a.css";\n/* url(https://cdn.example/c.png) */` +
        '.a{background:url(http://https--cdn-example.c.test/b.png)}</style></head>',
    );
    assert.equal(
      html('<style>a{background:url(https://cdn.example/x.png)}'),
      `${INJECT}<style>a{background:url(http://https--cdn-example.c.test/x.png)}`,
    );
  });

  it('leaves script and template contents alone but rewrites the script tag', () => {
    const script = `<script>var t = "<img src='https://cdn.example/in-script.png'>";</script>`;
    const template =
      '<template><img src="https://cdn.example/in-template.png"><template></template></template>';
    assert.equal(
      html(
        `<body><script src="https://cdn.example/app.js"></script>${script}${template}<img src="https://cdn.example/o.png">`,
      ),
      `${INJECT}<body><script src="http://https--cdn-example.c.test/app.js"></script>${script}${template}` +
        '<img src="http://https--cdn-example.c.test/o.png">',
    );
  });

  it('leaves SVG fragment references untouched and maps absolute ones', () => {
    assert.equal(
      html(
        '<body><svg><use href="#icon"/><use xlink:href="#icon2"/>' +
          '<use xlink:href="https://cdn.example/sprite.svg#a"/><image href="https://cdn.example/i.png"/></svg>',
      ),
      `${INJECT}<body><svg><use href="#icon"/><use xlink:href="#icon2"/>` +
        '<use xlink:href="http://https--cdn-example.c.test/sprite.svg#a"/>' +
        '<image href="http://https--cdn-example.c.test/i.png"/></svg>',
    );
  });

  it('never throws on malformed input', () => {
    const junk = [
      '<a href="https://cdn.example/x',
      '<<<>>><</>',
      '</div></html><head><head>',
      '<svg><style>',
      '<table><td background=https://cdn.example/bg.png',
      '<!-- unterminated',
      '<!doctype',
      '\u0000\uFFFF\uD800<\uDC00 a=\u0000>',
      '<template><template></template>',
      '<base href="http://[bad">',
      '<a href="https://cdn.example/x"',
    ];
    const bytes = randomBytes(4096);
    junk.push(String.fromCharCode(...bytes), bytes.toString('latin1'), bytes.toString('utf8'));
    for (const input of junk) {
      const output = html(input);
      assert.ok(output.includes(INJECT), JSON.stringify(input));
    }
    assert.equal(html('<a href="https://cdn.example/x'), `${INJECT}<a href="https://cdn.example/x`);
    assert.equal(
      html('<html><a href="https://cdn.example/x'),
      `<html>${INJECT}<a href="https://cdn.example/x`,
    );
  });

  it('reads unquoted values up to whitespace or >, a slash included', () => {
    assert.equal(
      html('<body><a href=https://cdn.example/x/>x</a><img src=//cdn.example/i.png/ alt=y>'),
      `${INJECT}<body><a href="http://https--cdn-example.c.test/x/">x</a>` +
        '<img src="http://https--cdn-example.c.test/i.png/" alt=y>',
    );
  });

  it('leaves attributes without a value alone', () => {
    const page = '<body><a href ping>x</a><img src><iframe srcdoc></iframe><a href=>y</a>';
    assert.equal(html(page), INJECT + page);
  });

  it('takes the first of duplicate attributes, as browsers do', () => {
    const ignored =
      '<body><a href="/local" HREF="https://cdn.example/x">x</a><img src SRC="https://cdn.example/i">';
    assert.equal(html(ignored), INJECT + ignored);
    assert.equal(
      html('<body><a HREF="https://cdn.example/x" href="https://cdn.example/y">x</a>'),
      `${INJECT}<body><a HREF="http://https--cdn-example.c.test/x" href="https://cdn.example/y">x</a>`,
    );
  });

  it('ends a script only at its real end tag', () => {
    const split = `<script>document.write("<scr" + "ipt src='https://cdn.example/a.js'></scr" + "ipt>");</script>`;
    // Inside `<!--`, `<script>` starts a double escape in which `</script>` does not end the element.
    const escaped =
      '<script><!--\ndocument.write(\'<script src="https://cdn.example/b.js"></script>' +
      '<img src="https://cdn.example/b.png">\');\n//--></script>';
    const after = '<img src="https://cdn.example/c.png">';
    assert.equal(
      html(`<body>${split}${escaped}${after}`),
      `${INJECT}<body>${split}${escaped}<img src="http://https--cdn-example.c.test/c.png">`,
    );
    assert.equal(
      html('<body><script><!--><img src="https://cdn.example/d.png"></script>'),
      `${INJECT}<body><script><!--><img src="https://cdn.example/d.png"></script>`,
    );
    const unterminated = '<body><script>if (a < b) { x = "<img src=https://cdn.example/e.png>" }';
    assert.equal(html(unterminated), INJECT + unterminated);
  });

  it('parses no markup in raw text elements, with scripting on', () => {
    for (const name of ['title', 'textarea', 'noscript', 'xmp', 'iframe', 'noembed', 'noframes', 'STYLE']) {
      const inside = `<${name}><img src="https://cdn.example/in.png"></${name} >`;
      assert.equal(
        html(`<body>${inside}<img src="https://cdn.example/out.png">`),
        `${INJECT}<body>${inside}<img src="http://https--cdn-example.c.test/out.png">`,
        name,
      );
    }
    const plaintext = '<body><plaintext></plaintext><img src="https://cdn.example/p.png">';
    assert.equal(html(plaintext), INJECT + plaintext);
  });

  it('follows foreign content: SVG and MathML markup, integration points and breakouts', () => {
    assert.equal(
      html(
        '<body><svg><style>.a{background:url(https://cdn.example/a.png)}</style>' +
          '<filter><feImage href="https://cdn.example/f.png"/></filter></svg>',
      ),
      `${INJECT}<body><svg><style>.a{background:url(http://https--cdn-example.c.test/a.png)}</style>` +
        '<filter><feImage href="http://https--cdn-example.c.test/f.png"/></filter></svg>',
    );
    // In SVG a <title> holds markup, but a <script> in <foreignObject> or after a breakout is HTML again.
    const script = '<script>x = "<image href=\'https://cdn.example/s.png\'/>"</script>';
    for (const page of [
      `<body><svg><foreignObject>${script}</foreignObject></svg>`,
      `<body><math><mi>${script}</mi></math>`,
      `<body><svg><p>${script}`,
      `<body><svg/>${script}`,
    ]) {
      assert.equal(html(page), INJECT + page, page);
    }
    assert.equal(
      html(`<body><svg><title><image href="https://cdn.example/t.png"/></title></svg>`),
      `${INJECT}<body><svg><title><image href="https://cdn.example/t.png"/></title></svg>`,
    );
    // HTML content renames <image> to <img>.
    assert.equal(
      html('<body><image src="https://cdn.example/i.png">'),
      `${INJECT}<body><image src="http://https--cdn-example.c.test/i.png">`,
    );
  });

  it('reads CDATA sections only in foreign content and bogus comments elsewhere', () => {
    assert.equal(
      html(
        '<body><svg><style><![CDATA[.a{background:url(https://cdn.example/a.png)}]]></style>' +
          '<![CDATA[<image href="https://cdn.example/in.png"/>]]></svg>',
      ),
      `${INJECT}<body><svg><style><![CDATA[.a{background:url(http://https--cdn-example.c.test/a.png)}]]></style>` +
        '<![CDATA[<image href="https://cdn.example/in.png"/>]]></svg>',
    );
    // Outside foreign content `<![CDATA[` opens a comment that the first `>` closes.
    for (const end of [' ]]>', '']) {
      assert.equal(
        html(`<body><![CDATA[ a > <img src="https://cdn.example/b.png">${end}`),
        `${INJECT}<body><![CDATA[ a > <img src="http://https--cdn-example.c.test/b.png">${end}`,
      );
    }
  });

  it('ends comments where browsers do', () => {
    assert.equal(
      html('<body><!--><img src="https://cdn.example/a.png"><!---><img src="https://cdn.example/b.png">'),
      `${INJECT}<body><!--><img src="http://https--cdn-example.c.test/a.png"><!--->` +
        '<img src="http://https--cdn-example.c.test/b.png">',
    );
    const commented =
      '<body><!-- <img src="https://cdn.example/c.png"> -- > --!><img src="https://cdn.example/d.png">';
    assert.equal(
      html(commented),
      `${INJECT}<body><!-- <img src="https://cdn.example/c.png"> -- > --!><img src="http://https--cdn-example.c.test/d.png">`,
    );
    assert.equal(
      html('<body><? x ><img src="https://cdn.example/e.png"></ x><img src="https://cdn.example/f.png">'),
      `${INJECT}<body><? x ><img src="http://https--cdn-example.c.test/e.png"></ x>` +
        '<img src="http://https--cdn-example.c.test/f.png">',
    );
  });

  it('drops tags cut off by the end and ends end tags after their attributes', () => {
    for (const page of [
      '<body><img src="https://cdn.example/a.png"',
      '<body><img src=https://cdn.example/a.png',
    ]) {
      assert.equal(html(page), INJECT + page);
    }
    assert.equal(
      html('<body><p></p title=">" ><img src="https://cdn.example/b.png"></p x=\'>\''),
      `${INJECT}<body><p></p title=">" ><img src="http://https--cdn-example.c.test/b.png"></p x='>'`,
    );
  });

  it('writes characters from references back as references, and page bytes as they were', () => {
    assert.equal(
      html('<body><a href="https://cdn.example/caf&eacute;?q=&#xE9;&euro;&amp;r=\xC3\xA9">x</a>'),
      `${INJECT}<body><a href="http://https--cdn-example.c.test/caf&#233;?q=&#233;&#8364;&amp;r=\xC3\xA9">x</a>`,
    );
    // Named references without a semicolon are not decoded in attributes before `=` or a letter.
    assert.equal(
      html('<body><a href="https://cdn.example/?a=1&copy=2&notit;">x</a>'),
      `${INJECT}<body><a href="http://https--cdn-example.c.test/?a=1&amp;copy=2&amp;notit;">x</a>`,
    );
  });

  it('keeps a UTF-8 byte-order mark first when the page comes one character per byte', () => {
    assert.equal(
      html('\xEF\xBB\xBF<!DOCTYPE html><html><head><title>t</title>'),
      `\xEF\xBB\xBF<!DOCTYPE html><html><head>${INJECT}<title>t</title>`,
    );
  });

  it('rewrites srcdoc documents like pages, against the base URL around them', () => {
    const inject = INJECT.replace(/"/g, '&quot;');
    assert.equal(
      html(
        '<head><base href="//cdn.example/d/"></head><body>' +
          '<iframe srcdoc="<img src=&quot;//img.example/a.png&quot;><a href=rel>x</a>"></iframe>',
      ),
      `<head>${INJECT}<base href="http://https--cdn-example.c.test/d/"></head><body>` +
        `<iframe srcdoc="${inject}<img src=&quot;http://https--img-example.c.test/a.png&quot;><a href=rel>x</a>"></iframe>`,
    );
    assert.equal(
      html(`<body><iframe srcdoc='<p>caf&eacute;'></iframe>`),
      `${INJECT}<body><iframe srcdoc="${inject}<p>caf&#233;"></iframe>`,
    );
  });

  it('stops rewriting srcdoc documents nested deeper than real pages nest them', () => {
    const nest = (levels: number): string => {
      let page = '<img src=https://cdn.example/a.png>';
      for (let i = 0; i < levels; i++) {
        page = `<iframe srcdoc="${page.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>`;
      }
      return page;
    };
    assert.ok(html(nest(3)).includes('https--cdn-example.c.test/a.png'));
    const deep = html(nest(8));
    assert.ok(deep.includes('https://cdn.example/a.png') && !deep.includes('https--cdn-example'));
  });

  it('lets a mapper’s error reach the caller instead of serving the page half rewritten', () => {
    const page = '<a href="https://cdn.example/x">x</a>';
    const failing: UrlMapper = () => {
      throw new Error('no label');
    };
    assert.throws(() => rewriteHtml(page, { base, map: failing, headInject: INJECT }), /no label/);
  });
});

describe('rewriter/content-host', () => {
  it('encodes random bytes as lowercase base32 of LABEL_LENGTH characters', () => {
    assert.equal(LABEL_LENGTH, 26);
    assert.equal(newLabel(new TextEncoder().encode('foobarfoobarfoob')), 'mzxw6ytbojtg633cmfzgm33pmi');
    assert.equal(newLabel(new Uint8Array(16)), 'a'.repeat(26));
    assert.equal(newLabel(Uint8Array.from({ length: 17 }, (_, i) => 200 + i)), 'zde4vs6mzxhm7ugr2lj5jvow27');
  });

  it('starts every label with a letter', () => {
    assert.equal(newLabel(Uint8Array.from({ length: 16 }, (_, i) => 0xd0 + i)), 'adi5fu6u2xlnpwgz3ln5zxo634');
    assert.equal(newLabel(new Uint8Array(16).fill(0xff)), `f${'7'.repeat(24)}4`);
    for (let i = 0; i < 200; i++) assert.match(newLabel(randomBytes(16)), /^[a-z][a-z2-7]{25}$/);
  });

  it('refuses fewer than 16 random bytes', () => {
    assert.throws(() => newLabel(new Uint8Array(15)), RangeError);
  });

  it('reads the label back from a Host header', () => {
    const label = newLabel(randomBytes(16));
    assert.equal(labelFromHost(`${label}.content.localhost:8080`, 'content.localhost'), label);
    assert.equal(labelFromHost(`${label.toUpperCase()}.Content.LocalHost`, 'content.localhost'), label);
    assert.equal(labelFromHost(`${label}.content.localhost`, 'CONTENT.localhost'), label);
  });

  it('rejects hosts that are not exactly one valid label under the content domain', () => {
    const label = newLabel(randomBytes(16));
    for (const host of [
      'content.localhost:8080',
      `.content.localhost`,
      `x.${label}.content.localhost`,
      `${label}.content.localhost.evil.example`,
      `${label}.other.localhost:8080`,
      `${label}xcontent.localhost`,
      `${label.slice(1)}.content.localhost`,
      `${label}a.content.localhost`,
      `1${label.slice(1)}.content.localhost`,
      `${label.slice(0, -1)}8.content.localhost`,
      'localhost:8080',
      '',
    ]) {
      assert.equal(labelFromHost(host, 'content.localhost'), null, host);
    }
  });

  it('builds the content origin with the scheme and port of the public URL', () => {
    const label = newLabel(randomBytes(16));
    assert.equal(
      contentOrigin(label, 'content.localhost', new URL('http://localhost:8080')),
      `http://${label}.content.localhost:8080`,
    );
    assert.equal(
      contentOrigin(label, 'content.tandem.example', new URL('https://tandem.example/')),
      `https://${label}.content.tandem.example`,
    );
  });
});
