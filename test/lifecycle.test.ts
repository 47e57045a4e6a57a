import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { enter, request } from './helpers/content.js';
import { createSession, joinAs } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('start, stop and restart', function () {
  this.timeout(30_000);
  let site: FixtureSite;
  let dataDir: string;

  before(async () => {
    site = await startFixtureSite();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-restart-'));
  });
  after(async () => {
    await site?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps sessions, participants and content hosts across a restart of the same data folder', async () => {
    const config = parseConfig(
      { PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off', TANDEM_ALLOW_NETWORKS: '127.0.0.0/8' },
      [],
    );
    const logger = pino({ level: 'silent' });
    const first = await startTandem(config, { logger });
    const session = await createSession(first.url);
    const owner = await joinAs(first.url, session.id, 'Olivia', session.hostKey);
    const before = await enter(first.url, first.port, session.id, owner.token, `${site.url}/`);
    const ws = await WsClient.connect(first.url, session.id, owner.token);
    ws.send({ type: 'chat', text: 'before the restart' });
    const line = await ws.next((m) => m.type === 'chat');
    ws.close();
    await first.stop();

    const second = await startTandem(config, { logger });
    try {
      const page = await fetch(`${second.url}/s/${session.id}?key=${session.joinKey}`);
      assert.equal(page.status, 200, 'the session link still works');
      const follower = await joinAs(second.url, session.id, 'Felix', session.joinKey);
      assert.equal(follower.role, 'follower');
      const host = before.host.replace(/:\d+$/, `:${second.port}`);
      const again = await request(second.port, host, '/', { headers: { cookie: before.cookie } });
      assert.equal(again.status, 200, 'the content host and the owner cookie survive the restart');
      assert.match(again.body, /Acme Outfitters/);
      const ws2 = await WsClient.connect(second.url, session.id, owner.token);
      ws2.send({ type: 'chat', text: 'after the restart' });
      const later = await ws2.next((m) => m.type === 'chat' && m.text === 'after the restart');
      assert.ok(Number(later.seq) > Number(line.seq), 'seq keeps increasing across a restart');
      ws2.close();
    } finally {
      await second.stop();
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['dist/server/main.js', '--port', '0', '--demo-site', 'off'], {
      cwd: root,
      env: { ...process.env, TANDEM_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const deadline = Date.now() + 15_000;
    while (!out.includes('Tandem is listening')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /"signal":"SIGTERM"/);
  });
});
