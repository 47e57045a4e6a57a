import crypto from 'node:crypto';

export const randomToken = (bytes: number) => crypto.randomBytes(bytes).toString('base64url');
export const hashSecret = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

/** Constant-time comparison of a presented secret with a stored hash. */
export function matchesHash(value: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(value), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
