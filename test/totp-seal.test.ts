import assert from 'node:assert/strict';
import { openTotp, sealTotp, totpKey } from '../desk/totp-seal.js';

describe('TOTP secrets sealed at rest', () => {
  const key = totpKey(Buffer.alloc(32, 1));
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('opens what it sealed, for the same user only', () => {
    const sealed = sealTotp(key, 'u1', secret);
    assert.notEqual(sealTotp(key, 'u1', secret), sealed, 'a fresh nonce each time');
    assert.equal(openTotp(key, 'u1', sealed), secret);
    assert.equal(openTotp(key, 'u2', sealed), null, "copied onto another user's row, it does not open");
    assert.equal(openTotp(totpKey(Buffer.alloc(32, 2)), 'u1', sealed), null, "another server's key");
  });

  it('refuses an altered or truncated value, and reads a secret stored in clear as it is', () => {
    const sealed = sealTotp(key, 'u1', secret);
    const last = sealed.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(openTotp(key, 'u1', sealed.slice(0, -1) + last), null);
    assert.equal(openTotp(key, 'u1', 'v1.AAAA'), null);
    assert.equal(openTotp(key, 'u1', secret), secret);
  });
});
