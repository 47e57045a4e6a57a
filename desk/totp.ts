import crypto from 'node:crypto';

/** RFC 4648 base32, the alphabet authenticator apps expect for secrets. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Accepts the lower case, spaces and padding people paste; null when a character is not base32. */
export function base32Decode(text: string): Buffer | null {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const digit = ALPHABET.indexOf(ch);
    if (digit === -1) return null;
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  /** Seconds per code (RFC 6238 X). */
  step: number;
  digits: number;
  algorithm: TotpAlgorithm;
}

/** What every common authenticator app does when it scans an otpauth URL without parameters. */
export const TOTP_DEFAULTS: TotpOptions = { step: 30, digits: 6, algorithm: 'sha1' };

/** RFC 4226 HOTP with the dynamic truncation of its section 5.3. */
export function hotp(key: Uint8Array, counter: number, digits: number, algorithm: TotpAlgorithm): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac(algorithm, key).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step of an epoch-milliseconds instant. */
export const timeStep = (nowMs: number, step = TOTP_DEFAULTS.step) => Math.floor(nowMs / 1000 / step);

export function totp(key: Uint8Array, nowMs: number, o: TotpOptions = TOTP_DEFAULTS): string {
  return hotp(key, timeStep(nowMs, o.step), o.digits, o.algorithm);
}

/**
 * The time step whose code matches, looking one step either side for clock drift, or null. The
 * caller keeps the step it accepted last and refuses it and earlier ones, so a code works once.
 */
export function matchingStep(
  key: Uint8Array,
  code: string,
  nowMs: number,
  after: number | null,
  o: TotpOptions = TOTP_DEFAULTS,
): number | null {
  if (!new RegExp(`^\\d{${o.digits}}$`).test(code)) return null;
  const given = Buffer.from(code);
  const now = timeStep(nowMs, o.step);
  for (const s of [now - 1, now, now + 1]) {
    if (after !== null && s <= after) continue;
    const expected = Buffer.from(hotp(key, s, o.digits, o.algorithm));
    if (crypto.timingSafeEqual(expected, given)) return s;
  }
  return null;
}

/** The `otpauth://` URL an authenticator app reads from a QR code (Key Uri Format). */
export function otpauthUrl(issuer: string, account: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const q = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${q.toString()}`;
}
