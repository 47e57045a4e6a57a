import type { Browser, Page } from 'puppeteer-core';
import { type FixtureSite, startFixtureSite } from '../../fixtures/site.js';
import { frameShowing, launchBrowser, ownerAndFollower } from './browser.js';
import { type CreatedSession, createSession, startTestTandem, type TestTandem } from './tandem.js';

/** Olivia (the owner) and Felix (a follower), both viewing the fixture site's products page. */
export interface ProductsScene {
  tandem: TestTandem;
  site: FixtureSite;
  browser: Browser;
  owner: Page;
  follower: Page;
  session: CreatedSession;
}

/**
 * Sets the scene up before the enclosing describe block's tests and takes it down after them; its
 * fields are filled in once the block's `before` hooks have run.
 */
export function productsScene(): ProductsScene {
  const scene = {} as ProductsScene;
  before(async () => {
    scene.site = await startFixtureSite();
    scene.tandem = await startTestTandem({ TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128' });
    scene.browser = await launchBrowser();
    Object.assign(scene, await ownerAndFollower(scene.browser));
    scene.session = await createSession(scene.tandem.url, { startUrl: `${scene.site.url}/products.html` });
    await scene.owner.goto(`${scene.session.hostUrl}&name=Olivia`);
    await frameShowing(scene.owner, 'Products');
    await scene.follower.goto(`${scene.session.joinUrl}&name=Felix`);
    await frameShowing(scene.follower, 'Products');
  });
  after(async () => {
    await scene.browser?.close();
    await scene.tandem?.stop();
    await scene.site?.close();
  });
  return scene;
}
