import assert from 'node:assert/strict';
import { type CopyAsker, copyCorsHeaders } from '../proxy/copy-cors.js';

const APP = 'http://localhost:8080';
const PAGE = 'http://aaaa.content.localhost:8080';
const asker = (origin: string | undefined, credentialed: boolean): CopyAsker => ({
  origin,
  credentialed,
  appOrigin: APP,
  isContentOrigin: (o) => o.endsWith('.content.localhost:8080'),
});

describe('copyCorsHeaders: a follower’s copy, as CORS sees it', () => {
  it('lets the mirror stand in for the content host the site allowed', () => {
    const out = copyCorsHeaders({ 'access-control-allow-origin': PAGE, vary: 'Accept' }, asker(APP, false));
    assert.equal(out['access-control-allow-origin'], APP);
    assert.equal(out.vary, 'Accept, Origin');
  });

  it('answers a credentialed request for a copy open to anyone with its own origin', () => {
    const out = copyCorsHeaders({ 'access-control-allow-origin': '*' }, asker(PAGE, true));
    assert.equal(out['access-control-allow-origin'], PAGE);
    assert.equal(out['access-control-allow-credentials'], 'true');
    assert.equal(out.vary, 'Origin');
  });

  it('lets the mirror read a copy the site served without CORS (the page’s own font)', () => {
    const out = copyCorsHeaders({}, asker(APP, false));
    assert.deepEqual(out, { 'access-control-allow-origin': APP, vary: 'Origin' });
  });

  it('adds nothing for anyone else the site did not allow, nor without an Origin', () => {
    assert.deepEqual(copyCorsHeaders({}, asker(PAGE, true)), {});
    assert.deepEqual(copyCorsHeaders({}, asker(undefined, false)), {});
    const other = 'http://bbbb.content.localhost:8080';
    assert.deepEqual(copyCorsHeaders({ 'access-control-allow-origin': other }, asker(PAGE, true)), {
      'access-control-allow-origin': other,
    });
  });
});
