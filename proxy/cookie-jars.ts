import { type Cookie, CookieJar } from 'tough-cookie';

/** Answers kept per jar; past this many (distinct paths), they are forgotten and recomputed. */
const MAX_ANSWERS = 256;

/**
 * A session's cookies. Reading the jar for a URL (tough-cookie parses the URL twice and walks its
 * domain and path indexes) costs more than proxying a small response, so the answer for a URL's
 * path is kept until a cookie is set or one of the cookies it holds expires.
 */
export class SessionJar {
  private readonly jar = new CookieJar(undefined, {
    rejectPublicSuffixes: true,
    allowSpecialUseDomain: true,
  });
  private readonly answers = new Map<string, { value: string; cookies: Cookie[] }>();

  /** Takes one Set-Cookie value for `url`; `http: false` sets it as a script would. Invalid ones are ignored. */
  async setCookie(cookie: string, url: string, { http = true } = {}): Promise<void> {
    this.answers.clear();
    await this.jar.setCookie(cookie, url, { http, ignoreError: true });
  }

  /** The Cookie header for `url`; with `http: false`, what `document.cookie` reads there. */
  async cookieString(url: URL, { http = true } = {}): Promise<string> {
    const key = `${http ? 'http' : 'script'} ${url.protocol}//${url.host}${url.pathname}`;
    const known = this.answers.get(key);
    const now = Date.now();
    if (known?.cookies.every((c) => !expiredAt(c, now))) {
      // As tough-cookie does on every read: a Max-Age counts from the last time the cookie was read.
      const accessed = new Date(now);
      for (const c of known.cookies) c.lastAccessed = accessed;
      return known.value;
    }
    const cookies = await this.jar.getCookies(url.href, { http, sort: true });
    const value = cookies.map((c) => c.cookieString()).join('; ');
    if (this.answers.size >= MAX_ANSWERS) this.answers.clear();
    this.answers.set(key, { value, cookies });
    return value;
  }
}

function expiredAt(cookie: Cookie, now: number): boolean {
  const expiry = cookie.expiryTime();
  return expiry !== undefined && expiry <= now;
}

/** One server-side cookie jar per session: upstream cookies never reach a browser. */
export class CookieJars {
  private readonly jars = new Map<string, SessionJar>();

  for(sessionId: string): SessionJar {
    let jar = this.jars.get(sessionId);
    if (!jar) {
      jar = new SessionJar();
      this.jars.set(sessionId, jar);
    }
    return jar;
  }

  drop(sessionId: string): void {
    this.jars.delete(sessionId);
  }
}
