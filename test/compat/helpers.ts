import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { launchBrowser } from '../helpers/browser.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from '../helpers/tandem.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.pdf': 'application/pdf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The installed folder of an npm package; found by walking up, since some packages export no package.json. */
export function packageDir(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package ${name} is not installed`);
    dir = parent;
  }
}

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `root` read-only on its own loopback port, with `extra` files (pages written for the test,
 * specs, documents) laid over it by URL path.
 */
export async function serveStatic(
  root: string,
  extra: Record<string, string | Uint8Array> = {},
): Promise<StaticSite> {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const send = (body: string | Uint8Array, file: string) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      res.writeHead(200, { 'content-type': contentType(file), 'content-length': bytes.length });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    };
    const own = extra[pathname];
    if (own !== undefined) return send(own, pathname);
    const file = path.join(base, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    // path.join has already folded any `..`; what still points outside the root is refused.
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      send(data, file);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port that was free a moment ago, for servers that cannot be told to pick their own. */
/**
 * A package's folder (plus `files`) served for the enclosing describe block: `site` is there once
 * its `before` hooks have run, and closes after its tests.
 */
export function usePackageSite(
  name: string,
  files: Record<string, string | Uint8Array>,
): { site: StaticSite } {
  const served = {} as { site: StaticSite };
  before(async () => {
    served.site = await serveStatic(packageDir(name), files);
  });
  after(async () => served.site?.close());
  return served;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Runs an application's own server (`node <script> ...args`) as a child process and waits until
 * `url` answers. Its output is kept so that a start-up failure says why.
 */
export async function startApp(
  script: string,
  args: string[],
  url: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<StaticSite> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}):\n${output}`);
    const up = await fetch(url).then(
      (res) => res.body?.cancel().then(() => true) ?? true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`${script} did not answer at ${url}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: new URL(url).origin, close };
}

export interface CompatEnv {
  tandem: TestTandem;
  browser: Browser;
}

/** One Tandem (allowed to reach loopback) and one Chromium for a whole test file. */
export function useCompatEnv(): CompatEnv {
  const env = {} as CompatEnv;
  before(async () => {
    env.tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.tandem?.stop();
  });
  return env;
}

export interface Run<T> {
  result: T;
  requests: string[];
  errors: string[];
  url: string;
}

async function watch(page: Page): Promise<{ requests: string[]; errors: string[] }> {
  const seen = { requests: [] as string[], errors: [] as string[] };
  page.on('request', (r) => seen.requests.push(r.url()));
  // Puppeteer's request events leave WebSockets out; the DevTools protocol reports them.
  const devtools = await page.createCDPSession();
  devtools.on('Network.webSocketCreated', (e) => seen.requests.push(e.url));
  await devtools.send('Network.enable');
  page.on('console', (m) => {
    // The address is kept so that a failure names what failed; comparison ignores it.
    if (m.type() === 'error') seen.errors.push(`${m.text()} (${m.location().url ?? 'no address'})`);
  });
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
  return seen;
}

async function run<T>(
  context: BrowserContext,
  url: string,
  interact: (page: Page) => Promise<T>,
): Promise<Run<T>> {
  const page = await context.newPage();
  const seen = await watch(page);
  await page.goto(url);
  const result = await interact(page);
  const finalUrl = page.url();
  await page.close();
  return { result, ...seen, url: finalUrl };
}

/**
 * Opens `path` of `site` in a plain page and then through Tandem top-level, in one fresh browser
 * context, and runs the same interaction on each.
 */
export async function runBoth<T>(
  env: CompatEnv,
  site: StaticSite,
  pagePath: string,
  interact: (page: Page) => Promise<T>,
): Promise<{ direct: Run<T>; proxied: Run<T> }> {
  const context = await env.browser.createBrowserContext();
  try {
    const target = `${site.url}${pagePath}`;
    const direct = await run(context, target, interact);
    const session = await createSession(env.tandem.url);
    const owner = await joinAs(env.tandem.url, session.id, 'Olivia', session.hostKey);
    const open = `${env.tandem.url}/api/sessions/${session.id}/open?url=${encodeURIComponent(target)}&token=${owner.token}`;
    const proxied = await run(context, open, interact);
    return { direct, proxied };
  } finally {
    await context.close();
  }
}

/** Addresses differ between the runs (loopback port vs content host); the rest of a message must match. */
function normalise(message: string): string {
  return message.replace(/(?:https?|wss?):\/\/[^\s'"`)]+/g, '<url>');
}

/** What left the proxied page for anywhere but a content host or Tandem itself. */
export function escapedRequests(requests: string[], tandemUrl: string): string[] {
  const tandem = new URL(tandemUrl).origin;
  return requests.filter((u) => {
    const url = new URL(u);
    // These never reach the network.
    if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
    return !url.hostname.endsWith('.content.localhost') && url.origin !== tandem;
  });
}

/**
 * The proxied run shows what the direct run showed, stayed inside Tandem, and logged no error the
 * direct run did not also log.
 */
export function assertSameThroughTandem<T>(runs: { direct: Run<T>; proxied: Run<T> }, env: CompatEnv): void {
  const { direct, proxied } = runs;
  assert.ok(
    new URL(proxied.url).hostname.endsWith('.content.localhost'),
    `the proxied page ended on ${proxied.url}`,
  );
  assert.deepEqual(proxied.result, direct.result, 'the same observable result through Tandem');
  assert.deepEqual(escapedRequests(proxied.requests, env.tandem.url), [], 'requests outside Tandem');
  const known = new Set(direct.errors.map(normalise));
  const fresh = proxied.errors.filter((e) => !known.has(normalise(e)));
  assert.deepEqual(fresh, [], 'console errors only seen through Tandem');
}

/** Waits for `fn` in the page to return something other than undefined/null/false, and returns it. */
export async function waitValue<T>(page: Page, fn: () => T, timeout = 15_000): Promise<T> {
  const handle = await page.waitForFunction(fn, { timeout, polling: 50 });
  const value = (await handle.jsonValue()) as T;
  await handle.dispose();
  return value;
}
