import { rewriteUrl, type UrlMapper } from './url.js';

/** `Link: <url>; rel=preload, <url2>; rel=…`: each target is mapped like any other URL. */
export function rewriteLinkHeader(value: string, base: URL, map: UrlMapper): string {
  return value.replace(/<([^>]*)>/g, (whole, url: string) => {
    const mapped = rewriteUrl(url, base, map);
    return mapped === url ? whole : `<${mapped}>`;
  });
}

/**
 * `Access-Control-Allow-Origin` and `Timing-Allow-Origin` name the origins a site trusts, and the
 * browser compares them with the content host's origin: each http(s) origin in the list is mapped.
 * `*`, `null` and anything unparsable stay as they are, with the meaning they had.
 */
export function rewriteOriginList(value: string, mapOrigin: (origin: string) => string): string {
  return value
    .split(',')
    .map((item) => {
      const origin = item.trim();
      if (!/^https?:\/\//i.test(origin)) return origin;
      try {
        return mapOrigin(new URL(origin).origin);
      } catch {
        return origin;
      }
    })
    .join(', ');
}

export interface CspContext {
  /** The content origin serving an upstream origin (scheme://host[:port]) in this session. */
  mapOrigin(origin: string): string;
  /** The page's upstream URL: the default scheme of host sources. */
  page: URL;
  /** This content host's origin. */
  self: string;
  /** Every content host (`https://*.content.example:8443`) and the same for WebSockets. */
  anyContentHost: string;
  anyContentSocket: string;
  /** Whether content hosts are served over https (else upgrade-insecure-requests would break them). */
  secure: boolean;
  /** The nonce Tandem's runtime tag carries; empty for a response that is not a page. */
  nonce: string;
}

/** Sources under which 'unsafe-inline' stops counting, so Tandem's tag needs a nonce of its own. */
const NONCE_LIKE = /^'(nonce-|sha(256|384|512)-|strict-dynamic')/i;

/** Whether a site's policy (either header) relies on nonces, hashes or 'strict-dynamic'. */
export function policyWantsNonce(...headers: ReadonlyArray<string | undefined>): boolean {
  return headers.some((h) => h?.split(/[\s;,]+/).some((source) => NONCE_LIKE.test(source)) ?? false);
}

/**
 * Whether an inline script Tandem adds (carrying the page's runtime nonce, if it has one) may run
 * under the site's enforced policy: each policy's script-src-elem, else script-src, else default-src
 * either allows 'unsafe-inline' without nonces or hashes, or relies on them and a nonce is there.
 */
export function inlineScriptAllowed(header: string | undefined, nonce: string): boolean {
  if (!header) return true;
  return header.split(',').every((policy) => {
    const lists = new Map<string, string[]>();
    for (const directive of policy.split(';')) {
      const [name, ...sources] = directive
        .trim()
        .toLowerCase()
        .split(/[\t\n\f\r ]+/);
      // Of a repeated directive the first counts.
      if (name && !lists.has(name)) lists.set(name, sources);
    }
    const list = lists.get('script-src-elem') ?? lists.get('script-src') ?? lists.get('default-src');
    if (!list) return true;
    if (list.some((source) => NONCE_LIKE.test(source))) return nonce !== '';
    return list.includes("'unsafe-inline'");
  });
}

/** Directives whose sources name where things load from, send to or navigate to. */
const SOURCE_DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'connect-src',
  'media-src',
  'object-src',
  'frame-src',
  'child-src',
  'worker-src',
  'manifest-src',
  'prefetch-src',
  'fenced-frame-src',
  'base-uri',
  'form-action',
]);
/** Framing is Tandem's to decide (the viewer frames every page); reports would bypass the proxy. */
const DROPPED = new Set(['frame-ancestors', 'report-uri', 'report-to']);
const KEYWORD = /^'[^']*'$/;
/**
 * The Trusted Types policy the runtime draws its overlay with (runtime/overlay.ts creates it under
 * the same name): a site's list of allowed policies gets it too.
 */
export const RUNTIME_TRUSTED_TYPES_POLICY = 'tandem-overlay';
const KEPT_SCHEMES = new Set(['data:', 'blob:', 'mediastream:', 'filesystem:']);

/**
 * The site's Content-Security-Policy, kept in force inside Tandem: its sources name content hosts
 * instead of upstream origins, and Tandem's runtime may still run and reach its own paths. Framing is
 * left to Tandem's own policy (framed by the viewer only), and reports are not sent.
 */
export function rewriteCsp(header: string, ctx: CspContext): string {
  return header
    .split(',')
    .map((policy) => rewritePolicy(policy, ctx))
    .filter((p) => p !== '')
    .join(', ');
}

function rewritePolicy(policy: string, ctx: CspContext): string {
  const directives = policy
    .split(';')
    .map((d) => d.trim().split(/[\t\n\f\r ]+/))
    .filter((tokens) => tokens[0]);
  const names = new Set(directives.map((t) => (t[0] as string).toLowerCase()));
  const out: string[] = [];
  for (const [rawName, ...sources] of directives) {
    const name = (rawName as string).toLowerCase();
    if (DROPPED.has(name)) continue;
    if (name === 'upgrade-insecure-requests' && !ctx.secure) continue;
    if (name === 'trusted-types') {
      // 'none' allows no policy at all: the runtime's is then the only one.
      const kept = sources.filter((s) => s.toLowerCase() !== "'none'");
      out.push([name, ...kept, RUNTIME_TRUSTED_TYPES_POLICY].join(' '));
      continue;
    }
    if (!SOURCE_DIRECTIVES.has(name)) {
      out.push([name, ...sources].join(' '));
      continue;
    }
    let mapped = sources.flatMap((s) => mapSource(s, ctx));
    const governsScripts =
      name === 'script-src' ||
      name === 'script-src-elem' ||
      (name === 'default-src' && !names.has('script-src'));
    const governsFetches = name === 'connect-src' || (name === 'default-src' && !names.has('connect-src'));
    if (governsScripts || governsFetches) mapped = allowRuntime(mapped, ctx, governsScripts);
    out.push([name, ...mapped].join(' '));
  }
  return out.join('; ');
}

/**
 * The runtime tag and its requests (`/__tandem/…`) must pass. A nonce is added only where the list
 * already relies on nonces, hashes or 'strict-dynamic': elsewhere a nonce would switch off the
 * page's own 'unsafe-inline', so the runtime's path is allowed instead.
 */
function allowRuntime(sources: string[], ctx: CspContext, scripts: boolean): string[] {
  const list = sources.filter((s) => s.toLowerCase() !== "'none'");
  const usesNonces = list.some((s) => NONCE_LIKE.test(s));
  const runtime = [`${ctx.self}/__tandem/`];
  if (scripts && usesNonces && ctx.nonce) runtime.push(`'nonce-${ctx.nonce}'`);
  return [...list, ...runtime];
}

function mapSource(source: string, ctx: CspContext): string[] {
  const lower = source.toLowerCase();
  if (KEYWORD.test(source) || source === '*') return [source];
  if (/^[a-z][a-z0-9+.-]*:$/.test(lower)) {
    if (KEPT_SCHEMES.has(lower)) return [source];
    if (lower === 'http:' || lower === 'https:') return [ctx.anyContentHost];
    if (lower === 'ws:' || lower === 'wss:') return [ctx.anyContentSocket];
    return [source];
  }
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?([^/:]+)(?::(\d+|\*))?(\/.*)?$/i.exec(source);
  if (!m) return [];
  const [, scheme = ctx.page.protocol.slice(0, -1), host = '', port, path = ''] = m;
  const socket = scheme.toLowerCase() === 'ws' || scheme.toLowerCase() === 'wss';
  if (host.includes('*')) return [socket ? ctx.anyContentSocket : ctx.anyContentHost];
  const httpScheme = socket ? (scheme.toLowerCase() === 'wss' ? 'https' : 'http') : scheme.toLowerCase();
  if (httpScheme !== 'http' && httpScheme !== 'https') return [];
  // A port wildcard cannot be named on one content host; the default port stands for it.
  const origin = `${httpScheme}://${host.toLowerCase()}${port && port !== '*' ? `:${port}` : ''}`;
  let mapped: string;
  try {
    mapped = ctx.mapOrigin(new URL(origin).origin);
  } catch {
    return [];
  }
  if (socket) mapped = mapped.replace(/^http/, 'ws');
  return [`${mapped}${path}`];
}

/**
 * `Sec-Fetch-Site` as the site would have seen it: computed from the real URLs of the page that
 * made the request and of the request, not from the content hosts the browser saw.
 */
export function secFetchSite(target: URL, initiator: URL | null, browserSaid: string | undefined): string {
  if (browserSaid === 'none' || !initiator) return 'none';
  if (initiator.origin === target.origin) return 'same-origin';
  return siteOf(initiator) === siteOf(target) && initiator.protocol === target.protocol
    ? 'same-site'
    : 'cross-site';
}

/** The registrable domain, approximated without the public suffix list by its last two labels. */
function siteOf(url: URL): string {
  const host = url.hostname;
  if (/^[\d.]+$/.test(host) || host.startsWith('[')) return host;
  return host.split('.').slice(-2).join('.');
}
