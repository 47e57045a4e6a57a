import crypto from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { labelFromHost } from '../rewriter/content-host.js';
import { contentHostSources, contentPolicy } from '../rewriter/csp.js';
import { rewriteCss } from '../rewriter/css.js';
import {
  type CspContext,
  inlineScriptAllowed,
  policyWantsNonce,
  rewriteCsp,
  rewriteLinkHeader,
  secFetchSite,
} from '../rewriter/headers.js';
import { rewriteHtml } from '../rewriter/html.js';
import { sniffsAsHtml } from '../rewriter/sniff.js';
import { rewriteMetaRefresh, rewriteUrl, type UrlMapper } from '../rewriter/url.js';
import { withWorkerPrelude } from '../rewriter/worker-prelude.js';
import type { ServedResponse } from '../store/types.js';
import { BodyTooLarge, MAX_REWRITE_BYTES, type RewritableText, readDecoded, rewritableText } from './body.js';
import { BodyCopy } from './body-copy.js';
import type { ContentHost, ContentHosts } from './content-hosts.js';
import type { CookieJars } from './cookie-jars.js';
import { type CopyAsker, copyCorsHeaders, siteCorsHeaders } from './copy-cors.js';
import { type Credentials, PARTICIPANT_COOKIE, readCookie } from './credential.js';
import { type EgressGuard, EgressRefused } from './egress.js';
import { type EntryCodes, entryUrl } from './entry.js';
import { escapeHtml, messagePage, refuseUpgrade } from './pages.js';
import { type CachedResponse, MAX_ENTRY_BYTES, type SessionCache } from './session-cache.js';
import {
  DEFAULT_LIMITS,
  describeUpstreamError,
  requestUpstream,
  type UpgradeResult,
  UpstreamLimitError,
  type UpstreamLimits,
  upgradeUpstream,
} from './upstream.js';

/** Answers, for the session's live room, whose browser runs the live page. */
export interface ParticipantGate {
  canGoUpstream(sessionId: string, participantId: string): Promise<boolean>;
}

export interface ProxyLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface RuntimeBundle {
  /** Versioned path, e.g. /__tandem/runtime.3f2a9c.js, so it can be cached for a year. */
  path: string;
  body: Buffer;
}

export interface ContentServerOptions {
  contentDomain: string;
  /** Tandem's public address: the app origin, and the scheme and port content hosts share. */
  publicUrl: URL;
  hosts: ContentHosts;
  credentials: Credentials;
  entries: EntryCodes;
  gate: ParticipantGate;
  guard: EgressGuard;
  /** What a site may take and send; the defaults suit production. */
  limits?: UpstreamLimits;
  jars: CookieJars;
  /** Where followers' copies come from. */
  cache: SessionCache;
  /** Told of every GET answered 200 from upstream (for followers' copies and the archive). */
  served(response: ServedResponse): void;
  runtime: RuntimeBundle;
  /** Code run first by every worker a proxied page starts (see withWorkerPrelude). */
  workerPrelude: string;
  log: ProxyLog;
}

const RESERVED = '/__tandem/';

/** What a follower's copy keeps of how the owner got a response (see copyCorsHeaders). */
interface Kept {
  headers: Record<string, string>;
  anonymous: boolean;
}
/** What `document.cookie` reads after a response set cookies, URI-encoded (header values are Latin-1). */
export const DOCUMENT_COOKIE_HEADER = 'tandem-document-cookie';
const MAX_COOKIE_BYTES = 8192;
/** Content types a browser may run as a document or a worker, where a Content-Security-Policy acts. */
const MAY_RUN = /html|xml|svg|javascript|ecmascript/;
/** `Sec-Fetch-Dest` of the requests whose answer a browser renders as a document. */
const DOCUMENT_DESTINATIONS = new Set(['document', 'iframe', 'frame']);
const WORKER_DESTINATIONS = new Set(['worker', 'sharedworker']);
/** Smaller rewritten bodies go out as they are: compressing them saves less than a packet. */
const MIN_COMPRESS_BYTES = 1400;

/** Request headers never forwarded upstream: hop-by-hop, ours, or recomputed from the real URLs. */
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'cookie',
  'origin',
  'referer',
  'accept-encoding',
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-dest',
  'sec-fetch-user',
  'sec-fetch-storage-access',
  'priority',
  // Who the participant is stays between them and Tandem.
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
]);

/**
 * Response headers not passed to the browser: hop-by-hop, cookies (they live in the jar), framing
 * (Tandem's own policy decides), transport pins and reporting that would bypass the proxy. The site's
 * CSP, Link, Refresh and Content-Location are rewritten instead.
 */
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'set-cookie',
  'x-frame-options',
  'strict-transport-security',
  'public-key-pins',
  'alt-svc',
  'report-to',
  'nel',
]);

export function createContentHandler(o: ContentServerOptions) {
  const limits = o.limits ?? DEFAULT_LIMITS;
  /** Copies being fetched for followers, so simultaneous requests share one fetch. */
  const copying = new Map<string, Promise<CachedResponse | null>>();
  const appOrigin = o.publicUrl.origin;
  const policy = contentPolicy(o.publicUrl, o.contentDomain);
  const { hosts: anyContentHost, sockets: anyContentSocket } = contentHostSources(
    o.publicUrl,
    o.contentDomain,
  );
  const send = (
    res: http.ServerResponse,
    status: number,
    html: string,
    extra: http.OutgoingHttpHeaders = {},
  ) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(html),
      ...extra,
    });
    res.end(html);
  };

  /** The runtime's tag; `cookies` is what `document.cookie` starts as (the jar's, less HttpOnly). */
  const injectFor = (host: ContentHost, cookies = '', nonce = '') =>
    `<script src="${o.runtime.path}"${nonce ? ` nonce="${nonce}"` : ''} data-tandem-app="${escapeHtml(appOrigin)}" data-tandem-origin="${escapeHtml(host.origin)}"${cookies ? ` data-tandem-cookies="${escapeHtml(cookies)}"` : ''}></script>`;

  return { handle, upgrade };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const label = labelFromHost(req.headers.host ?? '', o.contentDomain);
    const host = label ? await o.hosts.resolve(label) : undefined;
    if (!label || !host) {
      return send(
        res,
        404,
        messagePage('Unknown page address', 'This address does not belong to any Tandem session.'),
      );
    }
    const path = req.url ?? '/';

    if (path === o.runtime.path) {
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'public, max-age=31536000, immutable',
        'content-length': o.runtime.body.length,
      });
      return void res.end(o.runtime.body);
    }
    if (path.startsWith(`${RESERVED}enter?`)) return enter(host, label, path, req, res);
    const cookie = readCookie(req.headers.cookie, PARTICIPANT_COOKIE);
    const participantId = cookie ? o.credentials.verify(cookie, label) : null;
    if (path.startsWith(`${RESERVED}bounce?`)) return bounceOnward(host, label, participantId, path, res);
    if (path.startsWith(`${RESERVED}map?`) && participantId) return mapOrigin(host, path, res);
    if (path.startsWith(`${RESERVED}cookie?`) && req.method === 'POST' && participantId) {
      if (!(await o.gate.canGoUpstream(host.sessionId, participantId))) return send(res, 403, '');
      return setDocumentCookie(host, path, req, res);
    }
    if (path.startsWith(RESERVED)) {
      return send(res, 404, messagePage('Not found', 'No such Tandem resource.'));
    }
    // A request without credentials (fetch's default across origins, fonts, module scripts) made by
    // a page on another content host of this session: the page's browser is the owner's (only it
    // runs page scripts on content hosts), and it goes upstream without cookies, as it would have.
    // The Origin header proves nothing on its own (any program can send one), which is why such a
    // request never carries the session's cookies: it can do no more than a stranger's.
    if (!participantId && (await fromSessionPage(req.headers.origin, host.sessionId))) {
      return forward(host, label, req, res, { cookies: false });
    }

    // A font or `crossorigin` resource in a follower's mirror: the viewer's frame asks from the app
    // origin, and browsers send such requests without credentials. It gets what the site gives
    // anyone (a copy fetched without the session's cookies), never the owner's view of the site.
    if (
      !participantId &&
      req.headers.origin === appOrigin &&
      (req.method === 'GET' || req.method === 'HEAD')
    ) {
      return fromCache(host, label, req, res, false);
    }
    if (!participantId && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(307, { location: await bounceVia(host, label, path, req), 'cache-control': 'no-store' });
      return void res.end();
    }
    if (!participantId) {
      return send(
        res,
        403,
        messagePage(
          'You are not in this session',
          'Open the session link you were given to join it; this page is only shown to its participants.',
        ),
      );
    }
    if (!(await o.gate.canGoUpstream(host.sessionId, participantId))) {
      return fromCache(host, label, req, res, true);
    }
    return forward(host, label, req, res, { cookies: true });
  }

  /** Whether an Origin header names a content host of the session. */
  async function fromSessionPage(origin: string | undefined, sessionId: string): Promise<boolean> {
    const u = parseUrl(origin);
    const label = u ? labelFromHost(u.host, o.contentDomain) : null;
    return label !== null && (await o.hosts.resolve(label))?.sessionId === sessionId;
  }

  /**
   * `document.cookie = …` in the owner's page: the cookie goes into the session's jar as a script
   * would set it (never HttpOnly), and the answer is what `document.cookie` now reads for the page.
   */
  async function setDocumentCookie(
    host: ContentHost,
    path: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const page = new URL(path, 'http://x').searchParams.get('page') ?? '/';
    const pageUrl = new URL(page.startsWith('/') ? page : '/', host.origin);
    let text: string;
    try {
      text = (await readDecoded(req, undefined, MAX_COOKIE_BYTES)).toString('utf8');
    } catch {
      return send(res, 413, '');
    }
    const jar = o.jars.for(host.sessionId);
    await jar.setCookie(text, pageUrl.href, { http: false });
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(await jar.cookieString(pageUrl, { http: false }));
  }

  /** The runtime's question: which content host serves this upstream origin in the session? */
  function mapOrigin(host: ContentHost, path: string, res: http.ServerResponse): void {
    const asked = new URL(path, 'http://x').searchParams.get('origin') ?? '';
    const origin = parseUrl(asked);
    if (!origin || (origin.protocol !== 'http:' && origin.protocol !== 'https:') || origin.origin !== asked) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end('origin must be an http or https origin');
    }
    const body = o.hosts.originFor(host.sessionId, origin.origin);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  }

  /**
   * The page's own WebSockets (and other upgrades): only the tab owner's, tunnelled byte for byte to
   * the upstream after the same credential check, egress guard and cookie jar as any request.
   */
  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, reason: string) => refuseUpgrade(socket, status, reason);
    const label = labelFromHost(req.headers.host ?? '', o.contentDomain);
    const host = label ? await o.hosts.resolve(label) : undefined;
    if (!label || !host) return refuse(404, 'unknown page address');
    const cookie = readCookie(req.headers.cookie, PARTICIPANT_COOKIE);
    const participantId = cookie ? o.credentials.verify(cookie, label) : null;
    const allowed = participantId
      ? await o.gate.canGoUpstream(host.sessionId, participantId)
      : await fromSessionPage(req.headers.origin, host.sessionId);
    if (!allowed) return refuse(403, "only the tab owner's page opens connections to the site");
    const upstreamUrl = new URL(req.url ?? '/', host.origin);
    // Without the participant's cookie, an Origin header is all there is, and any program can send
    // one: such a connection never carries the session's cookies.
    const headers = await upstreamHeaders(host, req, upstreamUrl, participantId !== null);
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade ?? 'websocket';
    let result: UpgradeResult;
    try {
      result = await upgradeUpstream(
        o.guard,
        { url: upstreamUrl, method: 'GET', headers, body: null },
        limits,
      );
    } catch (err) {
      o.log.info({ url: upstreamUrl.href, err: (err as Error).message }, 'page websocket refused');
      return refuse(err instanceof EgressRefused ? 403 : 502, (err as Error).message);
    }
    if (!result.upgraded) {
      result.res.resume();
      return refuse(result.res.statusCode ?? 502, 'the site did not accept the connection');
    }
    const jar = o.jars.for(host.sessionId);
    for (const c of result.res.headers['set-cookie'] ?? []) await jar.setCookie(c, upstreamUrl.href);
    const lines = [`HTTP/1.1 101 ${result.res.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < result.res.rawHeaders.length; i += 2) {
      const name = result.res.rawHeaders[i] as string;
      if (name.toLowerCase() !== 'set-cookie') lines.push(`${name}: ${result.res.rawHeaders[i + 1]}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (result.head.length) socket.write(result.head);
    if (head.length) result.socket.write(head);
    const upstream = result.socket;
    upstream.pipe(socket).pipe(upstream);
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
  }

  /**
   * Redeems an entry code: sets the participant's cookie and sends the browser on to `to`. Asked by
   * a page on another content host of the session (the runtime entering this host before a
   * credentialed request, see enterContentHost), it answers that page instead, with CORS headers
   * so its browser keeps the cookie.
   */
  async function enter(
    host: ContentHost,
    label: string,
    path: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const params = new URL(path, 'http://x').searchParams;
    const entry = o.entries.redeem(params.get('code') ?? '', (e) => e.label === label);
    const origin = req.headers.origin;
    if (entry && origin && (await fromSessionPage(origin, host.sessionId))) {
      res.writeHead(204, {
        'set-cookie': o.credentials.cookieHeader(o.credentials.issue(entry.participantId, label)),
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
        'cache-control': 'no-store',
      });
      return void res.end();
    }
    const to = params.get('to') ?? '/';
    if (!entry) {
      return send(
        res,
        403,
        messagePage(
          'This entry link has expired',
          'Entry links work once and for a minute. Open the page again.',
        ),
      );
    }
    const safeTo = to.startsWith('/') && !to.startsWith('//') && !to.startsWith('/\\') ? to : '/';
    res.writeHead(303, {
      location: safeTo,
      'set-cookie': o.credentials.cookieHeader(o.credentials.issue(entry.participantId, label)),
      'cache-control': 'no-store',
    });
    res.end();
  }

  /**
   * The entry bounce, for a browser that reaches this content host without its cookie (a page's
   * image from another origin, a CDN). Browsers keep a separate cookie jar for frames inside a
   * cross-site frame, so the bounce goes through whoever holds a cookie in the requester's jar: the
   * content host of the referring page (requests from the owner's live page), else the app origin
   * (requests from the viewer itself, such as a follower's mirror).
   */
  async function bounceVia(host: ContentHost, label: string, path: string, req: http.IncomingMessage) {
    const to = encodeURIComponent(path);
    const referrer = parseUrl(req.headers.referer);
    const referrerLabel = referrer ? labelFromHost(referrer.host, o.contentDomain) : null;
    const referrerHost =
      referrerLabel && referrerLabel !== label ? await o.hosts.resolve(referrerLabel) : undefined;
    if (referrer && referrerHost?.sessionId === host.sessionId) {
      return `${referrer.origin}${RESERVED}bounce?label=${label}&to=${to}`;
    }
    return `${appOrigin}/api/sessions/${encodeURIComponent(host.sessionId)}/enter?label=${label}&to=${to}`;
  }

  /** This host knows the participant: it hands them an entry code for another host of the session. */
  async function bounceOnward(
    host: ContentHost,
    label: string,
    participantId: string | null,
    path: string,
    res: http.ServerResponse,
  ): Promise<void> {
    const params = new URL(path, 'http://x').searchParams;
    const target = params.get('label') ?? '';
    const targetHost = target && target !== label ? await o.hosts.resolve(target) : undefined;
    if (!participantId || targetHost?.sessionId !== host.sessionId) {
      return send(
        res,
        403,
        messagePage('You are not in this session', 'Open the session link you were given to join it.'),
      );
    }
    const code = o.entries.issue({ sessionId: host.sessionId, participantId, label: target });
    const to = params.get('to') ?? '/';
    const location = entryUrl(o.hosts.originFor(targetHost.sessionId, targetHost.origin), code, to);
    res.writeHead(303, { location, 'cache-control': 'no-store' });
    res.end();
  }

  /**
   * A follower's copy: what the owner's page loaded, or else one fetch without the session's cookies
   * (a resource the follower's view needs and the owner's did not load, such as a lazy image),
   * shared by every follower asking for it at the same time. Documents are never fetched for them.
   * `credentialed`: whether the request carried the participant's cookie; without it, only a copy
   * fetched without the session's cookies will do.
   */
  async function fromCache(
    host: ContentHost,
    label: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    credentialed: boolean,
  ): Promise<void> {
    const path = req.url ?? '/';
    const readable = req.method === 'GET' || req.method === 'HEAD';
    const cached = readable ? o.cache.get(host.sessionId, label + path) : undefined;
    const hit =
      cached && (credentialed || cached.anonymous)
        ? cached
        : readable
          ? await copyForFollowers(host, label, path, req)
          : undefined;
    if (!hit) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end('Not loaded by the page owner.');
    }
    const asker: CopyAsker = {
      origin: req.headers.origin,
      credentialed,
      appOrigin,
      isContentOrigin: (origin) => labelFromHost(parseUrl(origin)?.host ?? '', o.contentDomain) !== null,
    };
    res.writeHead(hit.status, {
      ...hit.headers,
      ...copyCorsHeaders(hit.headers, asker),
      'content-length': hit.body.length,
      'cache-control': 'no-store',
      // A follower may load a copy (an SVG, say) as a document; it must not run there as the page.
      'content-security-policy': 'sandbox',
    });
    res.end(req.method === 'HEAD' ? undefined : hit.body);
  }

  function copyForFollowers(
    host: ContentHost,
    label: string,
    path: string,
    req: http.IncomingMessage,
  ): Promise<CachedResponse | null> {
    const key = `${host.sessionId}\n${label}${path}`;
    let pending = copying.get(key);
    if (!pending) {
      pending = fetchCopy(host, label, path, req).finally(() => copying.delete(key));
      copying.set(key, pending);
    }
    return pending;
  }

  async function fetchCopy(
    host: ContentHost,
    label: string,
    path: string,
    req: http.IncomingMessage,
  ): Promise<CachedResponse | null> {
    const url = new URL(path, host.origin);
    const headers = await upstreamHeaders(host, req, url, false);
    headers['accept-encoding'] = 'gzip, deflate, br';
    let upstream: http.IncomingMessage;
    try {
      upstream = await requestUpstream(o.guard, { url, method: 'GET', headers, body: null }, limits);
    } catch (err) {
      o.log.info({ url: url.href, err: (err as Error).message }, 'copy for followers failed');
      return null;
    }
    const type = upstream.headers['content-type'] ?? 'application/octet-stream';
    if (upstream.statusCode !== 200 || /text\/html/i.test(type)) {
      upstream.resume();
      return null;
    }
    const cors = siteCorsHeaders(upstream.headers, (origin) => o.hosts.originFor(host.sessionId, origin));
    let copy: CachedResponse;
    try {
      if (/text\/css/i.test(type)) {
        const raw = await readDecoded(upstream, upstream.headers['content-encoding'], MAX_ENTRY_BYTES);
        const source = rewritableText(raw, type);
        const map: UrlMapper = (u) => o.hosts.mapUrl(host.sessionId, u);
        copy = {
          status: 200,
          headers: { 'content-type': source.contentType, ...cors },
          body: source.encode(rewriteCss(source.text, url, map)),
          anonymous: true,
        };
      } else {
        const body = await readDecoded(upstream, undefined, MAX_ENTRY_BYTES);
        const kept: Record<string, string> = { 'content-type': type, ...cors };
        const encoding = upstream.headers['content-encoding'];
        if (encoding) kept['content-encoding'] = encoding;
        copy = { status: 200, headers: kept, body, anonymous: true };
      }
    } catch (err) {
      o.log.info({ url: url.href, err: (err as Error).message }, 'copy for followers failed');
      return null;
    }
    o.served({ sessionId: host.sessionId, label, path, url: url.href, ...copy });
    return copy;
  }

  /** `cookies`: whether the browser sent credentials, so the session's jar takes part. */
  async function forward(
    host: ContentHost,
    label: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    { cookies }: { cookies: boolean },
  ) {
    const upstreamUrl = new URL(req.url ?? '/', host.origin);
    const map: UrlMapper = (u) => o.hosts.mapUrl(host.sessionId, u);
    const jar = o.jars.for(host.sessionId);
    const headers = await upstreamHeaders(host, req, upstreamUrl, cookies);
    headers['accept-encoding'] = 'gzip, deflate, br';

    let upstream: http.IncomingMessage;
    try {
      upstream = await requestUpstream(
        o.guard,
        {
          url: upstreamUrl,
          method: req.method ?? 'GET',
          headers,
          body: req.method === 'GET' || req.method === 'HEAD' ? null : req,
        },
        limits,
      );
    } catch (err) {
      return refuse(host, upstreamUrl, err as Error, res);
    }

    const setCookies = cookies ? (upstream.headers['set-cookie'] ?? []) : [];
    for (const c of setCookies) await jar.setCookie(c, upstreamUrl.href);
    const type = (upstream.headers['content-type'] ?? '').toLowerCase();
    const status = upstream.statusCode ?? 502;
    const hasBody = req.method !== 'HEAD' && status !== 204 && status !== 304;
    const dest = String(req.headers['sec-fetch-dest']);
    // A document sent without a type is rendered as HTML when it looks like HTML, so it may be a
    // page; it is read whole to find out (see sniffsAsHtml).
    const untypedDocument =
      type === '' &&
      hasBody &&
      DOCUMENT_DESTINATIONS.has(dest) &&
      !/nosniff/i.test(String(upstream.headers['x-content-type-options'] ?? ''));
    let kind: 'html' | 'css' | 'other' = type.includes('text/html')
      ? 'html'
      : type.includes('text/css')
        ? 'css'
        : 'other';
    const maybePage = kind === 'html' || untypedDocument;
    // A worker runs none of the page's shims: its script gets the worker prelude in front.
    const workerScript =
      WORKER_DESTINATIONS.has(dest) && status === 200 && hasBody && /javascript|ecmascript/.test(type);
    // What document.cookie reads: for a page, and for the runtime after a response that set cookies.
    const documentCookie =
      cookies && (maybePage || setCookies.length > 0)
        ? await jar.cookieString(upstreamUrl, { http: false })
        : '';

    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (!DROP_RESPONSE.has(name) && value !== undefined) out[name] = value;
    }
    if (typeof upstream.headers.location === 'string') {
      out.location = rewriteUrl(upstream.headers.location, upstreamUrl, map);
    }
    const contentLocation = upstream.headers['content-location'];
    if (contentLocation) out['content-location'] = rewriteUrl(contentLocation, upstreamUrl, map);
    const refresh = upstream.headers.refresh;
    if (typeof refresh === 'string') out.refresh = rewriteMetaRefresh(refresh, upstreamUrl, map);
    const link = joined(upstream.headers.link);
    if (link) out.link = rewriteLinkHeader(link, upstreamUrl, map);
    // Only a page carries the runtime tag the nonce is for, and only a site policy that relies on
    // nonces needs one: otherwise the page stays byte-identical across views, and is archived once.
    const reliesOnNonces = policyWantsNonce(
      joined(upstream.headers['content-security-policy']),
      joined(upstream.headers['content-security-policy-report-only']),
    );
    const nonce = maybePage && reliesOnNonces ? crypto.randomBytes(16).toString('base64') : '';
    const csp: CspContext = {
      mapOrigin: (origin) => o.hosts.originFor(host.sessionId, origin),
      page: upstreamUrl,
      self: o.hosts.originFor(host.sessionId, host.origin),
      anyContentHost,
      anyContentSocket,
      secure: o.publicUrl.protocol === 'https:',
      nonce,
    };
    for (const name of ['content-security-policy', 'content-security-policy-report-only'] as const) {
      const value = joined(upstream.headers[name]);
      const rewritten = value ? rewriteCsp(value, csp) : '';
      if (rewritten) out[name] = rewritten;
    }
    // What a follower's copy keeps besides its type: the site's CORS headers, as the page got them.
    const kept: Kept = { headers: siteCorsHeaders(upstream.headers, csp.mapOrigin), anonymous: !cookies };
    Object.assign(out, kept.headers);
    // Lets the page's runtime keep document.cookie current after a fetch that set cookies.
    if (setCookies.length > 0) out[DOCUMENT_COOKIE_HEADER] = encodeURIComponent(documentCookie);
    // Both apply: the site's (rewritten) and Tandem's, which confines the page to content hosts. A
    // policy only acts on what can run (documents, worker scripts); elsewhere (JSON, images) it is
    // left off, so a page reading a response's headers sees the site's.
    if (MAY_RUN.test(type) || type === '') {
      const sitePolicy = out['content-security-policy'];
      // (A comma separates policies in one header; each is enforced on its own.)
      out['content-security-policy'] = sitePolicy ? `${sitePolicy}, ${policy}` : policy;
    }

    if ((kind === 'other' && !untypedDocument && !workerScript) || !hasBody) {
      return stream(host, label, req, res, upstream, status, out, kept);
    }

    let source: RewritableText;
    try {
      const raw = await readDecoded(upstream, upstream.headers['content-encoding'], MAX_REWRITE_BYTES);
      if (workerScript) {
        const script = withWorkerPrelude(raw.toString('latin1'), o.workerPrelude);
        return sendWhole(host, label, req, res, status, out, Buffer.from(script, 'latin1'), kept);
      }
      if (untypedDocument) {
        if (!sniffsAsHtml(raw)) return sendWhole(host, label, req, res, status, out, raw, kept);
        kind = 'html';
      }
      source = rewritableText(raw, upstream.headers['content-type']);
    } catch (err) {
      const reason =
        err instanceof BodyTooLarge ? err.message : `its body could not be read (${(err as Error).message})`;
      o.log.warn({ url: upstreamUrl.href, err: (err as Error).message }, 'upstream body refused');
      return send(
        res,
        502,
        messagePage('Tandem could not show this page', `${upstreamUrl.href}: ${reason}.`, injectFor(host)),
      );
    }
    const rewritten =
      kind === 'html'
        ? rewriteHtml(source.text, {
            base: upstreamUrl,
            map,
            headInject: injectFor(host, documentCookie, nonce),
            importMap: inlineScriptAllowed(joined(upstream.headers['content-security-policy']), nonce)
              ? { nonce }
              : undefined,
            csp,
          })
        : rewriteCss(source.text, upstreamUrl, map);
    out['content-type'] = source.contentType;
    return sendWhole(host, label, req, res, status, out, source.encode(rewritten), kept);
  }

  /**
   * Sends a body that was read whole (and decompressed), keeping it for followers and the archive
   * when the owner fetched it with GET.
   */
  async function sendWhole(
    host: ContentHost,
    label: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    out: http.OutgoingHttpHeaders,
    body: Buffer,
    kept: Kept,
  ): Promise<void> {
    delete out['content-encoding'];
    out['content-length'] = body.length;
    const contentType = out['content-type'];
    if (req.method === 'GET' && status === 200) {
      o.served({
        sessionId: host.sessionId,
        label,
        path: req.url ?? '/',
        url: new URL(req.url ?? '/', host.origin).href,
        status,
        headers:
          typeof contentType === 'string' ? { 'content-type': contentType, ...kept.headers } : kept.headers,
        body,
        anonymous: kept.anonymous,
      });
    }
    // Re-compressed at the fastest level (most of gzip's saving for a fraction of its time), on the
    // thread pool: compressing 100 KB takes as long as rewriting it.
    const gzip =
      body.length > MIN_COMPRESS_BYTES && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const sent = gzip ? await gzipFast(body) : body;
    if (gzip) {
      out['content-encoding'] = 'gzip';
      out['content-length'] = sent.length;
      out.vary = out.vary ? `${out.vary}, Accept-Encoding` : 'Accept-Encoding';
    }
    res.writeHead(status, out);
    res.end(sent);
  }

  /** The headers sent upstream: the browser's, less ours, with cookies from the jar and real URLs. */
  async function upstreamHeaders(
    host: ContentHost,
    req: http.IncomingMessage,
    upstreamUrl: URL,
    withCookies = true,
  ) {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!DROP_REQUEST.has(name) && value !== undefined) headers[name] = value;
    }
    const cookies = withCookies ? await o.jars.for(host.sessionId).cookieString(upstreamUrl) : '';
    if (cookies) headers.cookie = cookies;
    const referer = await toUpstream(req.headers.referer);
    if (referer) headers.referer = referer;
    const origin = await toUpstream(req.headers.origin);
    if (origin) headers.origin = new URL(origin).origin;
    for (const name of ['sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user'] as const) {
      const value = req.headers[name];
      if (value) headers[name] = value;
    }
    const browserSite = req.headers['sec-fetch-site'];
    if (browserSite) {
      const initiator = parseUrl(origin ?? referer ?? undefined);
      headers['sec-fetch-site'] = secFetchSite(upstreamUrl, initiator, browserSite);
    }
    return headers;
  }

  /** Passes a body through untouched, keeping a copy for followers when the owner fetched it with GET. */
  function stream(
    host: ContentHost,
    label: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    upstream: http.IncomingMessage,
    status: number,
    out: http.OutgoingHttpHeaders,
    kept: Kept,
  ): void {
    res.writeHead(status, out);
    // One listener counts the body against its limit and keeps a copy for followers and the
    // archive; the body itself goes straight to the browser.
    const path = req.url ?? '/';
    const copy =
      req.method === 'GET' && status === 200
        ? new BodyCopy(o.cache.get(host.sessionId, label + path)?.body, MAX_ENTRY_BYTES)
        : null;
    let size = 0;
    upstream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        upstream.destroy(new UpstreamLimitError(`the body is larger than ${limits.maxBodyBytes} bytes`));
      } else {
        copy?.add(chunk);
      }
    });
    if (copy) {
      upstream.on('end', () => {
        const body = copy.body();
        if (!body) return;
        const headers: Record<string, string> = { ...kept.headers };
        for (const name of ['content-type', 'content-encoding', 'last-modified', 'etag']) {
          const v = upstream.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        o.served({
          sessionId: host.sessionId,
          label,
          path,
          url: new URL(path, host.origin).href,
          status,
          headers,
          body,
          anonymous: kept.anonymous,
        });
      });
    }
    upstream.pipe(res);
    upstream.on('error', (err) => {
      o.log.warn({ url: req.url, err: err.message }, 'upstream body failed');
      res.destroy(err);
    });
  }

  function refuse(host: ContentHost, url: URL, err: Error, res: http.ServerResponse): void {
    if (err instanceof EgressRefused) {
      o.log.info({ url: url.href, address: err.address, reason: err.reason }, 'egress refused');
      return send(
        res,
        403,
        messagePage(
          'Tandem will not open this address',
          `${url.href} leads to ${err.address}: ${err.reason}.`,
          injectFor(host),
        ),
      );
    }
    o.log.warn({ url: url.href, err: err.message }, 'upstream request failed');
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOTFOUND'
        ? 'the site name could not be found'
        : code === 'ECONNREFUSED'
          ? 'the site refused the connection'
          : describeUpstreamError(err);
    send(res, 502, messagePage('The site could not be reached', `${url.href}: ${why}.`, injectFor(host)));
  }

  /** Maps a content-host URL seen in Referer or Origin back to the upstream URL it stands for. */
  async function toUpstream(value: string | undefined): Promise<string | null> {
    const u = parseUrl(value);
    if (!u) return null;
    const label = labelFromHost(u.host, o.contentDomain);
    const host = label ? await o.hosts.resolve(label) : undefined;
    return host ? `${host.origin}${u.pathname}${u.search}` : null;
  }
}

const gzipAsync = promisify(zlib.gzip);
const gzipFast = (body: Buffer) => gzipAsync(body, { level: 1 });

/** A header sent several times, as one comma-separated value (its list form). */
function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function parseUrl(value: string | undefined): URL | null {
  if (!value) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
