import assert from 'node:assert/strict';
import { OneTimeCodes } from '../session/one-time-codes.js';

describe('OneTimeCodes', () => {
  it('redeems a code once, and only when accepted and not expired', () => {
    let now = 1000;
    const codes = new OneTimeCodes<{ session: string }>(60_000, () => now);
    const a = codes.issue({ session: 's1' });
    assert.match(a, /^[A-Za-z0-9_-]{24}$/);
    assert.deepEqual(
      codes.redeem(a, (v) => v.session === 's1'),
      { session: 's1' },
    );
    assert.equal(
      codes.redeem(a, () => true),
      null,
      'used',
    );

    const b = codes.issue({ session: 's1' });
    assert.equal(
      codes.redeem(b, (v) => v.session === 's2'),
      null,
      'not accepted',
    );
    assert.equal(
      codes.redeem(b, () => true),
      null,
      'a refused code is consumed too',
    );

    const c = codes.issue({ session: 's1' });
    now += 60_001;
    assert.equal(
      codes.redeem(c, () => true),
      null,
      'expired',
    );
    assert.equal(
      codes.redeem('never-issued', () => true),
      null,
    );
  });
});
