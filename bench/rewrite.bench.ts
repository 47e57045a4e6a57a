import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { rewriteHtml } from '../rewriter/html.js';
import type { UrlMapper } from '../rewriter/url.js';

const require = createRequire(import.meta.url);

/** Measured passes over the corpus, after one that warms the code up. */
const PASSES = 2;
/** The page URL both rewriters are given: no page of the corpus is same-origin with it. */
const PAGE_URL = 'https://shop.example/dir/page.html';

/**
 * Real pages, not generated ones: htmlparser-benchmark ships a few hundred documents saved from popular
 * sites, for timing HTML parsers. They are read from node_modules at run time, each once.
 */
function loadCorpus(): Buffer[] {
  const directory = path.join(path.dirname(require.resolve('htmlparser-benchmark/package.json')), 'files');
  return fs
    .readdirSync(directory)
    .filter((name) => name.endsWith('.html'))
    .sort()
    .map((name) => fs.readFileSync(path.join(directory, name)));
}

function tandemRewriter(): (page: string) => void {
  const labels = new Map<string, string>();
  const map: UrlMapper = (url) => {
    let label = labels.get(url.origin);
    if (!label) {
      label = `l${labels.size.toString().padStart(25, '0')}`;
      labels.set(url.origin, label);
    }
    return `http://${label}.content.localhost:8080${url.pathname}${url.search}${url.hash}`;
  };
  const options = {
    base: new URL(PAGE_URL),
    map,
    headInject:
      '<script src="/__tandem/runtime.js" data-tandem-origin="http://l.content.localhost:8080"></script>',
  };
  return (page) => {
    rewriteHtml(page, options);
  };
}

/** The parts of testcafe-hammerhead's (untyped) internals the comparison calls. */
interface HammerheadCharset {
  fromContentType(contentType: string): boolean;
}
type HammerheadProcess = (ctx: object) => Promise<Buffer>;
type HammerheadProxyUrl = (url: string, options: object) => string;

/**
 * testcafe-hammerhead's page processing as its proxy runs it for a text/html response: its resource
 * `process` decodes the body by charset, parses it with parse5, rewrites every URL to a proxy URL,
 * rewrites inline scripts and event handlers, injects its scripts and encodes the result. It needs a
 * request pipeline context; outside a running proxy this one holds what `process` reads.
 */
function hammerheadProcessor(): (page: Buffer) => Promise<void> {
  const processResource: HammerheadProcess = require('testcafe-hammerhead/lib/processing/resources').process;
  const Charset: new () => HammerheadCharset = require('testcafe-hammerhead/lib/processing/encoding/charset');
  const getProxyUrl: HammerheadProxyUrl = require('testcafe-hammerhead/lib/utils/url').getProxyUrl;
  const serverInfo = {
    hostname: 'localhost',
    port: 1337,
    crossDomainPort: 1338,
    protocol: 'http:',
    domain: 'http://localhost:1337',
  };
  const pageUrl = new URL(PAGE_URL);
  const session = {
    id: 'bench',
    injectable: { scripts: ['/hammerhead.js', '/task.js'], styles: [], userScripts: [] },
    requestHookEventProvider: { hasRequestEventListeners: () => false },
    options: { allowMultipleWindows: false },
  };
  const contextFor = (body: Buffer): object => {
    const charset = new Charset();
    // A declared charset, as most servers send: otherwise hammerhead parses again after a <meta charset>.
    charset.fromContentType('text/html; charset=utf-8');
    return {
      destResBody: body,
      contentInfo: {
        charset,
        encoding: '',
        isScript: false,
        isFileDownload: false,
        isIframeWithImageSrc: false,
      },
      isPage: true,
      isIframe: false,
      isHtmlImport: false,
      restoringStorages: null,
      windowId: 'window',
      serverInfo,
      session,
      dest: {
        url: pageUrl.href,
        protocol: pageUrl.protocol,
        host: pageUrl.host,
        hostname: pageUrl.hostname,
        domain: pageUrl.origin,
      },
      prepareInjectableUserScripts: async () => {},
      getInjectableScripts: () => session.injectable.scripts.map((script) => serverInfo.domain + script),
      getInjectableStyles: () => [],
      resolveInjectableUrl: (url: string) => serverInfo.domain + url,
      toProxyUrl: (url: string, isCrossDomain: boolean, resourceType?: string, charsetName?: string) =>
        getProxyUrl(url, {
          proxyHostname: serverInfo.hostname,
          proxyProtocol: serverInfo.protocol,
          proxyPort: String(isCrossDomain ? serverInfo.crossDomainPort : serverInfo.port),
          sessionId: session.id,
          windowId: 'window',
          resourceType,
          charset: charsetName,
          reqOrigin: isCrossDomain ? pageUrl.origin : undefined,
        }),
    };
  };
  return async (page) => {
    await processResource(contextFor(page));
  };
}

export async function run(): Promise<Record<string, number>> {
  const corpus = loadCorpus();
  const bytes = corpus.reduce((sum, page) => sum + page.length, 0);
  // One character per byte, as the proxy hands pages of any ASCII-compatible encoding to the rewriter.
  const pages = corpus.map((page) => page.toString('latin1'));
  const tandem = tandemRewriter();
  const hammerhead = hammerheadProcessor();
  let tandemMilliseconds = 0;
  let hammerheadMilliseconds = 0;
  let transcodeMilliseconds = 0;
  for (let pass = 0; pass <= PASSES; pass++) {
    // Page by page in turn, so that other work on the machine weighs on all figures alike.
    for (const [i, page] of pages.entries()) {
      const body = corpus[i] as Buffer;
      const start = performance.now();
      tandem(page);
      const tandemEnd = performance.now();
      await hammerhead(body);
      const hammerheadEnd = performance.now();
      Buffer.from(body.toString('utf8'), 'utf8');
      if (pass === 0) continue;
      tandemMilliseconds += tandemEnd - start;
      hammerheadMilliseconds += hammerheadEnd - tandemEnd;
      transcodeMilliseconds += performance.now() - hammerheadEnd;
    }
  }
  const megabytesPerSecond = (milliseconds: number): number => (bytes * PASSES) / 1e6 / (milliseconds / 1000);
  const tandemSpeed = megabytesPerSecond(tandemMilliseconds);
  const hammerheadSpeed = megabytesPerSecond(hammerheadMilliseconds);
  return {
    'corpus pages (htmlparser-benchmark)': corpus.length,
    'corpus MB': Number((bytes / 1e6).toFixed(1)),
    'html rewrite MB/s (one core)': Number(tandemSpeed.toFixed(1)),
    'testcafe-hammerhead page processing MB/s': Number(hammerheadSpeed.toFixed(1)),
    'html rewrite / hammerhead': Number((tandemSpeed / hammerheadSpeed).toFixed(1)),
    // What no rewriter can beat: decoding the bytes as UTF-8 and encoding them again.
    'utf-8 decode + encode MB/s (reference)': Number(megabytesPerSecond(transcodeMilliseconds).toFixed(1)),
  };
}
