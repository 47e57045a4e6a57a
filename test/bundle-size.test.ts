import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PUBLIC_DIR, readManifest } from '../server/assets.js';
import { shellPage } from '../server/pages.js';

const gz = (data: string | Buffer) => zlib.gzipSync(data, { level: 9 }).length;
const KB = 1024;

/** Budgets for what a visitor downloads; a change that breaks one must be a deliberate choice. */
describe('bundle budgets', () => {
  const manifest = readManifest();
  const files = fs.readdirSync(PUBLIC_DIR).filter((f) => f.endsWith('.js'));
  const size = (f: string) => gz(fs.readFileSync(path.join(PUBLIC_DIR, f)));

  it('ships the first paint (progress indicator) in at most 7 KB gzipped, inline', () => {
    const html = shellPage({
      title: 'Tandem session',
      script: manifest.viewer,
      config: {},
      bootText: 'Connecting…',
    });
    assert.ok(gz(html) <= 7 * KB, `${gz(html)} bytes`);
  });

  it('keeps the runtime injected into every proxied page at most 30 KB gzipped', () => {
    assert.ok(size(manifest.runtime) <= 30 * KB, `${size(manifest.runtime)} bytes`);
  });

  it('keeps the prelude loaded into every worker of a proxied page at most 3 KB gzipped', () => {
    assert.ok(size(manifest.worker) <= 3 * KB, `${size(manifest.worker)} bytes`);
  });

  it('keeps the viewer without the follower-only replayer at most 60 KB gzipped', () => {
    const mirror = files.filter((f) =>
      fs.readFileSync(path.join(PUBLIC_DIR, f), 'utf8').includes('rrweb-paused'),
    );
    assert.equal(mirror.length, 1, 'the replayer lives in exactly one chunk');
    const viewer = files.filter(
      (f) => f !== manifest.runtime && f !== manifest.worker && !mirror.includes(f),
    );
    const total = viewer.reduce((n, f) => n + size(f), 0);
    assert.ok(total <= 60 * KB, `${total} bytes`);
    assert.ok(!fs.readFileSync(path.join(PUBLIC_DIR, manifest.viewer), 'utf8').includes('rrweb-paused'));
  });
});
