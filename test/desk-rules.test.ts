import assert from 'node:assert/strict';
import { LOCKOUT, lockedUntil } from '../desk/lockout.js';
import { exactOrigin, originAllowed } from '../desk/origins.js';
import { avatarFor, DEFAULT_SETTINGS, readStoredSettings, settingsSchema } from '../desk/settings.js';
import { KeyedBuckets } from '../session/rate-limit.js';

const MIN = 60_000;

describe('desk rules', () => {
  describe('lockout', () => {
    it('locks for 15 minutes after the fifth failure within 15 minutes', () => {
      const four = [0, MIN, 2 * MIN, 3 * MIN];
      assert.equal(lockedUntil(four, 3 * MIN), null, 'four failures lock nothing');
      const five = [...four, 4 * MIN];
      assert.equal(lockedUntil(five, 4 * MIN), 19 * MIN);
      assert.equal(lockedUntil(five, 19 * MIN - 1), 19 * MIN);
      assert.equal(lockedUntil(five, 19 * MIN), null, 'over after 15 minutes');
    });

    it('does not lock for five failures spread over more than 15 minutes', () => {
      assert.equal(lockedUntil([0, 4 * MIN, 8 * MIN, 12 * MIN, 15 * MIN + 1], 15 * MIN + 1), null);
      assert.equal(lockedUntil([0, 4 * MIN, 8 * MIN, 12 * MIN, 15 * MIN], 15 * MIN), 30 * MIN);
    });

    it('looks at the last five failures only', () => {
      const old = [-100 * MIN, -90 * MIN];
      assert.equal(lockedUntil([...old, 0, 1, 2, 3], 3), null);
      assert.equal(lockedUntil([...old, 0, 1, 2, 3, 4], 4), 4 + LOCKOUT.lockMs);
    });
  });

  describe('origins', () => {
    it('reads an exact origin, forgiving case and a trailing slash', () => {
      assert.equal(exactOrigin('https://Shop.Example/'), 'https://shop.example');
      assert.equal(exactOrigin('http://127.0.0.1:8081'), 'http://127.0.0.1:8081');
      assert.equal(exactOrigin('https://shop.example:443'), 'https://shop.example');
    });

    it('refuses what is more or other than an origin', () => {
      for (const v of [
        'https://shop.example/help',
        'https://shop.example/?a=1',
        'https://*.shop.example',
        'https://user:pw@shop.example',
        'ftp://shop.example',
        'shop.example',
        'javascript:alert(1)',
        '',
      ]) {
        assert.equal(exactOrigin(v), null, v);
      }
    });

    it('allows a page only on an allowed origin, exactly', () => {
      const s = { allowedOrigins: ['https://shop.example', 'http://127.0.0.1:8081'] };
      assert.equal(originAllowed(s, 'https://shop.example/cart?x=1'), true);
      assert.equal(originAllowed(s, new URL('http://127.0.0.1:8081/')), true);
      assert.equal(originAllowed(s, 'http://shop.example/cart'), false, 'another scheme');
      assert.equal(originAllowed(s, 'https://www.shop.example/'), false, 'a subdomain');
      assert.equal(originAllowed(s, 'https://shop.example:8443/'), false, 'another port');
      assert.equal(originAllowed(s, 'https://shop.example.evil.test/'), false);
      assert.equal(originAllowed(s, 'not a url'), false);
      assert.equal(originAllowed({ allowedOrigins: ['null'] }, 'data:text/html,hi'), false);
    });
  });

  describe('settings', () => {
    it('accepts the defaults and normalises origins and colours', () => {
      assert.deepEqual(settingsSchema.parse(DEFAULT_SETTINGS), DEFAULT_SETTINGS);
      const s = settingsSchema.parse({
        ...DEFAULT_SETTINGS,
        allowedOrigins: ['https://Shop.Example/', 'https://shop.example'],
        brand: { name: ' Acme ', color: '#AABBCC', logoUrl: '' },
      });
      assert.deepEqual(s.allowedOrigins, ['https://shop.example']);
      assert.deepEqual(s.brand, { name: 'Acme', color: '#aabbcc', logoUrl: '' });
    });

    it('says which field is wrong', () => {
      const bad = settingsSchema.safeParse({
        ...DEFAULT_SETTINGS,
        allowedOrigins: ['https://shop.example/help'],
      });
      assert.equal(bad.success, false);
      assert.deepEqual(bad.error?.issues[0]?.path, ['allowedOrigins', 0]);
      assert.match(bad.error?.issues[0]?.message ?? '', /not an origin/);
      const logo = settingsSchema.safeParse({
        ...DEFAULT_SETTINGS,
        brand: { name: 'Acme', color: '#aabbcc', logoUrl: 'http://cdn.example/logo.png' },
      });
      assert.equal(logo.success, false, 'a logo in clear http');
      assert.equal(settingsSchema.safeParse({ ...DEFAULT_SETTINGS, extra: 1 }).success, false);
    });

    it('reads a version saved before a field existed with that field at its default', () => {
      const { monitorNotice: _, ...older } = DEFAULT_SETTINGS;
      assert.equal(readStoredSettings(JSON.stringify({ ...older, seatCap: 3 })).monitorNotice, true);
    });

    it('picks the avatar of the longest matching path prefix', () => {
      const s = {
        avatarsByPage: [
          { pathPrefix: '/', avatar: 'https://cdn.example/any.png' },
          { pathPrefix: '/billing', avatar: 'https://cdn.example/billing.png' },
        ],
      };
      assert.equal(avatarFor(s, 'https://shop.example/billing/invoices'), 'https://cdn.example/billing.png');
      assert.equal(avatarFor(s, 'https://shop.example/shoes'), 'https://cdn.example/any.png');
      assert.equal(avatarFor({ avatarsByPage: [] }, 'https://shop.example/'), null);
    });
  });

  it('keyed buckets limit each key on its own and stay bounded', () => {
    const b = new KeyedBuckets(2, 1, 3);
    assert.deepEqual([b.take('a', 0), b.take('a', 0), b.take('a', 0)], [true, true, false]);
    assert.equal(b.take('b', 0), true, 'another address is not held up');
    assert.equal(b.take('a', 1000), true, 'refilled at 1/s');
    for (const k of ['c', 'd', 'e', 'f']) b.take(k, 1000);
    assert.equal(b.take('a', 1000), true, 'a forgotten key starts full again');
  });
});
