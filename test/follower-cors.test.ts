import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import type { Browser, Frame, Page } from 'puppeteer-core';
import { frameShowing, launchBrowser, ownerAndFollower, until } from './helpers/browser.js';
import { request } from './helpers/content.js';
import { createSession, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { type Route, upstream } from './helpers/upstream.js';

const FONT = fs.readFileSync(
  createRequire(import.meta.url).resolve('@fontsource/inter/files/inter-latin-400-normal.woff2'),
);

describe('a follower’s copies keep the site’s CORS headers', function () {
  this.timeout(90_000);
  let tandem: TestTandem;
  let browser: Browser;
  let owner: Page;
  let follower: Page;
  let mirror: Frame;
  let live: Frame;
  let a: { url: string; server: http.Server };
  let b: { url: string; server: http.Server };
  const followerErrors: string[] = [];

  before(async () => {
    const aRoutes: Record<string, Route> = {};
    const bRoutes: Record<string, Route> = {};
    a = await upstream(aRoutes);
    b = await upstream(bRoutes);
    aRoutes['/'] = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'who=olivia; Path=/' }).end(
        `<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head><body>
          <p id="allowed">Allowed font</p>
          <p id="own">Own font</p>
          <img id="avatar" src="${b.url}/avatar.txt"></body></html>`,
      );
    aRoutes['/style.css'] = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/css' }).end(
        `@font-face{font-family:Allowed;src:url(${b.url}/allowed.woff2) format("woff2")}
        @font-face{font-family:Own;src:url(/own.woff2) format("woff2")}
        #allowed{font-family:Allowed} #own{font-family:Own}`,
      );
    bRoutes['/allowed.woff2'] = (_req, res) =>
      res
        .writeHead(200, {
          'content-type': 'font/woff2',
          'access-control-allow-origin': a.url,
          vary: 'Origin',
        })
        .end(FONT);
    // The page's own font needs no CORS for the page; in the mirror, on the viewer's origin, it does.
    aRoutes['/own.woff2'] = (_req, res) => res.writeHead(200, { 'content-type': 'font/woff2' }).end(FONT);
    // What the site shows depends on the session's cookies (ports share cookies: A's reach B).
    bRoutes['/avatar.txt'] = (req, res) =>
      res
        .writeHead(200, {
          'content-type': 'text/plain',
          'access-control-allow-origin': a.url,
          'access-control-allow-credentials': 'true',
        })
        .end(req.headers.cookie?.includes('who=olivia') ? 'olivia’s avatar' : 'anyone’s avatar');

    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    browser = await launchBrowser();
    ({ owner, follower } = await ownerAndFollower(browser));
    follower.on('console', (m) => {
      if (m.type() === 'error') followerErrors.push(m.text());
    });
    const session = await createSession(tandem.url, { startUrl: `${a.url}/` });
    await owner.goto(`${session.hostUrl}&name=Olivia`);
    live = await frameShowing(owner, 'Allowed font');
    await until('the owner’s page has its fonts', () =>
      live.evaluate(() => document.fonts.check('16px Allowed') && document.fonts.check('16px Own')),
    );
    await follower.goto(`${session.joinUrl}&name=Felix`);
    mirror = await frameShowing(follower, 'Allowed font');
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    a?.server.close();
    b?.server.close();
  });

  const fontStatus = (frame: Frame) =>
    frame.evaluate(async () => {
      await document.fonts.ready;
      return Object.fromEntries([...document.fonts].map((f) => [f.family, f.status]));
    });

  it('the page’s own web font, and one from another origin the site allows, load in the mirror as in the owner’s page', async () => {
    await until('the mirror has tried its fonts', async () => {
      const status = await fontStatus(mirror);
      return [status.Allowed, status.Own].every((s) => s !== 'loading' && s !== 'unloaded');
    });
    assert.deepEqual(await fontStatus(live), { Allowed: 'loaded', Own: 'loaded' });
    assert.deepEqual(await fontStatus(mirror), { Allowed: 'loaded', Own: 'loaded' });
    assert.deepEqual(
      followerErrors.filter((e) => e.includes('CORS')),
      [],
    );
  });

  it('a request without credentials from the viewer gets only what the site gives anyone', async () => {
    const src = await live.$eval('#avatar', (img) => (img as HTMLImageElement).src);
    await until('the owner’s page has the avatar', () =>
      live.$eval('#avatar', (img) => (img as HTMLImageElement).complete),
    );
    const { host, pathname } = new URL(src);
    const owners = await live.evaluate(
      async (url) => (await fetch(url, { credentials: 'include' })).text(),
      src,
    );
    assert.equal(owners, 'olivia’s avatar', 'the owner’s page gets the site as the session sees it');
    const viewer = await request(tandem.port, host, pathname, { headers: { origin: tandem.url } });
    assert.equal(viewer.status, 200);
    assert.equal(viewer.body, 'anyone’s avatar', 'not the copy fetched with the session’s cookies');
    assert.equal(viewer.headers['access-control-allow-origin'], tandem.url, 'the viewer stands in for A');
    assert.match(String(viewer.headers.vary), /Origin/);
    const stranger = await request(tandem.port, host, pathname, {
      headers: { origin: 'http://elsewhere.example' },
    });
    assert.equal(stranger.status, 307, 'any other origin is sent to be entered');
  });
});
