import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame } from 'puppeteer-core';
import { frameShowing, launchBrowser, until } from './helpers/browser.js';
import { createSession, startTestTandem, type TestTandem } from './helpers/tandem.js';

/** Each document writes what it sees of its place among frames into `data-seen` as it loads. */
const PAGES: Record<string, string> = {
  '/top.html': `<!doctype html><html><head><title>Frames</title></head><body><h1>Frames page</h1>
<script>
document.documentElement.dataset.seen = JSON.stringify({
  parentIsSelf: window.parent === window,
  parentIsSelfBare: parent === self,
  frameElement: window.frameElement,
  ancestors: Array.from(location.ancestorOrigins),
  ancestorCount: location.ancestorOrigins.length,
  firstAncestor: location.ancestorOrigins.item(0),
  topIsSelf: window.top === window,
});
</script>
<iframe id="child" src="/child.html"></iframe>
<iframe id="boxed" sandbox="allow-scripts" src="/boxed.html"></iframe>
</body></html>`,
  '/child.html': `<!doctype html><html><head><title>Child</title></head><body>child
<script>
document.documentElement.dataset.seen = JSON.stringify({
  parentIsSelf: parent === window,
  parentTitle: parent.document.title,
  frameElement: frameElement && frameElement.id,
  parentsParentIsParent: parent.parent === parent,
  ancestors: Array.from(location.ancestorOrigins),
  pageOrigin: parent.location.origin,
});
</script></body></html>`,
  '/boxed.html': `<!doctype html><html><head><title>Boxed</title></head><body>boxed
<script>
let reachable = true;
try { parent.document; } catch { reachable = false; }
document.documentElement.dataset.seen = JSON.stringify({
  origin: self.origin,
  parentIsSelf: parent === window,
  parentDocumentReachable: reachable,
});
</script></body></html>`,
};

async function seen(frame: Frame): Promise<Record<string, unknown>> {
  await until(`${frame.url()} has reported`, async () =>
    frame.evaluate(() => document.documentElement.dataset.seen !== undefined),
  );
  return JSON.parse(await frame.evaluate(() => document.documentElement.dataset.seen ?? '{}'));
}

describe("frames: the page in the owner's live frame believes it is the top window", function () {
  this.timeout(60_000);
  let upstream: http.Server;
  let site: string;
  let tandem: TestTandem;
  let browser: Browser;

  before(async () => {
    upstream = http.createServer((req, res) => {
      const body = PAGES[req.url ?? ''];
      if (!body) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    site = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await tandem?.stop();
    upstream?.close();
  });

  it('sees itself as its parent with no ancestors, while its frames see it above them and the sandbox holds', async () => {
    const session = await createSession(tandem.url);
    const owner = await (await browser.createBrowserContext()).newPage();
    await owner.goto(`${session.hostUrl}&name=Olivia`);
    await owner.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await owner.type('[data-testid="address-bar"]', `${site}/top.html`);
    await owner.keyboard.press('Enter');
    const live = await frameShowing(owner, 'Frames page');
    const pageOrigin = new URL(live.url()).origin;

    assert.deepEqual(await seen(live), {
      parentIsSelf: true,
      parentIsSelfBare: true,
      frameElement: null,
      ancestors: [],
      ancestorCount: 0,
      firstAncestor: null,
      // Unforgeable: the one place the viewer still shows.
      topIsSelf: false,
    });

    const child = live.childFrames().find((f) => f.url().endsWith('/child.html'));
    const boxed = live.childFrames().find((f) => f.url().endsWith('/boxed.html'));
    assert.ok(child && boxed, 'both frames loaded through the proxy');
    assert.deepEqual(await seen(child), {
      parentIsSelf: false,
      parentTitle: 'Frames',
      frameElement: 'child',
      parentsParentIsParent: true,
      ancestors: [pageOrigin],
      pageOrigin,
    });
    assert.deepEqual(await seen(boxed), {
      origin: 'null',
      parentIsSelf: false,
      parentDocumentReachable: false,
    });
    assert.equal(
      await live.evaluate(() => document.getElementById('boxed')?.getAttribute('sandbox')),
      'allow-scripts',
    );

    // The runtime still found the viewer it hides: a follower's mirror shows the page.
    const follower = await (await browser.createBrowserContext()).newPage();
    await follower.goto(`${session.joinUrl}&name=Felix`);
    await frameShowing(follower, 'Frames page');
  });
});
