import { rewriteOriginList } from '../rewriter/headers.js';

type Headers = Record<string, string | string[] | undefined>;

/** The CORS response headers a copy keeps, as the owner's page got them. */
const KEPT = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'timing-allow-origin',
  'vary',
] as const;

/**
 * The site's CORS headers as the browser gets them from a content host: an origin named in
 * `Access-Control-Allow-Origin` or `Timing-Allow-Origin` becomes its content origin (`*` and `null`
 * stay); `Access-Control-Allow-Credentials`, `-Expose-Headers` and `Vary` pass, since content hosts
 * and upstream origins map one to one.
 */
export function siteCorsHeaders(
  upstream: Headers,
  mapOrigin: (origin: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT) {
    const raw = upstream[name];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (!value) continue;
    const mapped = name === 'access-control-allow-origin' || name === 'timing-allow-origin';
    out[name] = mapped ? rewriteOriginList(value, mapOrigin) : value;
  }
  return out;
}

export interface CopyAsker {
  /** The request's `Origin`, if it sent one (a CORS request). */
  origin: string | undefined;
  /** Whether it carried the participant's cookie (a credentialed request). */
  credentialed: boolean;
  /** The viewer's origin, where followers' mirrors live. */
  appOrigin: string;
  /** Whether an origin is a content host (a copy only names content hosts of its own session). */
  isContentOrigin(origin: string): boolean;
}

/**
 * The CORS headers of a follower's copy for the one asking. A mirror is the owner's page rebuilt in
 * the viewer, so where the site allowed a content host of the session (the page's origin), the
 * mirror's app origin stands in for it. A copy open to anyone (`*`) is the same bytes whoever asks,
 * and the follower's credential is Tandem's, not the site's: a credentialed request is answered with
 * its own origin. A copy without CORS headers is the page's own resource, which the mirror may read
 * in the page's place. Anything else stays as the site sent it, and fails as it failed for the owner.
 */
export function copyCorsHeaders(kept: Record<string, string>, asker: CopyAsker): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT) if (kept[name]) out[name] = kept[name];
  const { origin } = asker;
  if (!origin) return out;
  const standIn = (o: string) => (origin === asker.appOrigin && asker.isContentOrigin(o) ? origin : o);
  let varies = false;
  const allowed = out['access-control-allow-origin'];
  if (allowed === '*' && asker.credentialed) {
    out['access-control-allow-origin'] = origin;
    out['access-control-allow-credentials'] = 'true';
    varies = true;
  } else if (allowed) {
    out['access-control-allow-origin'] = standIn(allowed);
    varies ||= out['access-control-allow-origin'] !== allowed;
  } else if (origin === asker.appOrigin && !asker.credentialed) {
    // No CORS at all is how a site serves its own pages' fonts: same origin, the owner's page needs
    // none. The mirror asks from the viewer's origin, so it stands in for the page there too. Such a
    // request is only ever answered with a copy fetched without the session's cookies, what the
    // site gives anyone, so letting the viewer read it gives away nothing of the session.
    out['access-control-allow-origin'] = origin;
    varies = true;
  }
  const timing = out['timing-allow-origin'];
  if (timing) {
    const entries = timing.split(',').map((o) => o.trim());
    const mapped = entries.map(standIn);
    if (mapped.some((o, i) => o !== entries[i])) {
      out['timing-allow-origin'] = mapped.join(', ');
      varies = true;
    }
  }
  if (varies && !/(^|,)\s*origin\s*(,|$)/i.test(out.vary ?? '')) {
    out.vary = out.vary ? `${out.vary}, Origin` : 'Origin';
  }
  return out;
}
