import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Browser } from 'puppeteer-core';
import { parseConfig } from '../server/config.js';
import { startTandem, type Tandem } from '../server/tandem.js';
import { clickInWhoRow, launchBrowser, seriousA11yViolations, shot } from './helpers/browser.js';
import { runCli } from './helpers/process.js';
import { createSession, joinAs } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

describe('viewer states: landing, phone width, reconnecting with queued chat', function () {
  this.timeout(90_000);
  let browser: Browser;
  let dataDir: string;
  let tandem: Tandem;
  const start = (port: number) =>
    startTandem(parseConfig({ PORT: String(port), TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []), {
      logger: pino({ level: 'silent' }),
    });

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-states-'));
    tandem = await start(0);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await tandem?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the landing page starts a session and has no serious accessibility violations', async () => {
    const page = await browser.newPage();
    await page.goto(`${tandem.url}/`);
    await page.waitForSelector('[data-testid="start-session"]');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await shot(page, '0-landing');
    await page.type('input[autocomplete="name"]', 'Olivia');
    await page.click('[data-testid="start-session"]');
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    assert.match(page.url(), /\/s\/[\w-]+\?key=.+&name=Olivia$/);
    await page.waitForSelector('::-p-text(Type an address above)');
    await page.close();
  });

  it('works at 360 px wide', async () => {
    const session = await createSession(tandem.url);
    const page = await browser.newPage();
    await page.setViewport({ width: 360, height: 740, isMobile: true, hasTouch: true });
    await page.goto(`${session.hostUrl}&name=Phone`);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
    for (const id of ['address-bar', 'chat-input', 'participants', 'exit']) {
      const box = await (await page.$(`[data-testid="${id}"]`))?.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `${id} is on screen`);
    }
    assert.deepEqual(await seriousA11yViolations(page), []);
    await shot(page, '6-phone');
    await page.click('[data-testid="help"]');
    await page.waitForSelector('[data-testid="help-dialog"][open]');
    assert.deepEqual(await seriousA11yViolations(page), [], 'the help dialog');
    await page.waitForSelector('[data-testid="help-dialog"] ::-p-text(Lock)');
    await shot(page, '9-help');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="help-dialog"]', { hidden: true });
    await page.click('[data-testid="mute"]');
    await page.waitForSelector('[data-testid="mute"][aria-pressed="true"]');
    await page.reload();
    await page.waitForSelector('[data-testid="mute"][aria-pressed="true"]', { timeout: 10_000 });
    await page.close();
  });

  it('shows reconnecting with a countdown, queues chat typed meanwhile, and sends it on reconnect', async () => {
    const session = await createSession(tandem.url);
    const page = await browser.newPage();
    await page.goto(`${session.hostUrl}&name=Olivia`);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const port = tandem.port;
    await tandem.stop();
    await page.waitForSelector('[data-testid="connection"]::-p-text(reconnecting)');
    await page.type('[data-testid="chat-input"]', 'typed while offline');
    await page.keyboard.press('Enter');
    await page.waitForSelector('::-p-text(sending…)');
    await page.waitForSelector('[data-testid="connection-banner"]::-p-text(sent when you are back)');
    assert.deepEqual(await seriousA11yViolations(page), [], 'while reconnecting');
    await shot(page, '7-reconnecting');
    tandem = await start(port);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="chat-line"]::-p-text(typed while offline)');
    assert.equal(await page.$('::-p-text(sending…)'), null, 'nothing left pending');
    assert.equal(await page.$('[data-testid="connection-banner"]'), null, 'the banner goes once live');
    await page.close();
  });

  it('flags a new chat line in the title and speaks it while in the background; focus returns to the chat', async () => {
    const session = await createSession(tandem.url);
    const page = await browser.newPage();
    await page.goto(`${session.hostUrl}&name=Olivia`);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const title = await page.title();
    await page.click('[data-testid="help"]');
    await page.click('[data-testid="speak"]');
    await page.waitForSelector('[data-testid="speak"]:checked');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="help-dialog"]', { hidden: true });
    // What is said is recorded instead of sounding: a headless browser has no voice to listen to.
    await page.evaluate(() => {
      const said: string[] = [];
      (window as unknown as { said: string[] }).said = said;
      speechSynthesis.speak = (u: SpeechSynthesisUtterance) => void said.push(u.text);
    });
    await page.focus('[data-testid="address-bar"]');
    const other = await browser.newPage();
    await other.bringToFront();
    const felix = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const ws = await WsClient.connect(tandem.url, session.id, felix.token);
    ws.send({ type: 'chat', text: 'are you there?' });
    await page.waitForFunction(() => document.title.startsWith('(1) '));
    await page.waitForFunction(() =>
      (window as unknown as { said: string[] }).said.includes('Incoming chat from Felix'),
    );
    await page.bringToFront();
    await page.waitForFunction((t) => document.title === t, {}, title);
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'chat-input');
    ws.close();
    await other.close();
    await page.close();
  });

  it('follows the system’s dark theme, readable (no serious accessibility violations)', async () => {
    const session = await createSession(tandem.url, { startUrl: 'https://shop.example/' });
    const page = await browser.newPage();
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await page.goto(`${session.hostUrl}&name=Olivia`);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const felix = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const ws = await WsClient.connect(tandem.url, session.id, felix.token);
    const welcome = (await ws.next((m) => m.type === 'welcome')) as unknown as {
      participants: Array<{ id: string; name: string }>;
    };
    const olivia = welcome.participants.find((p) => p.name === 'Olivia')?.id ?? '';
    ws.send({ type: 'chat', text: 'Hello from the dark side' });
    ws.send({ type: 'chat', text: 'Can we talk privately?', to: [olivia] });
    await page.waitForSelector('[data-testid="chat-line"]::-p-text(Hello from the dark side)');
    await page.waitForSelector('[data-testid="rooms-unread"]::-p-text(1 new)');
    await page.click('[data-testid="rooms-toggle"]');
    await page.waitForSelector('[data-testid="room-item"]::-p-text(Can we talk privately?)');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, 'rgb(255, 255, 255)', 'a dark page');
    assert.deepEqual(await seriousA11yViolations(page), []);
    await shot(page, '20-dark-theme');
    ws.close();
    await page.close();
  });

  it('in a collaboration session a follower takes control without asking', async () => {
    const session = await createSession(tandem.url, { batonPolicy: 'collaboration' });
    const host = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const ws = await WsClient.connect(tandem.url, session.id, host.token);
    await ws.next((m) => m.type === 'welcome');
    const page = await browser.newPage();
    await page.goto(`${session.joinUrl}&name=Felix`);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    assert.equal(await page.$('[data-testid="baton-request"]'), null, 'no need to ask');
    await page.click('[data-testid="baton-take"]');
    await page.waitForSelector('[data-testid="participant"][data-leader="true"]::-p-text(Felix)');
    ws.close();
    await page.close();
  });

  it('saved replies go into the message with a click or Alt+number; saved pages lead everyone there', async () => {
    const start = 'https://shop.example/start';
    const session = await createSession(tandem.url, { startUrl: start });
    const page = await browser.newPage();
    await page.goto(`${session.hostUrl}&name=Olivia`);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const felix = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const ws = await WsClient.connect(tandem.url, session.id, felix.token);
    const chatValue = () => page.$eval('[data-testid="chat-input"]', (el) => (el as HTMLInputElement).value);

    await page.click('[data-testid="macros-toggle"]');
    await page.waitForSelector('[data-testid="macros-list"]');
    assert.deepEqual(await seriousA11yViolations(page), [], 'the open menu');
    await page.type('[data-testid="macro-new"]', 'Your order number is on the receipt.');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="macro-item"]::-p-text(Your order number)');
    await page.click('[data-testid="macro-save-page"]');
    await page.waitForSelector('[data-testid="macro-item"][data-kind="url"]');
    await shot(page, '10-saved-replies');
    await page.click('[data-testid="macro-item"]::-p-text(Your order number)');
    await page.waitForSelector('[data-testid="macros-list"]', { hidden: true });
    assert.equal(await chatValue(), 'Your order number is on the receipt.');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'macros-toggle',
      'focus returns to the menu button',
    );

    await page.$eval('[data-testid="chat-input"]', (el) => (el as HTMLInputElement).focus());
    await page.keyboard.down('Alt');
    await page.keyboard.press('Digit1');
    await page.keyboard.up('Alt');
    assert.match(await chatValue(), /receipt\. Hi! I’m here to help/, 'Alt+1 adds the first saved reply');
    await page.keyboard.press('Enter');
    await ws.next((m) => m.type === 'chat' && String(m.text).startsWith('Your order number'));

    await page.reload();
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await page.click('[data-testid="macros-toggle"]');
    await page.click('[data-testid="macro-item"][data-kind="url"]');
    const nav = await ws.next((m) => m.type === 'nav');
    assert.equal(nav.url, start, 'the saved page, kept across a reload, is where everyone is led');

    await page.click('[data-testid="macros-toggle"]');
    await page.click('button[aria-label="Remove “Your order number is on the receipt.”"]');
    await page.waitForSelector('[data-testid="macro-item"]::-p-text(Your order number)', { hidden: true });
    ws.close();
    await page.close();
  });

  it('a private line reaches only the person chosen, marked as private for both', async () => {
    const session = await createSession(tandem.url);
    const host = await browser.newPage();
    await host.goto(`${session.hostUrl}&name=Olivia`);
    await host.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const felix = await browser.createBrowserContext();
    const guest = await felix.newPage();
    await guest.goto(`${session.joinUrl}&name=Felix`);
    await guest.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const third = await joinAs(tandem.url, session.id, 'Mia', session.joinKey);
    const mia = await WsClient.connect(tandem.url, session.id, third.token);
    await mia.next((m) => m.type === 'welcome');

    await guest.waitForSelector('[data-testid="chat-to"] option::-p-text(Only Olivia)');
    const hostId = await guest.$eval(
      '[data-testid="chat-to"]',
      (el) => [...(el as HTMLSelectElement).options].find((o) => o.text === 'Only Olivia')?.value ?? '',
    );
    await guest.select('[data-testid="chat-to"]', hostId);
    await guest.type('[data-testid="chat-input"]', 'can you check my order?');
    await guest.keyboard.press('Enter');
    await host.waitForSelector('[data-testid="chat-line"][data-private]::-p-text(can you check my order?)');
    assert.match(
      await host.$eval('[data-testid="chat-line"][data-private]', (el) => el.textContent ?? ''),
      /Felix:\(privately\) can you check my order\?/,
    );
    await guest.waitForSelector('[data-testid="chat-line"][data-private]::-p-text((to Olivia))');
    assert.deepEqual(await seriousA11yViolations(guest), [], 'the chat with its recipient choice');
    await shot(guest, '11-private-line');
    await guest.select('[data-testid="chat-to"]', '');
    await guest.type('[data-testid="chat-input"]', 'thanks everyone');
    await guest.keyboard.press('Enter');
    await mia.next((m) => m.type === 'chat' && m.text === 'thanks everyone');
    assert.equal(
      mia.received.some((m) => m.type === 'chat' && m.text === 'can you check my order?'),
      false,
      'the third participant never got the private line',
    );
    mia.close();
    await felix.close();
    await host.close();
  });

  it('the host removes a follower, who is told and cannot come back, with their token or the old link', async () => {
    const session = await createSession(tandem.url);
    const host = await browser.newPage();
    await host.goto(`${session.hostUrl}&name=Olivia`);
    await host.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const context = await browser.createBrowserContext();
    const guest = await context.newPage();
    await guest.goto(`${session.joinUrl}&name=Troll`);
    await guest.waitForSelector('[data-testid="connection"]::-p-text(live)');

    await host.waitForSelector('[data-testid="participant-remove"][aria-label="Remove Troll"]');
    await host.click('[data-testid="participant-remove"]');
    await host.waitForSelector('[data-testid="participant-remove"]::-p-text(Remove for good?)');
    await shot(host, '12-confirm-remove');
    await host.click('[data-testid="participant-remove"]');
    await guest.waitForSelector('h1::-p-text(The host removed you from this session)');
    await host.waitForFunction(
      () =>
        ![...document.querySelectorAll('[data-testid="participant"]')].some((li) =>
          li.textContent?.includes('Troll'),
        ),
    );
    await guest.reload();
    await guest.waitForSelector('h1::-p-text(The host removed you from this session)');
    // Nor under another name: the link they came in with was replaced, and the host has the new one.
    await host.waitForSelector('[role="alert"]::-p-text(The invite link has changed)');
    await host.waitForFunction(
      (old) => {
        const value = (document.querySelector('[data-testid="share-link"]') as HTMLInputElement | null)
          ?.value;
        return value !== undefined && value !== old;
      },
      {},
      session.joinUrl,
    );
    const newLink = await host.$eval('[data-testid="share-link"]', (e) => (e as HTMLInputElement).value);
    const again = await context.newPage();
    await again.goto(`${session.joinUrl}&name=Troll2`);
    await again.waitForSelector(
      '[role="alert"]::-p-text(This invite link was replaced by the host; ask them for the new one.)',
    );
    await shot(again, '12-old-link-refused');
    const other = await browser.createBrowserContext();
    const newcomer = await other.newPage();
    await newcomer.goto(`${newLink}&name=Mia`);
    await newcomer.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await other.close();
    await context.close();
    await host.close();
  });

  it('a follower asks the host a question: only the host sees it until they show it to everyone', async () => {
    // Lines show as they are typed in this session, but a question being written does not.
    const session = await createSession(tandem.url, { liveTyping: true });
    const host = await browser.newPage();
    await host.goto(`${session.hostUrl}&name=Olivia`);
    await host.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const quinnContext = await browser.createBrowserContext();
    const quinn = await quinnContext.newPage();
    await quinn.goto(`${session.joinUrl}&name=Quinn`);
    await quinn.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const stan = await joinAs(tandem.url, session.id, 'Stan', session.joinKey);
    const stanWs = await WsClient.connect(tandem.url, session.id, stan.token);
    await quinn.waitForSelector('[data-testid="chat-to"] option::-p-text(Question for the host)');

    await quinn.select('[data-testid="chat-to"]', '?question');
    await quinn.type('[data-testid="chat-input"]', 'Can I pay by invoice?');
    await quinn.keyboard.press('Enter');
    await quinn.waitForSelector('[data-testid="question"]::-p-text(waiting for the host)');
    await host.waitForSelector('[data-testid="question"]::-p-text(Question from Quinn:)');
    await shot(host, '21-question-for-host');
    assert.deepEqual(await seriousA11yViolations(host), []);
    await quinn.type('[data-testid="chat-input"]', 'And is there a discount?');
    await quinn.keyboard.press('Enter');
    await host.waitForFunction(() => document.querySelectorAll('[data-testid="question"]').length === 2);

    await host.click('[data-testid="question-show"]');
    const shown = await stanWs.next((m) => m.type === 'chat' && m.question !== undefined);
    assert.equal(shown.text, 'Can I pay by invoice?');
    await quinn.waitForSelector('[data-testid="chat-line"]::-p-text(Can I pay by invoice?)');
    await host.waitForSelector('[data-testid="chat-line"]::-p-text((question))');
    await host.waitForFunction(() => document.querySelectorAll('[data-testid="question"]').length === 1);

    await host.click('[data-testid="question-dismiss"]');
    await quinn.waitForSelector('[role="alert"]::-p-text(The host set your question aside.)');
    await quinn.waitForFunction(() => document.querySelectorAll('[data-testid="question"]').length === 0);
    await host.waitForFunction(() => document.querySelectorAll('[data-testid="question"]').length === 0);
    assert.ok(
      !stanWs.received.some((m) => m.type === 'question' || m.type === 'question.dismissed'),
      'another follower never sees an open question',
    );
    assert.ok(!stanWs.received.some((m) => m.type === 'chat' && m.text === 'And is there a discount?'));
    assert.ok(
      !stanWs.received.some((m) => m.type === 'typing' && String(m.text ?? '').includes('invoice')),
      'nor watches it being typed',
    );
    stanWs.close();

    // A question asked while the connection is down waits, and goes once it is back.
    const port = tandem.port;
    await tandem.stop();
    await quinn.waitForSelector('[data-testid="connection"]::-p-text(reconnecting)');
    await quinn.type('[data-testid="chat-input"]', 'Asked while offline?');
    await quinn.keyboard.press('Enter');
    await quinn.waitForSelector('::-p-text((question for the host))');
    tandem = await start(port);
    await host.waitForSelector('[data-testid="question"]::-p-text(Asked while offline?)', {
      timeout: 30_000,
    });
    await quinn.waitForSelector('[data-testid="question"]::-p-text(Asked while offline?)');
    assert.equal(await quinn.$('::-p-text(sending…)'), null, 'nothing left pending');
    await quinnContext.close();
    await host.close();
  });

  it('the host locks the session: those in see it, a newcomer with the link is told, and unlocking lets them in', async () => {
    const session = await createSession(tandem.url);
    const host = await browser.newPage();
    await host.goto(`${session.hostUrl}&name=Olivia`);
    await host.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const context = await browser.createBrowserContext();
    const felix = await context.newPage();
    await felix.goto(`${session.joinUrl}&name=Felix`);
    await felix.waitForSelector('[data-testid="connection"]::-p-text(live)');
    assert.equal(await felix.$('[data-testid="lock"]'), null, 'only a host has the lock');

    await host.click('[data-testid="lock"]');
    await host.waitForSelector('[data-testid="lock"][aria-pressed="true"]::-p-text(Locked)');
    await felix.waitForSelector('[data-testid="locked"]::-p-text(Locked)');
    await shot(felix, '22-follower-locked');
    assert.deepEqual(await seriousA11yViolations(host), []);
    const other = await browser.createBrowserContext();
    const newcomer = await other.newPage();
    await newcomer.goto(`${session.joinUrl}&name=Nia`);
    await newcomer.waitForSelector(
      '[role="alert"]::-p-text(The host has locked this session; nobody new can join.)',
    );

    await host.click('[data-testid="lock"]');
    await felix.waitForSelector('[data-testid="locked"]', { hidden: true });
    await newcomer.click('[data-testid="join"]');
    await newcomer.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await other.close();
    await context.close();
    await host.close();
  });

  it('in a session that shows lines as they are typed, others watch the line grow', async () => {
    const session = await createSession(tandem.url, { liveTyping: true });
    const host = await browser.newPage();
    await host.goto(`${session.hostUrl}&name=Olivia`);
    await host.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const context = await browser.createBrowserContext();
    const guest = await context.newPage();
    await guest.goto(`${session.joinUrl}&name=Felix`);
    await guest.waitForSelector('[data-testid="connection"]::-p-text(live)');
    await host.type('[data-testid="chat-input"]', 'Your order ships tom');
    // Polled, not observed: the draft's text node changes in place, which selector waits do not see.
    await guest.waitForFunction(
      () =>
        document.querySelector('[data-testid="chat-draft"]')?.textContent?.includes('Your order ships tom'),
      { polling: 100 },
    );
    await shot(guest, '13-live-typing');
    await host.type('[data-testid="chat-input"]', 'orrow');
    await host.keyboard.press('Enter');
    await guest.waitForSelector('[data-testid="chat-line"]::-p-text(Your order ships tomorrow)');
    await guest.waitForSelector('[data-testid="chat-draft"]', { hidden: true });
    await context.close();
    await host.close();
  });

  it('the Who panel lists the others, writes to one privately and hides another’s chat on this screen', async () => {
    const session = await createSession(tandem.url);
    const host = await browser.newPage();
    await host.goto(`${session.hostUrl}&name=Olivia`);
    await host.waitForSelector('[data-testid="connection"]::-p-text(live)');
    const felix = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const mia = await joinAs(tandem.url, session.id, 'Mia', session.joinKey);
    const felixWs = await WsClient.connect(tandem.url, session.id, felix.token);
    const miaWs = await WsClient.connect(tandem.url, session.id, mia.token);

    await host.click('[data-testid="who-toggle"]');
    await host.waitForSelector('[data-testid="who-person"]::-p-text(Mia)');
    assert.equal((await host.$$('[data-testid="who-person"]')).length, 2);
    assert.deepEqual(await seriousA11yViolations(host), [], 'the Who panel');
    await shot(host, '14-who-panel');

    const inRowOf = (name: string, testid: string) => clickInWhoRow(host, name, testid);
    await inRowOf('Felix', 'who-message');
    const chosen = await host.$eval(
      '[data-testid="chat-to"]',
      (el) => (el as HTMLSelectElement).selectedOptions[0]?.text,
    );
    assert.equal(chosen, 'Only Felix', 'the chat now writes to Felix only');

    await inRowOf('Mia', 'who-mute');
    miaWs.send({ type: 'chat', text: 'spam spam spam' });
    felixWs.send({ type: 'chat', text: 'a real question' });
    await host.waitForSelector('[data-testid="chat-line"]::-p-text(a real question)');
    assert.equal(
      await host.$('[data-testid="chat-line"]::-p-text(spam spam spam)'),
      null,
      'Mia’s line is hidden here',
    );
    felixWs.close();
    miaWs.close();
    await host.close();
  });

  it('shows a company’s brand: its name, logo and colour, set by an operator command', async () => {
    const logo =
      'data:image/svg+xml;base64,' +
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#0e7a3f"/></svg>',
      ).toString('base64');
    const refused = await runCli(['tenant', 'brand', 'demo', 'Acme Support', 'green', '--data-dir', dataDir]);
    assert.equal(refused.code, 2);
    assert.match(refused.stdout, /#rrggbb/);
    const set = await runCli([
      'tenant',
      'brand',
      'demo',
      'Acme Support',
      '#0e7a3f',
      logo,
      '--data-dir',
      dataDir,
    ]);
    assert.equal(set.code, 0, set.stdout + set.stderr);
    try {
      const session = await createSession(tandem.url);
      const page = await browser.newPage();
      await page.goto(`${session.hostUrl}&name=Olivia`);
      await page.waitForSelector('[data-testid="brand"]::-p-text(Acme Support)');
      assert.equal(await page.title(), 'Acme Support · session');
      const accent = await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
      );
      assert.equal(accent, '#0e7a3f');
      assert.ok(await page.$('[data-testid="brand"] img[src^="data:image/svg+xml"]'), 'the logo is shown');
      assert.deepEqual(await seriousA11yViolations(page), [], 'branded colours keep enough contrast');
      await shot(page, '15-brand');
      await page.close();
    } finally {
      await runCli(['tenant', 'brand', 'demo', 'off', '--data-dir', dataDir]);
    }
  });
});
