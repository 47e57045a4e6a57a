import assert from 'node:assert/strict';
import type { Browser } from 'puppeteer-core';
import type { SqliteStore } from '../store/sqlite.js';
import { launchBrowser } from './helpers/browser.js';
import {
  type DeskClient,
  type DeskTenant,
  deskTandem,
  deskTenant,
  PASSWORD,
  visitor,
} from './helpers/desk.js';
import { lookAt, textOf, waitForText } from './helpers/desk-browser.js';
import type { Received, WsClient } from './helpers/ws-client.js';

const SHOP = 'https://shop.example';

type Offer = Received & { request: { id: string; name: string | null; userId: string | null } };

const offerIn = (ws: WsClient, requestId: string) =>
  ws.next((m) => m.type === 'offer' && (m.request as { id: string }).id === requestId) as Promise<Offer>;

/** A collaboration request as `client` (a desk sign-in, or none). */
const collaborate = (client: DeskClient, t: DeskTenant, body: Record<string, unknown> = {}) =>
  client.call('POST', '/requests', {
    key: t.publicKey,
    from: `${SHOP}/plans`,
    scenario: 'collaboration',
    ...body,
  });

describe('desk: a collaboration visitor signs in', function () {
  this.timeout(90_000);
  const ctx = deskTandem(300);
  const requestRow = (id: string) =>
    (ctx.tandem.store as SqliteStore).db
      .prepare('SELECT user_id, scenario FROM desk_requests WHERE id = ?')
      .get(id);

  it('refuses an unsigned or other company’s collaborator and names a signed-in one in the offer', async () => {
    const t = await deskTenant(ctx.base, 'Acme', { origins: [SHOP], agents: [{ name: 'Ann' }] });
    const other = await deskTenant(ctx.base, 'Globex', { origins: [SHOP], agents: [] });
    const ann = t.agents[0] as DeskClient;
    const live = await ann.live();
    await ann.ok('PUT', '/me/state', { state: 'ready' });

    const unsigned = await visitor(ctx.base, 'POST', '/requests', {
      key: t.publicKey,
      from: `${SHOP}/plans`,
      scenario: 'collaboration',
    });
    assert.equal(unsigned.status, 401);
    assert.equal((unsigned.body as { error: { code: string } }).error.code, 'sign-in-required');

    const stranger = await collaborate(other.supervisor, t);
    assert.equal(stranger.status, 403);
    assert.equal((stranger.body as { error: { code: string } }).error.code, 'other-company');

    // Any role of the company may collaborate; the typed name gives way to the account's.
    const signed = await collaborate(t.supervisor, t, { name: 'Someone else', question: 'Plan review' });
    assert.equal(signed.status, 201, signed.text);
    const made = signed.body as { id: string; requestKey: string };
    const offer = await offerIn(live, made.id);
    assert.equal(offer.request.name, 'AcmeSup');
    assert.equal(offer.request.userId, t.supervisor.userId);
    assert.deepEqual(requestRow(made.id), { user_id: t.supervisor.userId, scenario: 'collaboration' });
    await ann.ok('POST', `/offers/${made.id}/decline`, undefined, 204);

    // A support request stays anonymous, even from a signed-in browser.
    const support = await t.supervisor.call('POST', '/requests', { key: t.publicKey, from: `${SHOP}/cart` });
    assert.equal(support.status, 201);
    const supportId = (support.body as { id: string }).id;
    assert.deepEqual(requestRow(supportId), { user_id: null, scenario: 'support' });
    live.close();
  });

  describe('the wait page', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    it('asks a collaboration visitor to sign in before they can ask, then sends their name to the agent', async () => {
      const t = await deskTenant(ctx.base, 'Initech', { origins: [SHOP], agents: [{ name: 'Bob' }] });
      const bob = t.agents[0] as DeskClient;
      const live = await bob.live();
      await bob.ok('PUT', '/me/state', { state: 'ready' });
      const email = 'peggy@initech.example';
      await t.admin.ok('POST', '/users', { name: 'Peggy', email, password: PASSWORD, role: 'agent' }, 201);

      const page = await (await browser.createBrowserContext()).newPage();
      await page.goto(
        `${ctx.base}/help/${t.publicKey}?from=${encodeURIComponent(`${SHOP}/plans`)}&scenario=collaboration`,
      );
      await page.waitForSelector('[data-testid="signin-form"]');
      assert.equal(await page.$('[data-testid="visitor-ask"]'), null, 'no request before signing in');
      assert.equal(await page.$('[data-testid="desk-switch"]'), null, 'no sign-up on a wait page');
      await lookAt(page, 'wait-collaboration-sign-in');
      await page.type('[data-testid="desk-email"]', email);
      await page.type('[data-testid="desk-password"]', 'not the password');
      await page.click('[data-testid="desk-submit"]');
      await waitForText(page, '[role="alert"]', 'do not match');

      await page.$eval('[data-testid="desk-password"]', (el) => {
        (el as HTMLInputElement).value = '';
      });
      await page.type('[data-testid="desk-password"]', PASSWORD);
      await page.click('[data-testid="desk-submit"]');
      await waitForText(page, '[data-testid="visitor-member"]', 'Signed in as Peggy');
      assert.equal(await page.$('[data-testid="visitor-name"]'), null);
      const offered = live.next((m) => m.type === 'offer') as Promise<Offer>;
      await page.click('[data-testid="visitor-ask"]');
      const offer = await offered;
      assert.equal(offer.request.name, 'Peggy');
      assert.ok(offer.request.userId);
      await page.waitForSelector('[data-testid="wait-status"]');
      assert.notEqual(await textOf(page, '[data-testid="wait-status"]'), '');
      await page.browserContext().close();
      live.close();
    });
  });
});
