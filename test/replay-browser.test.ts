import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, ElementHandle, Frame, Page } from 'puppeteer-core';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { frameShowing, launchBrowser, seriousA11yViolations, until } from './helpers/browser.js';
import {
  type CreatedSession,
  createSession,
  joinAs,
  startTestTandem,
  type TestTandem,
} from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

const PASSWORD = 'hunter2-SECRET-pw';
const CHAT_OWNER = 'Please check the contact form, Felix';
const CHAT_FOLLOWER = 'Looks right to me';
const SHOTS = new URL('../../test-output/', import.meta.url);
/** The mirror counts as settled once nothing has arrived for this long. */
const QUIET_MS = 700;

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: fileURLToPath(new URL(`${name}.png`, SHOTS)) });
}

/** What a page frame shows of the fixture's contact form. */
interface Shown {
  heading: string;
  counter: string;
  name: string | null;
  password: string | null;
  scrollY: number;
}

const shown = (frame: Frame): Promise<Shown> =>
  frame.evaluate(() => ({
    heading: document.querySelector('h1')?.textContent ?? '',
    counter: document.getElementById('counter')?.textContent ?? '',
    name: (document.getElementById('fullname') as HTMLInputElement | null)?.value ?? null,
    password: (document.getElementById('password') as HTMLInputElement | null)?.value ?? null,
    scrollY: Math.round(window.scrollY),
  }));

/** A moment of the live session: what the follower's mirror showed, and when (server time). */
interface Moment {
  at: number;
  shown: Shown;
  chatLines: number;
}

describe('auditors find an archived session and replay it exactly as it happened, in Chromium', function () {
  this.timeout(240_000);
  let tandem: TestTandem;
  let site: FixtureSite;
  let browser: Browser;
  let session: CreatedSession;
  let other: CreatedSession;
  let key: string;
  let page: Page;
  const requests: string[] = [];
  const followerFrames: string[] = [];
  const moments: Moment[] = [];

  /** The server time of the last relayed message the follower has received, once the stream is quiet. */
  async function settledAt(): Promise<number> {
    let seen = -1;
    while (seen !== followerFrames.length) {
      seen = followerFrames.length;
      await new Promise((r) => setTimeout(r, QUIET_MS));
    }
    const last = followerFrames
      .map((f) => JSON.parse(f) as { at?: unknown })
      .filter((m) => typeof m.at === 'number')
      .at(-1);
    assert.ok(last, 'the follower has received relayed messages');
    return last.at as number;
  }

  const api = (path: string, auditorKey = key, init: RequestInit = {}) =>
    fetch(`${tandem.url}${path}`, { ...init, headers: { authorization: `Bearer ${auditorKey}` } });

  before(async () => {
    site = await startFixtureSite();
    tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    browser = await launchBrowser();
    session = await createSession(tandem.url);
    key = (await tandem.auditors.create('demo', 'Ada Auditor')).key;
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await site?.close();
  });

  it('records a real session: the owner browses and fills a form, a follower mirrors, both chat', async () => {
    const ownerContext = await browser.createBrowserContext();
    const followerContext = await browser.createBrowserContext();
    const owner = await ownerContext.newPage();
    const follower = await followerContext.newPage();
    await owner.setViewport({ width: 1100, height: 700 });
    await follower.setViewport({ width: 1100, height: 700 });
    const cdp = await follower.createCDPSession();
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketFrameReceived', (e) => followerFrames.push(e.response.payloadData));

    await owner.goto(`${session.hostUrl}&name=Olivia`);
    await owner.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await owner.type('[data-testid="address-bar"]', `${site.url}/`);
    await owner.keyboard.press('Enter');
    const home = await frameShowing(owner, 'Acme Outfitters');
    await follower.goto(`${session.joinUrl}&name=Felix`);
    await follower.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await frameShowing(follower, 'Acme Outfitters');

    await home.click('a[href="/form.html"]');
    const live = await frameShowing(owner, 'Contact form');
    const mirror = await frameShowing(follower, 'Contact form');
    await live.type('#fullname', 'Olivia');
    await until(
      'the mirror shows the name typed so far',
      async () => (await shown(mirror)).name === 'Olivia',
    );
    moments.push({ at: await settledAt(), shown: await shown(mirror), chatLines: 0 });

    await live.type('#fullname', ' Owner');
    await live.type('#password', PASSWORD);
    await owner.type('[data-testid="chat-input"]', CHAT_OWNER);
    await owner.keyboard.press('Enter');
    await follower.waitForSelector(`[data-testid="chat-line"]::-p-text(${CHAT_OWNER})`);
    await follower.type('[data-testid="chat-input"]', CHAT_FOLLOWER);
    await follower.keyboard.press('Enter');
    await owner.waitForSelector(`[data-testid="chat-line"]::-p-text(${CHAT_FOLLOWER})`);
    await live.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await until('the mirror shows everything typed, scrolled with the owner', async () => {
      const now = await shown(mirror);
      return (
        now.name === 'Olivia Owner' && now.password !== '' && now.scrollY === (await shown(live)).scrollY
      );
    });
    moments.push({ at: await settledAt(), shown: await shown(mirror), chatLines: 2 });
    const bottom = (await shown(live)).scrollY;

    // Then the page changes under a script, and Felix highlights the button and leaves his pointer on it.
    await live.click('#counter');
    await follower.click('[data-testid="tool-highlight"]');
    const counter = await mirror.$('#counter');
    await counter?.click();
    await follower.waitForSelector('[data-testid="tool-highlight"][aria-pressed="false"]');
    const box = await counter?.boundingBox();
    assert.ok(box);
    await follower.mouse.move(box.x + box.width / 3, box.y + box.height / 2, { steps: 4 });
    await until('the owner sees the highlight and Felix’s pointer', () =>
      live.evaluate(
        () =>
          (document.querySelector('tandem-overlay')?.textContent ?? '').includes('Felix') &&
          document.querySelectorAll('tandem-overlay div[style*="outline"]').length === 1,
      ),
    );
    // The owner's live page is the reference here: it is what the recording was made from.
    moments.push({ at: await settledAt(), shown: await shown(live), chatLines: 2 });

    const [first, second, third] = moments as [Moment, Moment, Moment];
    assert.deepEqual(first.shown, {
      heading: 'Contact form',
      counter: 'Clicked 0 times',
      name: 'Olivia',
      password: '',
      scrollY: 0,
    });
    assert.equal(second.shown.name, 'Olivia Owner');
    assert.equal(second.shown.scrollY, bottom, 'the mirror is scrolled where the owner is');
    assert.ok(bottom > 100, `the form page scrolls (${bottom})`);
    assert.ok(second.shown.password && !second.shown.password.includes('hunter2'), 'the mirror shows a mask');
    assert.equal(third.shown.counter, 'Clicked 1 times');
    assert.ok(first.at < second.at && second.at < third.at);

    await ownerContext.close();
    await followerContext.close();
    // Another session, so that finding this one by its chat is a real search.
    other = await createSession(tandem.url);
    const host = await joinAs(tandem.url, other.id, 'Hana', other.hostKey);
    const ws = await WsClient.connect(tandem.url, other.id, host.token);
    ws.send({ type: 'chat', text: 'Unrelated small talk' });
    await ws.next((m) => m.type === 'chat');
    ws.close();
  });

  it('asks for the access key when a replay is opened signed out, refusing a wrong one clearly', async () => {
    const context = await browser.createBrowserContext();
    page = await context.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    page.on('request', (r) => requests.push(r.url()));
    const first = moments[0] as Moment;
    await page.goto(`${tandem.url}/archive/${session.id}?t=${first.at}`);
    await page.waitForSelector('[data-testid="archive-signin-key"]');
    assert.equal(await page.$('[data-testid="replay-stage"]'), null, 'nothing of the session shows');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'archive-signin-key',
      'the key field has focus',
    );
    await page.keyboard.type('tak_not-a-real-key');
    await page.keyboard.press('Enter');
    const error = await page.waitForSelector('[data-testid="archive-signin-error"]');
    assert.match((await error?.evaluate((e) => e.textContent)) ?? '', /not valid/);
    assert.deepEqual(await seriousA11yViolations(page), [], 'the sign-in form');
    await page.click('[data-testid="archive-signin-key"]', { count: 3 });
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    assert.deepEqual(await shown(await replayFrameAt(first.at)), first.shown, 'the replay it was opened for');
    await page.goto(`${tandem.url}/archive`);
    await page.waitForSelector('[data-testid="archive-search"]');
  });

  it('lists the sessions and finds this one by its chat text', async () => {
    await until('both sessions are listed', async () => (await rows()).length === 2);
    assert.ok((await rows()).includes(session.id));
    await page.type('[data-testid="archive-search"] input[name="text"]', 'contact form, felix');
    await page.keyboard.press('Enter');
    await until('only this session is listed', async () => (await rows()).join() === session.id);
    const row = await page.$eval(
      `[data-testid="archive-session-row"][data-session="${session.id}"]`,
      (r) => ({
        text: r.textContent ?? '',
        link: r.querySelector('a')?.getAttribute('href'),
      }),
    );
    assert.match(row.text, /Olivia \(host\), Felix/);
    assert.equal(row.link, `/archive/${session.id}`);
    await shot(page, 'archive');
    assert.deepEqual(await seriousA11yViolations(page), [], 'the archive screen');

    await page.click('[data-testid="archive-search"] input[name="text"]', { count: 3 });
    await page.keyboard.type('words nobody said');
    await page.keyboard.press('Enter');
    await page.waitForSelector('::-p-text(No sessions match)');
    assert.deepEqual(await rows(), []);

    async function rows() {
      return page.$$eval('[data-testid="archive-session-row"]', (els) =>
        els.map((e) => e.getAttribute('data-session')),
      );
    }
  });

  it('replays the session paused at a given server time, showing what the follower saw then', async () => {
    const [first, second, third] = moments as [Moment, Moment, Moment];
    for (const m of [first, second]) {
      await page.goto(`${tandem.url}/archive/${session.id}?t=${m.at}`);
      const frame = await replayFrameAt(m.at);
      assert.deepEqual(await shown(frame), m.shown, `the replay at ${m.at}`);
      const chat = await page.$$eval('[data-testid="replay-chat-line"]', (els) => els.length);
      assert.equal(chat, m.chatLines, 'the chat up to that time');
      assert.equal(
        await page.$$eval('[data-testid="replay-marks"] > div', (els) => els.length),
        0,
        'no marks yet',
      );
    }
    await page.waitForSelector('[data-testid="replay-verify"][data-state="intact"]');

    await page.goto(`${tandem.url}/archive/${session.id}?t=${third.at}`);
    const later = await shown(await replayFrameAt(third.at));
    assert.deepEqual(
      { ...later, password: null },
      { ...third.shown, password: null },
      'the page as the owner had it, script changes included',
    );
    assert.equal(later.password, second.shown.password, 'the password stays masked');
    // Felix's highlight and pointer are drawn over the replayed counter button.
    const marks = await page.$$eval('[data-testid="replay-marks"] > div', (els) =>
      els.map((e) => ({ cls: e.className, text: e.textContent })),
    );
    assert.equal(marks.filter((m) => m.cls === 'mark-box').length, 1, JSON.stringify(marks));
    assert.equal(marks.filter((m) => m.cls === 'mark-dot').length, 1, JSON.stringify(marks));
    assert.ok(marks.some((m) => m.cls === 'mark-label' && m.text === 'Felix'));
    const overlap = await page.evaluate(() => {
      const frame = document.querySelector<HTMLIFrameElement>('[data-testid="replay-stage"] iframe');
      const button = frame?.contentDocument?.getElementById('counter')?.getBoundingClientRect();
      const mark = document.querySelector('[data-testid="replay-marks"] .mark-box')?.getBoundingClientRect();
      const f = frame?.getBoundingClientRect();
      if (!button || !mark || !f || !frame) return null;
      const scale = f.width / frame.offsetWidth;
      return {
        dx: Math.abs(f.left + button.left * scale - (mark.left + 3)),
        dy: Math.abs(f.top + button.top * scale - (mark.top + 3)),
      };
    });
    assert.ok(
      overlap && overlap.dx < 2 && overlap.dy < 2,
      `the highlight sits on the button: ${JSON.stringify(overlap)}`,
    );
    await shot(page, 'replay');
    assert.deepEqual(await seriousA11yViolations(page), [], 'the replay screen');

    // Seeking back in the same page shows the earlier moment again.
    await page.$eval(
      '[data-testid="replay-timeline"]',
      (el, value) => {
        const input = el as HTMLInputElement;
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, String(value));
        input.dispatchEvent(new Event('input', { bubbles: true }));
      },
      first.at,
    );
    assert.deepEqual(await shown(await replayFrameAt(first.at)), first.shown, 'after seeking back');
    assert.equal(
      await page.$$eval('[data-testid="replay-marks"] > div', (els) => els.length),
      0,
      'no marks yet',
    );
  });

  it('plays and pauses with Space, moves with the arrow keys, and seeks from the list of events', async () => {
    const clock = () => page.$eval('[data-testid="replay-clock"]', (e) => Number(e.getAttribute('data-at')));
    const before = await clock();
    await page.focus('[data-testid="replay-timeline"]');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="replay-play"][aria-pressed="true"]');
    await until('the replay plays on', async () => (await clock()) > before);
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="replay-play"][aria-pressed="false"]');
    const paused = await clock();
    const start = Number(await page.$eval('[data-testid="replay-timeline"]', (e) => e.getAttribute('min')));
    await page.keyboard.press('ArrowLeft');
    await until(
      'the clock went back five seconds',
      async () => (await clock()) === Math.max(start, paused - 5000),
    );

    await page.select('[data-testid="replay-speed"]', '4');
    assert.equal(
      await page.$eval('[data-testid="replay-speed"]', (e) => (e as HTMLSelectElement).value),
      '4',
    );

    const chat = followerFrames
      .map((f) => JSON.parse(f) as { type: string; at: number; text?: string })
      .find((m) => m.type === 'chat' && m.text === CHAT_FOLLOWER);
    assert.ok(chat);
    await page.click(`[data-testid="replay-events"] button::-p-text(${CHAT_FOLLOWER})`);
    await until('the clock is at the chat line', async () => (await clock()) === chat.at);
    const lines = await page.$$eval('[data-testid="replay-chat"] [data-testid="replay-chat-line"]', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /Felix: Looks right to me/);
    const present = await page.$$eval('[data-testid="replay-attendance"] li', (els) =>
      els.map((e) => [e.querySelector('.who')?.textContent, e.getAttribute('data-present')]),
    );
    assert.deepEqual(present, [
      ['Olivia (host)', 'true'],
      ['Felix', 'true'],
    ]);
  });

  it('shows the chain check and offers the export, and the password is nowhere in clear', async () => {
    const verdict = (await (await api(`/api/archive/sessions/${session.id}/verify`)).json()) as {
      intact: boolean;
      records: number;
    };
    assert.equal(verdict.intact, true);
    assert.equal(
      await page.$eval('[data-testid="replay-verify"]', (e) => e.textContent),
      `Chain intact (${verdict.records} records)`,
    );
    const href = await page.$eval('[data-testid="replay-export"]', (e) => e.getAttribute('href'));
    assert.equal(href, `/api/archive/sessions/${session.id}/export`);
    const exported = await (await api(href ?? '')).text();
    assert.ok(exported.includes(CHAT_FOLLOWER), 'the export holds the session');
    const html = await page.evaluate(
      () =>
        document.documentElement.outerHTML +
        (document.querySelector<HTMLIFrameElement>('[data-testid="replay-stage"] iframe')?.contentDocument
          ?.documentElement.outerHTML ?? ''),
    );
    for (const text of [exported, html, ...followerFrames]) {
      assert.ok(!text.includes(PASSWORD) && !text.includes('hunter2'), 'the password is never in clear');
    }
  });

  it('loads nothing but Tandem’s own code and the archive: no content host, no site', () => {
    const app = new URL(tandem.url);
    const fetched = requests
      .map((u) => new URL(u))
      .filter((u) => u.protocol === 'http:' || u.protocol === 'https:');
    assert.ok(
      fetched.some((u) => u.pathname.includes('/assets/')),
      'captured assets were loaded',
    );
    for (const u of fetched) {
      assert.equal(u.origin, app.origin, `${u.href} is on the app origin`);
      assert.match(u.pathname, /^\/(assets\/|archive(\/|$)|api\/archive\/)/, u.href);
    }
    assert.ok(!requests.some((u) => u.startsWith(site.url)));
  });

  it('tells another tenant’s auditor the session does not exist, on every route', async () => {
    await tandem.store.ensureTenant({ id: 'other', name: 'Other' });
    const stranger = (await tandem.auditors.create('other', 'Otto Outsider')).key;
    const page1 = (await (await api(`/api/archive/sessions/${session.id}/events?limit=50`)).json()) as {
      events: unknown[];
    };
    const asset = /\/api\/archive\/sessions\/[^/"]+\/assets\/[a-z2-7]+\/[^"\\]+\.svg/.exec(
      JSON.stringify(page1),
    )?.[0];
    assert.ok(asset, 'the recording names a captured asset');
    const routes = [
      `/archive/${session.id}`,
      `/api/archive/sessions/${session.id}`,
      `/api/archive/sessions/${session.id}/events`,
      `/api/archive/sessions/${session.id}/verify`,
      `/api/archive/sessions/${session.id}/export`,
      asset,
    ];
    for (const route of routes) {
      assert.equal((await api(route)).status, 200, `${route} answers this tenant`);
      assert.equal((await api(route, stranger)).status, 404, `${route} is hidden from another tenant`);
    }
    const listed = (await (await api('/api/archive/sessions', stranger)).json()) as { sessions: unknown[] };
    assert.deepEqual(listed.sessions, []);
  });

  it('imports an exported session, with a clear message when it cannot', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-import-'));
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const upload = async (file: string) => {
      const input = (await page.waitForSelector(
        '[data-testid="archive-import-file"]',
      )) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(file);
      await page.click('[data-testid="archive-import-submit"]');
    };
    try {
      const bad = write('bad.ndjson', 'not json at all\n');
      const again = write(
        'again.ndjson',
        await (await api(`/api/archive/sessions/${session.id}/export`)).text(),
      );
      // The small-talk session leaves the archive, to come back from its export.
      const moved = write(
        'moved.ndjson',
        await (await api(`/api/archive/sessions/${other.id}/export`)).text(),
      );
      assert.ok(await tandem.archive.delete('demo', other.id, 'moved to another archive'));
      await page.goto(`${tandem.url}/archive`);
      await until(
        'one session is listed',
        async () => (await page.$$('[data-testid="archive-session-row"]')).length === 1,
      );
      for (const [file, message] of [
        [bad, /not imported: line 1 is not JSON/],
        [again, /already in this archive/],
      ] as const) {
        await upload(file);
        const error = await page.waitForSelector('[data-testid="archive-import-error"]');
        await until('the error names the problem', async () =>
          message.test((await error?.evaluate((e) => e.textContent)) ?? ''),
        );
      }
      await upload(moved);
      await page.waitForSelector('::-p-text(Imported )');
      assert.equal(await page.$('[data-testid="archive-import-error"]'), null);
      await page.waitForSelector(`[data-testid="archive-session-row"][data-session="${other.id}"]`);
      await page.click('::-p-text(Replay the imported session)');
      await page.waitForSelector('[data-testid="replay-verify"][data-state="intact"]');
      await page.waitForSelector('[data-testid="replay-events"] ::-p-text(Hana: Unrelated small talk)');
      const people = await page.$$eval('[data-testid="replay-attendance"] .who', (els) =>
        els.map((e) => e.textContent),
      );
      assert.deepEqual(people, ['Hana (host)'], 'one person, known to the events and the summary alike');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await page.goto(`${tandem.url}/archive`);
    await (await page.waitForSelector('[data-testid="archive-signout"]'))?.click();
    await page.waitForSelector('[data-testid="archive-signin-key"]');
    assert.equal(await page.evaluate(() => fetch('/api/archive/me').then((r) => r.status)), 401);
  });

  /** The replay's frame once the screen is paused at `at`. */
  async function replayFrameAt(at: number): Promise<Frame> {
    await page.waitForSelector(`[data-testid="replay-clock"][data-at="${at}"]`);
    const frame = await (await page.$('[data-testid="replay-stage"] iframe'))?.contentFrame();
    assert.ok(frame, 'the replay frame is there');
    return frame;
  }
});
