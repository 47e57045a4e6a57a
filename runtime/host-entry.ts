/**
 * A credentialed request (`fetch` with `credentials: 'include'`, an XHR `withCredentials`) to
 * another content host of the session carries the participant's cookie there only once this
 * browser has entered that host; without it, the proxy cannot tell it from a request without
 * credentials and sends it upstream without the session's cookies. Such a request cannot be bounced
 * either: a redirect through another origin would turn its `Origin` into `null`.
 *
 * So the page enters the host first: this document's own content host (which knows the participant
 * by their cookie) hands out an entry code for the other host and redirects there, and the other
 * host redeems it on this credentialed CORS request and sets its cookie. One round trip per host
 * per document; a failed entry lets the request go on as it would have.
 *
 * Returns the promise to wait for before sending a credentialed request to `url` (already mapped),
 * or null when there is nothing to wait for: its own origin, not a content host, or entered already.
 */
export function hostEntry(
  contentSuffix: string,
  nativeFetch: typeof fetch,
): (url: string) => Promise<void> | null {
  const entering = new Map<string, Promise<void>>();
  const entered = new Set<string>();
  return (url) => {
    let target: URL;
    try {
      // A document resolves against its base, a worker against its own address.
      target = new URL(url, globalThis.document?.baseURI ?? location.href);
    } catch {
      return null;
    }
    const { origin, hostname } = target;
    if (origin === location.origin || !hostname.endsWith(contentSuffix) || entered.has(origin)) return null;
    let entry = entering.get(origin);
    if (!entry) {
      const label = hostname.slice(0, hostname.indexOf('.'));
      const done = () => {
        entered.add(origin);
      };
      entry = nativeFetch
        .call(globalThis, `/__tandem/bounce?label=${encodeURIComponent(label)}`, { credentials: 'include' })
        .then(done, done);
      entering.set(origin, entry);
    }
    return entry;
  };
}
