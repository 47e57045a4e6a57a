import { CookieJar } from 'tough-cookie';

/** One server-side cookie jar per session: upstream cookies never reach a browser. */
export class CookieJars {
  private readonly jars = new Map<string, CookieJar>();

  for(sessionId: string): CookieJar {
    let jar = this.jars.get(sessionId);
    if (!jar) {
      jar = new CookieJar(undefined, { rejectPublicSuffixes: true, allowSpecialUseDomain: true });
      this.jars.set(sessionId, jar);
    }
    return jar;
  }

  drop(sessionId: string): void {
    this.jars.delete(sessionId);
  }
}
