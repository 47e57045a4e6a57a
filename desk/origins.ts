import type { DeskSettings } from './settings.js';

/**
 * The origin `value` names (`https://shop.example`, `http://127.0.0.1:8081`), written the way browsers
 * send it, or null when it is not exactly one origin: a path, query, user info, wildcard or another
 * scheme make it something else. Case and a trailing slash are forgiven.
 */
export function exactOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return null;
  if (value.includes('*') || value.includes('?') || value.includes('#')) return null;
  return url.origin;
}

/** Whether the page at `url` is on one of the tenant's allowed origins; a malformed URL never is. */
export function originAllowed(settings: Pick<DeskSettings, 'allowedOrigins'>, url: string | URL): boolean {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return false;
  }
  return origin !== 'null' && settings.allowedOrigins.includes(origin);
}
