import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Credentials } from '../proxy/credential.js';

describe('Credentials: the participant cookie of a content host', () => {
  const credentials = new Credentials(crypto.randomBytes(32));

  it('verifies as often as it is shown, and never for another label or once altered', () => {
    const value = credentials.issue('p1', 'labela');
    for (let i = 0; i < 3; i++) assert.equal(credentials.verify(value, 'labela'), 'p1');
    assert.equal(credentials.verify(value, 'labelb'), null);
    const mac = value.slice(value.lastIndexOf('.') + 1);
    const altered = `p1.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    assert.equal(credentials.verify(altered, 'labela'), null);
    assert.equal(credentials.verify(`p2.${mac}`, 'labela'), null);
    assert.equal(credentials.verify(`p1.${mac}x`, 'labela'), null);
    assert.equal(credentials.verify(value, 'labela'), 'p1');
  });

  it('does not take a credential issued under another secret', () => {
    const other = new Credentials(crypto.randomBytes(32));
    assert.equal(credentials.verify(other.issue('p1', 'labela'), 'labela'), null);
  });
});
