import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Manifest {
  runtime: string;
  /** The prelude of workers started by proxied pages. */
  worker: string;
  viewer: string;
  /** The auditors' archive and replay screens. */
  replay: string;
}

export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** Reads the names of the content-hashed browser bundles that `npm run build` wrote. */
export function readManifest(): Manifest {
  const file = `${PUBLIC_DIR}manifest.json`;
  if (!fs.existsSync(file)) {
    throw new Error(`browser bundles are missing (${file}); run "npm run build" first`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
}
