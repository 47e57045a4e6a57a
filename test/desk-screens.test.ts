import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { base32Decode, totp } from '../desk/totp.js';
import { readManifest } from '../server/assets.js';
import { DESK_CSP } from '../server/desk-pages.js';
import { launchBrowser } from './helpers/browser.js';
import { DeskClient } from './helpers/desk.js';
import { addStaff, lookAt, PASSWORD, pageAs, textOf, waitForText } from './helpers/desk-browser.js';
import { startTestTandem, type TestTandem } from './helpers/tandem.js';

/** The desk's sign-in, sign-up and administration screens in Chromium against a real Tandem. */
describe('desk screens: sign-up, administration, two-step sign-in', function () {
  this.timeout(120_000);
  let tandem: TestTandem;
  let browser: Browser;
  let admin: Page;

  before(async () => {
    tandem = await startTestTandem();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await tandem?.stop();
  });

  it('serves the consoles with the desk’s policy, and embed.js with the bundles it prefetches', async () => {
    const manifest = readManifest();
    for (const path of ['/desk', '/desk/agent', '/desk/supervisor', '/desk/admin']) {
      const res = await fetch(`${tandem.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-security-policy'), DESK_CSP);
      assert.match(await res.text(), new RegExp(`/assets/${manifest.desk.replace(/\./g, '\\.')}`));
    }
    const embed = await fetch(`${tandem.url}/embed.js`);
    assert.match(embed.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(embed.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(embed.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const code = await embed.text();
    assert.ok(code.includes(`${manifest.desk},${manifest.viewer}`));
    assert.ok(!code.includes('__TANDEM_PREFETCH__'));
  });

  it('a company signs up on /desk and lands on its administration', async () => {
    admin = await (await browser.createBrowserContext()).newPage();
    await admin.goto(`${tandem.url}/desk`);
    await admin.waitForSelector('[data-testid="signin-form"]');
    await lookAt(admin, 'sign-in');
    await admin.click('[data-testid="desk-switch"]');
    await admin.type('[data-testid="signup-company"]', 'Acme');
    await admin.type('[data-testid="signup-name"]', 'Ada');
    await admin.type('[data-testid="desk-email"]', 'ada@acme.test');
    await admin.type('[data-testid="desk-password"]', PASSWORD);
    await lookAt(admin, 'sign-up');
    await Promise.all([admin.waitForNavigation(), admin.click('[data-testid="desk-submit"]')]);
    assert.equal(new URL(admin.url()).pathname, '/desk/admin');
    await waitForText(admin, '[data-testid="settings-version"]', 'Version 1');
    await lookAt(admin, 'admin-settings');
  });

  it('refuses an allowed origin with a path before saving, then saves a new version', async () => {
    const origins = '[data-testid="settings-origins"]';
    await admin.type(origins, 'https://shop.example/cart');
    await admin.click('[data-testid="settings-save"]');
    await waitForText(admin, '[data-testid="settings-form"] [role="alert"]', 'must be an origin only');
    await admin.$eval(origins, (el) => {
      (el as HTMLTextAreaElement).select();
    });
    await admin.type(origins, 'https://shop.example\nhttp://127.0.0.1:9');
    await admin.click('[data-testid="brand-on"]');
    await admin.type('#brand-name', 'Acme Shop');
    await admin.click('[data-testid="settings-save"]');
    await waitForText(admin, '[data-testid="settings-saved"]', 'Saved as version 2');
    const saved = await admin.evaluate(() => fetch('/api/desk/settings').then((r) => r.json()));
    assert.deepEqual(saved.settings.allowedOrigins, ['https://shop.example', 'http://127.0.0.1:9']);
    assert.deepEqual(saved.settings.brand, { name: 'Acme Shop', color: '#2f6fed', logoUrl: '' });
  });

  it('adds an agent in Users, and the audit log shows both changes', async () => {
    await admin.click('[data-testid="tab-users"]');
    await admin.waitForSelector('[data-testid="add-user"]');
    await admin.type('#new-name', 'Alice');
    await admin.type('#new-email', 'alice@acme.test');
    await admin.type('#new-password', PASSWORD);
    await admin.type('#new-skills', 'billing, returns');
    await admin.click('[data-testid="add-user-submit"]');
    await waitForText(admin, '[data-testid="users"]', 'alice@acme.test');
    await lookAt(admin, 'admin-users');
    // The tabs are one stop for Tab and move with the arrow keys.
    await admin.focus('[data-testid="tab-users"]');
    await admin.keyboard.press('ArrowRight');
    await admin.keyboard.press('ArrowRight');
    await waitForText(admin, '[role="tabpanel"]', 'user-created');
    assert.equal(await admin.evaluate(() => document.activeElement?.textContent), 'Audit log');
    assert.match(await textOf(admin, '[data-testid="audit"]'), /settings-saved/);
    await lookAt(admin, 'admin-audit');
    await admin.click('[data-testid="tab-button"]');
    await waitForText(admin, '[data-testid="snippet"]', 'data-tandem-key="pk_');
    // A new company has used nothing yet this month; a period it picks is asked for again.
    await admin.click('[data-testid="tab-usage"]');
    await waitForText(admin, '[role="tabpanel"]', 'No usage from');
    await admin.$eval('#usage-from', (el) => {
      (el as HTMLInputElement).value = '';
    });
    await admin.type('#usage-from', '01012026');
    await admin.click('[data-testid="usage-show"]');
    await waitForText(admin, '[role="tabpanel"]', 'No usage from 2026-01-01');
    await lookAt(admin, 'admin-usage');
  });

  it('an agent signs in to the agent console; a console opened signed out shows the sign-in form', async () => {
    const acme = new DeskClient(tandem.url);
    await acme.expect(200, 'POST', '/login', { email: 'ada@acme.test', password: PASSWORD });
    const bo = await addStaff(acme, 'Bo', 'agent');
    const agent = await pageAs(browser, tandem.url, bo, '/desk/agent');
    await waitForText(agent, 'h1', 'Agent console · Acme');
    assert.equal(await agent.$('nav[aria-label="Desk screens"]'), null, 'an agent has one screen');

    const stranger = await (await browser.createBrowserContext()).newPage();
    await stranger.goto(`${tandem.url}/desk/supervisor`);
    await stranger.waitForSelector('[data-testid="signin-form"]');
    await stranger.type('[data-testid="desk-email"]', 'bo@staff.test');
    await stranger.type('[data-testid="desk-password"]', 'wrong password!');
    await stranger.click('[data-testid="desk-submit"]');
    await waitForText(stranger, '[role="alert"]', 'do not match an account');
  });

  it('enrols the admin in TOTP, then sign-in asks for the code', async () => {
    await admin.click('[data-testid="tab-security"]');
    await admin.click('[data-testid="totp-start"]');
    await admin.waitForSelector('[data-testid="totp-secret"]');
    await lookAt(admin, 'admin-totp');
    const key = base32Decode(await textOf(admin, '[data-testid="totp-secret"]'));
    assert.ok(key);
    await admin.type('[data-testid="totp-code"]', totp(key, Date.now()));
    await admin.click('[data-testid="totp-confirm"]');
    await admin.waitForSelector('[data-testid="totp-on"]');

    await Promise.all([admin.waitForNavigation(), admin.click('[data-testid="desk-signout"]')]);
    await admin.waitForSelector('[data-testid="desk-email"]');
    await admin.type('[data-testid="desk-email"]', 'ada@acme.test');
    await admin.type('[data-testid="desk-password"]', PASSWORD);
    await admin.click('[data-testid="desk-submit"]');
    await admin.waitForSelector('[data-testid="desk-totp"]');
    await waitForText(admin, '[role="alert"]', 'authenticator app');
    assert.equal(
      await admin.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'desk-totp',
    );
    // The code just used is spent; the next step's code is within the allowed drift.
    await admin.type('[data-testid="desk-totp"]', totp(key, Date.now() + 30_000));
    await Promise.all([admin.waitForNavigation(), admin.click('[data-testid="desk-submit"]')]);
    assert.equal(new URL(admin.url()).pathname, '/desk/admin');
  });
});
