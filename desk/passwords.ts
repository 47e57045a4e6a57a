import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with the library's defaults (19 MiB, 2 passes, 1 lane: the OWASP baseline), stored as a
 * PHC string so parameters raised later still verify the hashes made before.
 */
export const hashPassword = (password: string): Promise<string> => hash(password);

let decoy: Promise<string> | null = null;

/**
 * Whether `password` matches `stored`. Without a stored hash (an unknown email) a decoy hash is
 * checked all the same, so the answer takes as long and does not tell which emails have accounts.
 */
export async function passwordMatches(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) {
    decoy ??= hash(crypto.randomBytes(16).toString('base64url'));
    await verify(await decoy, password);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
