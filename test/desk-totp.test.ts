import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  base32Decode,
  base32Encode,
  hotp,
  matchingStep,
  otpauthUrl,
  type TotpAlgorithm,
  timeStep,
  totp,
} from '../desk/totp.js';

// RFC 6238 appendix B: the seed of each algorithm, and the 8-digit codes at the listed times.
const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const RFC6238: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238) and its parts', () => {
  it('gives the RFC 6238 test vectors for SHA-1, SHA-256 and SHA-512', () => {
    for (const [seconds, sha1, sha256, sha512] of RFC6238) {
      const expected: Record<TotpAlgorithm, string> = { sha1, sha256, sha512 };
      for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
        assert.equal(
          totp(SEEDS[algorithm], seconds * 1000, { step: 30, digits: 8, algorithm }),
          expected[algorithm],
          `${algorithm} at ${seconds}`,
        );
      }
    }
  });

  it('gives the RFC 4226 HOTP test vectors', () => {
    const codes = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    for (const [counter, code] of codes.entries()) assert.equal(hotp(SEEDS.sha1, counter, 6, 'sha1'), code);
  });

  it('encodes base32 as RFC 4648 does and decodes what people paste', () => {
    const vectors = ['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI'];
    ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].forEach((text, i) => {
      assert.equal(base32Encode(Buffer.from(text)), vectors[i]);
    });
    assert.equal(base32Decode('mzxw 6ytb oi======')?.toString(), 'foobar');
    assert.equal(base32Decode('MZ1W'), null, '1 is not in the alphabet');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        assert.deepEqual(base32Decode(base32Encode(bytes)), Buffer.from(bytes));
      }),
    );
  });

  it('accepts the code of this step and one either side, each only once', () => {
    const key = SEEDS.sha1;
    const now = 1_700_000_000_000;
    const step = timeStep(now);
    const at = (s: number) => hotp(key, s, 6, 'sha1');
    assert.equal(matchingStep(key, at(step), now, null), step);
    assert.equal(matchingStep(key, at(step - 1), now, null), step - 1, 'a phone clock 30 s behind');
    assert.equal(matchingStep(key, at(step + 1), now, null), step + 1);
    assert.equal(matchingStep(key, at(step - 2), now, null), null, 'a minute old');
    assert.equal(matchingStep(key, at(step), now, step), null, 'the code just used');
    assert.equal(matchingStep(key, at(step + 1), now, step), step + 1, 'the next one still works');
    assert.equal(matchingStep(key, '12345', now, null), null, 'too short');
    assert.equal(matchingStep(key, 'abcdef', now, null), null);
  });

  it('writes the otpauth URL authenticator apps scan', () => {
    const url = new URL(otpauthUrl('Tandem', 'ada@shop.example', 'JBSWY3DPEHPK3PXP'));
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.host, 'totp');
    assert.equal(decodeURIComponent(url.pathname), '/Tandem:ada@shop.example');
    assert.equal(url.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP');
    assert.equal(url.searchParams.get('issuer'), 'Tandem');
  });
});
