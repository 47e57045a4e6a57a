import crypto from 'node:crypto';

/**
 * A session's seal: an HMAC of its final hash under a key only this server holds (derived from
 * `secret.key`, which is kept apart from the database). The hash chain shows that records were
 * changed, but someone who can write the database can recompute every hash after a change; without
 * the key, they cannot make the seal match the new final hash.
 */
export function sealKey(serverSecret: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', serverSecret, Buffer.alloc(0), 'tandem archive seal', 32));
}

export function sealOf(key: Buffer, sessionId: string, finalHash: string): string {
  return crypto.createHmac('sha256', key).update(`seal\n${sessionId}\n${finalHash}`).digest('hex');
}

export function sealMatches(key: Buffer, sessionId: string, finalHash: string, seal: string): boolean {
  const expected = Buffer.from(sealOf(key, sessionId, finalHash));
  const given = Buffer.from(seal);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
