import crypto from 'node:crypto';

export const PARTICIPANT_COOKIE = 'tandem_participant';

/** MACs of credentials that verified, kept; past this many, forgotten and recomputed. */
const MAX_KNOWN = 10_000;

/**
 * The host-only cookie a participant carries on a content host: their id bound to that one label by
 * an HMAC, so a cookie copied to another content host (or another session's) is worthless.
 */
export class Credentials {
  /**
   * Every request to a content host carries a credential, and an HMAC costs more than the rest of
   * checking it: the MAC of each (participant, label) that verified is kept. Only those: a stranger's
   * made-up ids would otherwise fill it.
   */
  private readonly known = new Map<string, Buffer>();

  constructor(private readonly secret: Buffer) {}

  issue(participantId: string, label: string): string {
    return `${participantId}.${this.mac(participantId, label)}`;
  }

  /** The participant id, or null when the value was not issued for this label. */
  verify(value: string, label: string): string | null {
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return null;
    const id = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const key = `${id}\n${label}`;
    const known = this.known.get(key);
    const expected = known ?? Buffer.from(this.mac(id, label));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
    if (!known) {
      if (this.known.size >= MAX_KNOWN) this.known.clear();
      this.known.set(key, expected);
    }
    return id;
  }

  /**
   * Partitioned (CHIPS) and Secure: the owner's frame and a follower's mirror are third-party to the
   * viewer, and Chromium only keeps third-party cookies that are partitioned. `*.localhost` counts as
   * a secure context, so Secure works over plain http in the embedded default.
   */
  cookieHeader(value: string): string {
    return `${PARTICIPANT_COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=None; Partitioned`;
  }

  private mac(id: string, label: string): string {
    return crypto
      .createHmac('sha256', this.secret)
      .update(`${id}\n${label}`)
      .digest('base64url')
      .slice(0, 32);
  }
}

/** Reads one cookie from a Cookie header without allocating a map of all of them. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
