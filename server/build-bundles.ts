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
 * One classic script: the runtime must run before the page's own scripts, synchronously; the worker
 * prelude is put in front of worker scripts, classic or module; the embed script runs on a
 * customer's page. None of them can be an ES module or load chunks. Each name carries its content
 * hash (cached for a year).
 */
async function buildClassic(name: string, entry: string): Promise<string> {
  const result = await esbuild.build({
    ...common,
    entryPoints: [path.join(root, entry)],
    format: 'iife',
    write: false,
  });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild produced no ${name}`);
  const hashed = `${name}.${crypto.createHash('sha256').update(file.contents).digest('hex').slice(0, 12)}.js`;
  fs.writeFileSync(path.join(PUBLIC_DIR, hashed), file.contents);
  return hashed;
}

/**
 * The viewer, the auditors' replay screen and the desk share chunks; the follower-only mirror
 * (rrweb's replayer) is a chunk loaded on demand. The desk is its own entry so the viewer's first
 * paint does not carry it.
 */
async function buildViewers(): Promise<{ viewer: string; replay: string; desk: string }> {
  const result = await esbuild.build({
    ...common,
    entryPoints: {
      viewer: path.join(root, 'viewer/main.tsx'),
      replay: path.join(root, 'viewer/replay/main.tsx'),
      desk: path.join(root, 'viewer/desk/main.tsx'),
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
  return {
    viewer: entry('viewer/main.tsx'),
    replay: entry('viewer/replay/main.tsx'),
    desk: entry('viewer/desk/main.tsx'),
  };
}

fs.rmSync(PUBLIC_DIR, { recursive: true, force: true });
fs.mkdirSync(PUBLIC_DIR, { recursive: true });
const runtime = await buildClassic('runtime', 'runtime/index.ts');
const worker = await buildClassic('worker', 'runtime/worker.ts');
const embed = await buildClassic('embed', 'viewer/desk/embed.ts');
const { viewer, replay, desk } = await buildViewers();
fs.writeFileSync(
  path.join(PUBLIC_DIR, 'manifest.json'),
  JSON.stringify({ runtime, worker, viewer, replay, desk, embed }, null, 2),
);
for (const f of fs.readdirSync(PUBLIC_DIR).filter((f) => f.endsWith('.js'))) {
  const size = fs.statSync(path.join(PUBLIC_DIR, f)).size;
  console.log(`bundle ${f} ${(size / 1024).toFixed(1)} KiB`);
}
