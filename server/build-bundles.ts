import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { PUBLIC_DIR } from './assets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Builds one browser bundle and names it by its content hash so it can be cached for a year. */
async function bundle(name: string, entry: string, format: 'iife' | 'esm'): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    minify: true,
    format,
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  const hash = crypto.createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
  const out = `${name}.${hash}.js`;
  fs.writeFileSync(path.join(PUBLIC_DIR, out), file.contents);
  return out;
}

fs.rmSync(PUBLIC_DIR, { recursive: true, force: true });
fs.mkdirSync(PUBLIC_DIR, { recursive: true });
// The runtime is a classic script: it must run before the page's own scripts, synchronously.
const runtime = await bundle('runtime', 'runtime/index.ts', 'iife');
const viewer = await bundle('viewer', 'viewer/main.tsx', 'esm');
fs.writeFileSync(path.join(PUBLIC_DIR, 'manifest.json'), JSON.stringify({ runtime, viewer }, null, 2));
for (const f of [runtime, viewer]) {
  const size = fs.statSync(path.join(PUBLIC_DIR, f)).size;
  console.log(`bundle ${f} ${(size / 1024).toFixed(1)} KiB`);
}
