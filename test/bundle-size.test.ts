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
  /** An entry and every chunk it imports, statically or on demand, through esbuild's relative imports. */
  const reachable = (entry: string): Set<string> => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      const code = fs.readFileSync(path.join(PUBLIC_DIR, f), 'utf8');
      for (const m of code.matchAll(/(?:from|import\(?)\s*"\.\/([\w.]+\.js)"/g)) visit(m[1] as string);
    };
    visit(entry);
    return seen;
  };

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
    const viewer = [...reachable(manifest.viewer)].filter((f) => !mirror.includes(f));
    const total = viewer.reduce((n, f) => n + size(f), 0);
    assert.ok(total <= 60 * KB, `${total} bytes`);
    assert.ok(!fs.readFileSync(path.join(PUBLIC_DIR, manifest.viewer), 'utf8').includes('rrweb-paused'));
  });

  it('keeps the desk’s code out of what the session viewer loads', () => {
    for (const f of reachable(manifest.viewer)) {
      assert.ok(
        !fs.readFileSync(path.join(PUBLIC_DIR, f), 'utf8').includes('/api/desk/'),
        `${f} holds desk code`,
      );
    }
    assert.ok(fs.readFileSync(path.join(PUBLIC_DIR, manifest.desk), 'utf8').includes('/api/desk/'));
  });

  it('keeps the visitor’s wait page (the desk bundle) at most 30 KB gzipped', () => {
    const total = [...reachable(manifest.desk)].reduce((n, f) => n + size(f), 0);
    assert.ok(total <= 30 * KB, `${total} bytes`);
  });

  it('keeps embed.js, loaded on every page of a customer’s site, at most 3 KB gzipped', () => {
    assert.ok(size(manifest.embed) <= 3 * KB, `${size(manifest.embed)} bytes`);
  });
});
