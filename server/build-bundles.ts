import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { PUBLIC_DIR } from './assets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const common: esbuild.BuildOptions = {
  bundle: true,
  minify: true,
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * The runtime is one classic script: it must run before the page's own scripts, synchronously, so
 * it cannot be an ES module or load chunks. The worker prelude is put in front of worker scripts,
 * classic or module, so it is plain code too. Each name carries its content hash.
 */
async function buildClassic(entry: string, name: string): Promise<string> {
  const result = await esbuild.build({
    ...common,
    entryPoints: [path.join(root, entry)],
    format: 'iife',
    write: false,
  });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  const hashed = `${name}.${crypto.createHash('sha256').update(file.contents).digest('hex').slice(0, 12)}.js`;
  fs.writeFileSync(path.join(PUBLIC_DIR, hashed), file.contents);
  return hashed;
}

/**
 * The viewer and the auditors' replay screen share chunks; the follower-only mirror (rrweb's
 * replayer) is a chunk loaded on demand.
 */
async function buildViewers(): Promise<{ viewer: string; replay: string }> {
  const result = await esbuild.build({
    ...common,
    entryPoints: {
      viewer: path.join(root, 'viewer/main.tsx'),
      replay: path.join(root, 'viewer/replay/main.tsx'),
    },
    format: 'esm',
    splitting: true,
    outdir: PUBLIC_DIR,
    entryNames: '[name].[hash]',
    chunkNames: 'chunk.[hash]',
    metafile: true,
  });
  const outputs = Object.entries(result.metafile?.outputs ?? {});
  const entry = (source: string) => {
    const found = outputs.find(([, o]) => o.entryPoint === source);
    if (!found) throw new Error(`esbuild produced no bundle for ${source}`);
    return path.basename(found[0]);
  };
  return { viewer: entry('viewer/main.tsx'), replay: entry('viewer/replay/main.tsx') };
}

fs.rmSync(PUBLIC_DIR, { recursive: true, force: true });
fs.mkdirSync(PUBLIC_DIR, { recursive: true });
const runtime = await buildClassic('runtime/index.ts', 'runtime');
const worker = await buildClassic('runtime/worker.ts', 'worker');
const { viewer, replay } = await buildViewers();
fs.writeFileSync(
  path.join(PUBLIC_DIR, 'manifest.json'),
  JSON.stringify({ runtime, worker, viewer, replay }, null, 2),
);
for (const f of fs.readdirSync(PUBLIC_DIR).filter((f) => f.endsWith('.js'))) {
  const size = fs.statSync(path.join(PUBLIC_DIR, f)).size;
  console.log(`bundle ${f} ${(size / 1024).toFixed(1)} KiB`);
}
