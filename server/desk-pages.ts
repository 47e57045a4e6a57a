import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { WaitConfig } from '../viewer/desk/config.js';
import { type Manifest, PUBLIC_DIR } from './assets.js';
import { shellPage } from './pages.js';

/**
 * The desk's screens load only Tandem's own code, talk only to Tandem (the WebSocket is same-origin)
 * and may not be framed: a framed sign-in or accept button could be clickjacked. Images may come
 * from anywhere over https because a company's logo lives on its own site.
 */
export const DESK_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The placeholder embed.ts carries for the bundle names it prefetches. */
const PREFETCH_PLACEHOLDER = '__TANDEM_PREFETCH__';

const STAFF_PAGES = {
  agent: 'Agent console',
  supervisor: 'Supervisor',
  admin: 'Administration',
} as const;

/** What the wait page `/help/<key>` passes to the desk bundle; its route belongs to the queue. */
export type WaitPageConfig = Omit<WaitConfig, 'page'>;

/**
 * The visitor's wait page. `firstState` is the server-rendered form or status that works without
 * JavaScript; the script replaces it with the live page.
 */
export function waitPage(manifest: Manifest, config: WaitPageConfig, firstState: string): string {
  return shellPage({
    title: config.company ? `Help from ${config.company}` : 'Get help',
    script: manifest.desk,
    config: { page: 'wait', ...config },
    bootText: '',
    body: firstState,
  });
}

/** `/desk` (sign-in and sign-up), the three staff consoles, and the customers' `/embed.js`. */
export function deskPages(manifest: Manifest): express.Router {
  const router = express.Router();
  const page = (title: string, config: Record<string, unknown>) =>
    shellPage({
      title: `${title} · Tandem help desk`,
      script: manifest.desk,
      config,
      bootText: 'Opening the desk…',
    });

  const send = (res: express.Response, html: string) => {
    res.setHeader('content-security-policy', DESK_CSP);
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(html);
  };

  router.get('/desk', (_req, res) => send(res, page('Sign in', { page: 'sign-in' })));
  for (const [name, title] of Object.entries(STAFF_PAGES)) {
    router.get(`/desk/${name}`, (_req, res) => send(res, page(title, { page: name })));
  }

  // Bundle names are only known after the build, so the server writes them into the script.
  const embed = fs
    .readFileSync(path.join(PUBLIC_DIR, manifest.embed), 'utf8')
    .replace(PREFETCH_PLACEHOLDER, `${manifest.desk},${manifest.viewer}`);
  router.get('/embed.js', (_req, res) => {
    // The address is stable (it is pasted into customers' pages), so it is cached briefly, not forever.
    res.setHeader('cache-control', 'public, max-age=300');
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    res.type('text/javascript').send(embed);
  });
  return router;
}
