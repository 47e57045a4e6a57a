import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../server/config.js';
import { startTandem, type Tandem } from '../server/tandem.js';
import type { TabInfo } from '../session/protocol.js';
import { createSession, joinAs } from './helpers/tandem.js';
import { type Received, WsClient } from './helpers/ws-client.js';

const SHOP = 'http://shop.localhost/';
const FORM = 'http://shop.localhost/form';
const PLAN = 'http://shop.localhost/plan';

interface Welcome extends Received {
  you: { id: string };
  tabs: TabInfo[];
  activeTab: string;
}

describe('tabs across a restart of the server', function () {
  this.timeout(30_000);
  let dataDir: string;
  let server: Tandem | null = null;
  const config = () => parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []);
  const start = async () => {
    server = await startTandem(config(), { logger: pino({ level: 'silent' }) });
    return server;
  };

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-tabs-restart-'));
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reopens the session with its tabs, their pages and marks, the active tab and the tab counter', async () => {
    const first = await start();
    const session = await createSession(first.url, { startUrl: SHOP });
    const olivia = await joinAs(first.url, session.id, 'Olivia', session.hostKey);
    const felix = await joinAs(first.url, session.id, 'Felix', session.joinKey);
    const owner = await WsClient.connect(first.url, session.id, olivia.token);
    await owner.next((m) => m.type === 'welcome');
    owner.send({ type: 'location', tab: 't1', url: SHOP, title: 'Shop' });
    owner.send({ type: 'tab.open', tab: 't1', url: FORM });
    owner.send({ type: 'tab.open', tab: 't2', url: PLAN });
    await owner.next((m) => m.type === 'tab.focus' && m.tab === 't3');
    owner.send({ type: 'tab.close', tab: 't3' });
    owner.send({ type: 'location', tab: 't2', url: FORM, title: 'Contact form' });
    owner.send({ type: 'tab.focus', tab: 't2' });
    await owner.next((m) => m.type === 'tab.focus' && m.tab === 't2' && Number(m.seq) > 0);
    const follower = await WsClient.connect(first.url, session.id, felix.token);
    follower.send({ type: 'highlight', tab: 't2', node: 12 });
    follower.send({
      type: 'stroke',
      tab: 't2',
      id: 5,
      node: 12,
      shape: 'arrow',
      points: [
        [0, 0],
        [40, 30],
      ],
      done: true,
    });
    follower.send({ type: 'highlight', tab: 't1', node: 3 });
    await follower.next((m) => m.type === 'highlight' && m.tab === 't1');
    owner.send({ type: 'location', tab: 't1', url: PLAN, title: 'Trail planner' });
    await follower.next((m) => m.type === 'location' && m.url === PLAN);
    const opened = await owner.next((m) => m.type === 'tab' && (m.tab as TabInfo).id === 't2');
    const epochBefore = (opened.tab as TabInfo).baton.epoch;
    owner.close();
    follower.close();
    await first.stop();
    server = null;

    const second = await start();
    const again = await WsClient.connect(second.url, session.id, felix.token);
    const seen = (await again.next((m) => m.type === 'welcome')) as Welcome;
    assert.deepEqual(
      seen.tabs.map((t) => [t.id, t.url, t.title, t.owner, t.baton.holder]),
      [
        ['t1', PLAN, 'Trail planner', null, null],
        ['t2', FORM, 'Contact form', null, null],
      ],
      'the tab strip as it was; nobody runs a page until the owner is back',
    );
    assert.ok((seen.tabs[1]?.baton.epoch ?? 0) >= epochBefore, 'the baton’s epoch is not reset');
    assert.equal(seen.activeTab, 't2');
    const [t1, t2] = seen.tabs as [TabInfo, TabInfo];
    assert.deepEqual(t1.highlights, [], 'the highlight on the page left behind went with it');
    assert.deepEqual(t2.highlights, [{ author: felix.participantId, node: 12 }]);
    assert.deepEqual(
      t2.strokes.map((s) => [s.author, s.id, s.shape, s.points]),
      [
        [
          felix.participantId,
          5,
          'arrow',
          [
            [0, 0],
            [40, 30],
          ],
        ],
      ],
    );
    assert.deepEqual(
      t1.visited.map((v) => v.url),
      [SHOP, PLAN],
    );

    const back = await WsClient.connect(second.url, session.id, olivia.token);
    const welcome = (await back.next((m) => m.type === 'welcome')) as Welcome;
    assert.deepEqual(
      welcome.tabs.map((t) => [t.id, t.owner, t.baton.holder]),
      [
        ['t1', olivia.participantId, olivia.participantId],
        ['t2', olivia.participantId, olivia.participantId],
      ],
      'the owner’s browser runs every tab again, as on any connect',
    );
    assert.ok(
      (welcome.tabs[1]?.baton.epoch ?? 0) > epochBefore,
      'the baton’s epoch goes on from where it was, so input sent before the restart stays stale',
    );
    back.send({ type: 'tab.open', tab: 't2', url: SHOP });
    const fourth = await again.next((m) => m.type === 'tab' && (m.tab as TabInfo).url === SHOP);
    assert.equal((fourth.tab as TabInfo).id, 't4', 'tab ids are never used twice');
    back.close();
    again.close();
  });
});
