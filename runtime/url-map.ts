/** What a page's runtime knows to map URLs onto the session's content hosts. */
export interface UrlMapContext {
  /** This document's content-host origin (location.origin). */
  pageOrigin: string;
  /** The upstream origin this content host stands for. */
  upstreamOrigin: string;
  /** The content domain with a leading dot, e.g. ".content.example.com". */
  contentSuffix: string;
  /** The content-host origin of another upstream origin, or null when it cannot be had. */
  lookup(upstreamOrigin: string): string | null;
}

const WS: Record<string, string> = { 'ws:': 'http:', 'wss:': 'https:' };
const HTTP: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:' };

/**
 * Maps a URL a script built at run time onto the content host that serves its origin, so it goes
 * through the proxy instead of straight to the site. Relative URLs already resolve onto this
 * content host; data:, blob:, javascript: and other schemes are left alone; so is anything on a
 * content host already. WebSocket URLs keep their ws/wss scheme, following the content host's.
 */
export function toProxyUrl(input: string, base: string, ctx: UrlMapContext): string {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    return input;
  }
  const socket = WS[url.protocol];
  const httpScheme = socket ?? url.protocol;
  if (httpScheme !== 'http:' && httpScheme !== 'https:') return input;
  const origin = `${httpScheme}//${url.host}`;
  if (origin === ctx.pageOrigin || url.hostname.endsWith(ctx.contentSuffix)) return input;
  const mapped = origin === ctx.upstreamOrigin ? ctx.pageOrigin : ctx.lookup(origin);
  if (mapped === null) return input;
  // Joined as text: resolving the path against the content origin would read a path that starts
  // with "//" as another host.
  const target = `${mapped}${url.pathname}${url.search}${url.hash}`;
  if (!socket) return target;
  const scheme = target.slice(0, target.indexOf(':') + 1);
  return `${HTTP[scheme] ?? scheme}${target.slice(scheme.length)}`;
}

/**
 * The address a page asked to open in a new window, as the site knows it, so the session can load it
 * in a tab of its own. A URL on this content host is its upstream page; a plain http(s) URL stays as
 * it is; another content host's URL cannot be read back here (its label is keyed with the server's
 * secret), nor can other schemes be opened as a page: null for those.
 */
export function toUpstreamUrl(input: string, base: string, ctx: UrlMapContext): string | null {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.origin === ctx.pageOrigin) return `${ctx.upstreamOrigin}${url.pathname}${url.search}${url.hash}`;
  return url.hostname.endsWith(ctx.contentSuffix) ? null : url.href;
}
