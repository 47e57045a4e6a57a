import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The server's signing secret: kept in the data folder so content-host labels and cookies survive restarts. */
export function loadSecret(dataDir: string): Buffer {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'secret.key');
  if (fs.existsSync(file)) {
    const value = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
    if (value.length >= 32) return value;
    throw new Error(`${file} is damaged (expected at least 32 bytes); remove it to make a new one`);
  }
  const secret = crypto.randomBytes(32);
  fs.writeFileSync(file, secret.toString('base64url'), { mode: 0o600 });
  return secret;
}
