import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { readManifest } from '../server/assets.js';
import { frameShowing, launchBrowser, until } from './helpers/browser.js';
import { type DeskClient, signUpCompany } from './helpers/desk.js';
import { addStaff, lookAt, pageAs, textOf, waitForText } from './helpers/desk-browser.js';
import { startTestTandem, type TestTandem } from './helpers/tandem.js';

/** A customer's site on its own loopback origin: one shop page carrying the embed script. */
async function startCustomerSite(tandemUrl: string, key: string) {
  const server = http.createServer((req, res) => {
    const skill = new URL(req.url ?? '/', 'http://x').searchParams.get('skill');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><title>Acme shop</title></head>
<body><h1>Acme shop</h1><p>Blue kettle, 30 EUR.</p>
<script src="${tandemUrl}/embed.js" data-tandem-key="${key}"${skill ? ` data-tandem-skill="${skill}"` : ''} async></script>
</body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    /** The same server under another name: an origin the company never allowed. */
    otherOrigin: `http://localhost:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const BUTTON = '>>> [data-testid="tandem-help"]';

/**
 * The whole desk in Chromium: a customer page with the embed script, visitors clicking "Get help",
 * agents paged in their own browser contexts, supervisors watching.
 */
describe('desk end to end: the button, the queue, agents and supervisors', function () {
  this.timeout(180_000);
  let tandem: TestTandem;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startCustomerSite>>;
  let admin: DeskClient;
  let publicKey: string;

  before(async () => {
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' });
    browser = await launchBrowser();
    const company = await signUpCompany(tandem.url, 'Acme', 'ada@acme.test');
    admin = company.client;
    publicKey = company.publicKey;
    site = await startCustomerSite(tandem.url, publicKey);
    const current = (await admin.expect(200, 'GET', '/settings')).body as {
      version: number;
      settings: Record<string, unknown>;
    };
    await admin.expect(201, 'PUT', '/settings', {
      settings: {
        ...current.settings,
        allowedOrigins: [site.origin],
        offerTimeoutSeconds: 60,
        monitorNotice: true,
      },
      basedOn: current.version,
    });
  });
  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  /** An agent's console in a browser context of its own, set to `state`. */
  async function agentConsole(client: DeskClient, state: 'ready' | 'away' = 'ready'): Promise<Page> {
    const page = await pageAs(browser, tandem.url, client, '/desk/agent');
    await waitForText(page, '[data-testid="live-mode"]', 'Connected');
    await page.click(`[data-testid="state-${state}"]`);
    await waitForText(page, '[data-testid="time-in-state"]', state === 'ready' ? 'Ready for' : 'Away for');
    return page;
  }

  /** A visitor on the customer's page who clicks the button: the wait page that opens. */
  async function visitorClicks(from = `${site.origin}/shop`, options: { blockWebSocket?: boolean } = {}) {
    const context = await browser.createBrowserContext();
    const shop = await context.newPage();
    await shop.goto(from);
    // Polled from here: the attribute changes inside the button's shadow root, which a wait that
    // watches the document for mutations does not see, and animation frames may not run for a
    // page in the background.
    await until('the button has asked whether agents are available', async () =>
      Boolean(await shop.$(`${BUTTON}[data-available]`)),
    );
    const opened = browser.waitForTarget((t) => t.url().includes('/help/') && t.browserContext() === context);
    await shop.click(BUTTON);
    const wait = (await (await opened).page()) as Page;
    if (options.blockWebSocket) {
      // As behind a proxy that drops WebSockets: the wait page must fall back to polling. (The
      // session viewer it leads to is spared: it has no such fallback.)
      await wait.evaluateOnNewDocument(() => {
        if (!location.pathname.startsWith('/help/')) return;
        window.WebSocket = class {
          constructor() {
            throw new Error('blocked');
          }
        } as unknown as typeof WebSocket;
      });
      await wait.reload();
    }
    return { shop, wait };
  }

  async function ask(wait: Page, name: string, question = ''): Promise<void> {
    await wait.waitForSelector('[data-testid="visitor-name"]');
    await wait.type('[data-testid="visitor-name"]', name);
    if (question) await wait.type('[data-testid="visitor-question"]', question);
    await wait.click('[data-testid="visitor-ask"]');
    await wait.waitForSelector('[data-testid="wait-status"]');
  }

  const sessionOf = (page: Page) => new URL(page.url()).pathname;

  it('a visitor clicks the button, the Ready agent is paged and accepts, both land in one session on the shop page', async () => {
    const alice = await agentConsole(await addStaff(admin, 'Alice', 'agent'));
    const { shop, wait } = await visitorClicks();
    assert.equal(await shop.$eval(BUTTON, (a) => a.getAttribute('data-available')), 'true');
    assert.match(await shop.$eval(BUTTON, (a) => a.textContent ?? ''), /Agents available/);
    const prefetched = await shop.$$eval('link[rel="prefetch"]', (links) => links.map((l) => l.href));
    const manifest = readManifest();
    assert.deepEqual(prefetched, [
      `${tandem.url}/assets/${manifest.desk}`,
      `${tandem.url}/assets/${manifest.viewer}`,
    ]);
    const help = new URL(wait.url());
    assert.equal(help.searchParams.get('from'), `${site.origin}/shop`);
    await wait.waitForSelector('[data-testid="wait-ask"]');
    await lookAt(wait, 'wait-ask');

    await ask(wait, 'Vera', 'Is the kettle in stock?');
    await alice.waitForSelector('[data-testid="offer"]');
    await waitForText(alice, '[data-testid="offer"]', 'Vera needs help: Is the kettle in stock?');
    assert.equal(await textOf(alice, '[data-testid="offer-from"]'), `${site.origin}/shop`);
    assert.equal(
      await alice.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'offer-accept',
      'the offer takes the focus, so Enter accepts',
    );
    await lookAt(alice, 'agent-offer');

    const viewerOpened = browser.waitForTarget(
      (t) => t.url().includes('/s/') && t.browserContext() === alice.browserContext(),
    );
    await alice.keyboard.press('Enter');
    const agentViewer = (await (await viewerOpened).page()) as Page;
    await until('the visitor is sent into the session', async () => wait.url().includes('/s/'));
    assert.equal(sessionOf(agentViewer), sessionOf(wait), 'one session for both');
    await frameShowing(wait, 'Blue kettle');
    await frameShowing(agentViewer, 'Blue kettle');
    await alice.waitForSelector('[data-testid="my-sessions"] a');
    // Behind the viewer's window the console's page would not get the click.
    await alice.bringToFront();
    await alice.click('[data-testid="state-away"]');
  });

  it('overflow: keep waiting (placed by polling with WebSockets blocked), book a time, or try later', async () => {
    const bo = await addStaff(admin, 'Bo', 'agent', { skills: ['kettles'] });
    const boConsole = await agentConsole(bo, 'away');
    const shop = `${site.origin}/shop?skill=kettles`;
    const visitors = await Promise.all([
      visitorClicks(shop, { blockWebSocket: true }),
      visitorClicks(shop),
      visitorClicks(shop),
    ]);
    const [keep, book, later] = visitors.map((v) => v.wait) as [Page, Page, Page];
    await ask(keep, 'Kim');
    await ask(book, 'Ben');
    await ask(later, 'Lou');
    for (const w of [keep, book, later]) await w.waitForSelector('[data-testid="overflow"]');
    await lookAt(book, 'wait-overflow');
    assert.equal(
      await keep.$eval('[data-testid="wait-mode"]', (e) => e.getAttribute('data-mode')),
      'polling',
    );

    await later.click('[data-testid="overflow-later"]');
    await waitForText(later, '[data-testid="wait-status"]', 'Come back any time');

    await book.$eval('[data-testid="overflow-when"]', (el) => {
      const d = new Date(Date.now() + 24 * 3600_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      (el as HTMLInputElement).value =
        `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await book.click('[data-testid="overflow-schedule"]');
    await book.waitForSelector('[data-testid="scheduled"] a[href*="/s/"]');
    await lookAt(book, 'wait-scheduled');
    await boConsole.waitForSelector('[data-testid="calendar-entry"]');
    await waitForText(boConsole, '[data-testid="calendar"]', 'Ben needs help');

    await keep.click('[data-testid="overflow-wait"]');
    await waitForText(keep, '[data-testid="wait-status"]', /in line|next/);
    await boConsole.click('[data-testid="state-ready"]');
    await boConsole.waitForSelector('[data-testid="offer"]');
    await waitForText(boConsole, '[data-testid="offer"]', 'Kim needs help');
    await boConsole.click('[data-testid="offer-accept"]');
    await until('the polling visitor is placed', async () => keep.url().includes('/s/'));
    await frameShowing(keep, 'Blue kettle');
    await lookAt(boConsole, 'agent-calendar');
  });

  it('a page on an origin the company did not allow is refused, and the admin is alerted', async () => {
    const { wait } = await visitorClicks(`${site.otherOrigin}/shop`);
    await wait.waitForSelector('h1');
    assert.match(await textOf(wait, 'body'), /not offer live help on the page you came from/);
    const alerts = (await admin.expect(200, 'GET', '/alerts')).body as Array<{
      kind: string;
      detail: { origin?: string };
    }>;
    assert.ok(alerts.some((a) => a.kind === 'origin' && a.detail.origin === site.otherOrigin));
  });

  it('the hunt group offers the longest-idle Ready agent first; a decline passes to the next', async () => {
    const skill = 'returns';
    const agents: Page[] = [];
    for (const name of ['Cleo', 'Dan', 'Eve']) {
      agents.push(await agentConsole(await addStaff(admin, name, 'agent', { skills: [skill] })));
    }
    const [cleo, dan, eve] = agents as [Page, Page, Page];
    const { wait } = await visitorClicks(`${site.origin}/shop?skill=${skill}`);
    await ask(wait, 'Hal');
    for (const [page, next] of [
      [cleo, dan],
      [dan, eve],
    ] as const) {
      await page.waitForSelector('[data-testid="offer"]');
      for (const other of agents.filter((a) => a !== page)) {
        assert.equal(await other.$('[data-testid="offer"]'), null, 'one agent is offered at a time');
      }
      await page.click('[data-testid="offer-decline"]');
      await next.waitForSelector('[data-testid="offer"]');
    }
    await waitForText(eve, '[data-testid="offer"]', 'Hal needs help');
    await eve.click('[data-testid="offer-accept"]');
    await until('Hal is placed with Eve', async () => wait.url().includes('/s/'));
  });

  it('the supervisor sees states change live, watches a session silently and whispers to the agent', async () => {
    const sam = await addStaff(admin, 'Sam', 'supervisor');
    const board = await pageAs(browser, tandem.url, sam, '/desk/supervisor');
    await waitForText(board, '[data-testid="live-mode"]', 'Live');
    const fay = await agentConsole(await addStaff(admin, 'Fay', 'agent', { skills: ['gifts'] }), 'away');
    const fayRow = '[data-testid="board-agent"][data-agent="Fay"] [data-testid="agent-state"]';
    await waitForText(board, fayRow, 'Away');
    await fay.click('[data-testid="state-break"]');
    await waitForText(board, fayRow, 'On break');
    await fay.click('[data-testid="state-ready"]');
    await waitForText(board, fayRow, 'Ready');

    const { wait } = await visitorClicks(`${site.origin}/shop?skill=gifts`);
    await ask(wait, 'Gus');
    await fay.waitForSelector('[data-testid="offer"]');
    const fayOpened = browser.waitForTarget(
      (t) => t.url().includes('/s/') && t.browserContext() === fay.browserContext(),
    );
    await fay.click('[data-testid="offer-accept"]');
    const fayViewer = (await (await fayOpened).page()) as Page;
    await until('Gus is placed', async () => wait.url().includes('/s/'));
    await frameShowing(wait, 'Blue kettle');

    const watchButton = '[data-testid="board-agent"][data-agent="Fay"] [data-testid="watch"]';
    await board.waitForSelector(watchButton);
    await lookAt(board, 'supervisor');
    const opened = browser.waitForTarget(
      (t) => t.url().includes('/s/') && t.browserContext() === board.browserContext(),
    );
    await board.click(watchButton);
    const watcher = (await (await opened).page()) as Page;
    assert.equal(sessionOf(watcher), sessionOf(wait));
    await frameShowing(watcher, 'Blue kettle');
    await waitForText(board, '[data-testid="board-agent"][data-agent="Fay"]', '(watching)');
    const names = await wait.$$eval('[data-testid="participant"]', (items) =>
      items.map((i) => i.textContent ?? ''),
    );
    assert.ok(
      names.some((n) => n.includes('Fay')),
      `the visitor sees the agent: ${names}`,
    );
    assert.ok(!names.some((n) => n.includes('Sam')), `the visitor does not see the supervisor: ${names}`);

    const onlyFay = await watcher.$$eval('[data-testid="chat-to"] option', (options) =>
      options.find((o) => o.textContent === 'Only Fay')?.getAttribute('value'),
    );
    assert.ok(onlyFay, 'the supervisor can whisper to the agent');
    await watcher.select('[data-testid="chat-to"]', onlyFay);
    await watcher.type('[data-testid="chat-input"]', 'Offer the gift wrap');
    await watcher.keyboard.press('Enter');
    await waitForText(fayViewer, '[data-testid="chat-log"]', 'Offer the gift wrap');
    await wait.type('[data-testid="chat-input"]', 'Thanks!');
    await wait.keyboard.press('Enter');
    await waitForText(fayViewer, '[data-testid="chat-log"]', 'Thanks!');
    assert.doesNotMatch(
      await textOf(wait, '[data-testid="chat-log"]'),
      /gift wrap/,
      'the visitor never sees it',
    );
  });

  it('an offer nobody answers is withdrawn, and the console says why the agent is now Not ready', async () => {
    const current = (await admin.expect(200, 'GET', '/settings')).body as {
      version: number;
      settings: Record<string, unknown>;
    };
    await admin.expect(201, 'PUT', '/settings', {
      settings: { ...current.settings, offerTimeoutSeconds: 5 },
      basedOn: current.version,
    });
    const ida = await agentConsole(await addStaff(admin, 'Ida', 'agent', { skills: ['clocks'] }));
    const asked = await fetch(`${tandem.url}/api/desk/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: site.origin },
      body: JSON.stringify({ key: publicKey, from: `${site.origin}/shop`, skill: 'clocks', name: 'Jo' }),
    });
    assert.equal(asked.status, 201);
    await ida.waitForSelector('[data-testid="offer"]');
    await waitForText(ida, '[data-testid="offer-accept"]', /Accept \(\d s\)/);
    await waitForText(ida, '[data-testid="state-note"]', 'an offer went unanswered');
    assert.equal(await ida.$('[data-testid="offer"]'), null);
    assert.equal(
      await ida.$eval('[data-testid="state-not-ready"]', (r) => (r as HTMLInputElement).checked),
      true,
    );
  });
});
