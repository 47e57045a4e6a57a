import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';
import { splitSentences, type Translator, translateLine } from '../session/translation.js';
import { launchBrowser } from './helpers/browser.js';
import { createSession, joinAs, startTestTandem, type TestTandem } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

describe('chat translation: sentence by sentence', () => {
  it('splits a line into sentences that join back into the line', () => {
    const line = 'Your order shipped. It arrives Monday!  Anything else? ok';
    const sentences = splitSentences(line, 'en');
    assert.equal(sentences.join(''), line);
    assert.equal(sentences.length, 4);
  });

  it('translates each sentence and keeps the spacing between them', async () => {
    const asked: string[][] = [];
    const upper: Translator = {
      async translate(sentences) {
        asked.push([...sentences]);
        return sentences.map((s) => s.toUpperCase());
      },
    };
    assert.equal(await translateLine(upper, 'One. Two!  Three', 'fr'), 'ONE. TWO!  THREE');
    assert.deepEqual(asked, [['One.', 'Two!', 'Three']]);
    const short: Translator = { translate: async () => ['only one'] };
    await assert.rejects(translateLine(short, 'One. Two.', 'fr'), /answered 1 sentences for 2/);
  });
});

describe('chat translation through a configured service, over HTTP and in the viewer', function () {
  this.timeout(60_000);
  let service: http.Server;
  let tandem: TestTandem;
  let browser: Browser;
  let calls = 0;

  before(async () => {
    // A stand-in translation service on loopback: it answers each sentence in capitals, tagged.
    service = http.createServer((req, res) => {
      calls++;
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const { sentences, to } = JSON.parse(body) as { sentences: string[]; to: string };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sentences: sentences.map((s) => `[${to}] ${s.toUpperCase()}`) }));
      });
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const port = (service.address() as AddressInfo).port;
    tandem = await startTestTandem({ TANDEM_TRANSLATE_URL: `http://127.0.0.1:${port}/translate` });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await tandem?.stop();
    await new Promise((r) => service.close(r));
  });

  it('answers a participant with the line translated, and refuses others', async () => {
    const session = await createSession(tandem.url);
    const guest = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
    const ask = (body: object, token = guest.token) =>
      fetch(`${tandem.url}/api/sessions/${session.id}/translate?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await ask({ text: 'Hello there. See you!', to: 'fr' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { text: '[fr] HELLO THERE. [fr] SEE YOU!' });
    assert.equal((await ask({ text: 'hi', to: 'not a language!' })).status, 400);
    assert.equal((await ask({ text: 'hi', to: 'fr' }, 'wrong-token')).status, 403);
  });

  it('shows a Translate button on others’ lines that puts the translation under the line', async () => {
    const session = await createSession(tandem.url);
    const host = await joinAs(tandem.url, session.id, 'Olivia', session.hostKey);
    const ws = await WsClient.connect(tandem.url, session.id, host.token);
    const page = await browser.newPage();
    await page.goto(`${session.joinUrl}&name=Felix`);
    await page.waitForSelector('[data-testid="connection"]::-p-text(live)');
    ws.send({ type: 'chat', text: 'Bonjour. Votre commande est partie.' });
    await page.waitForSelector('[data-testid="chat-translate"]');
    const before = calls;
    await page.click('[data-testid="chat-translate"]');
    const shown = await page.waitForSelector('[data-testid="chat-translation"]');
    const text = await shown?.evaluate((el) => el.textContent ?? '');
    const lang = await page.evaluate(() => navigator.language);
    assert.equal(text, `[${lang}] BONJOUR. [${lang}] VOTRE COMMANDE EST PARTIE.`);
    assert.equal(calls, before + 1);
    ws.close();
    await page.close();
  });
});

describe('chat translation without a service', () => {
  it('is off: the endpoint says so and the viewer offers no button', async () => {
    const tandem = await startTestTandem();
    try {
      const session = await createSession(tandem.url);
      const guest = await joinAs(tandem.url, session.id, 'Felix', session.joinKey);
      const res = await fetch(`${tandem.url}/api/sessions/${session.id}/translate?token=${guest.token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hi', to: 'fr' }),
      });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'translation-off');
      const shell = await (await fetch(`${tandem.url}/s/${session.id}`)).text();
      assert.match(shell, /"translation":false/);
    } finally {
      await tandem.stop();
    }
  });
});
