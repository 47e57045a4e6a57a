import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertSameThroughTandem,
  freePort,
  packageDir,
  runBoth,
  type StaticSite,
  startApp,
  useCompatEnv,
  waitValue,
} from './helpers.js';

const USER = 'olivia';
const PASSWORD = 'correct horse';

/** A repository with two commits, made with the git command ungit itself drives. */
function makeRepository(dir: string): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Olivia');
  git('config', 'user.email', 'olivia@example.org');
  for (const [file, message] of [
    ['first.txt', 'First page'],
    ['second.txt', 'Second page'],
  ] as const) {
    fs.writeFileSync(path.join(dir, file), `${message}\n`);
    git('add', file);
    git('commit', '-q', '-m', message);
  }
}

describe('compat: ungit, a git client with a cookie login and live updates over its socket', function () {
  this.timeout(90_000);
  const env = useCompatEnv();
  let home: string;
  let repository: string;
  let site: StaticSite;

  before(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-ungit-'));
    repository = path.join(home, 'repo');
    fs.mkdirSync(repository);
    makeRepository(repository);
    const port = await freePort();
    site = await startApp(
      path.join(packageDir('ungit'), 'bin', 'ungit'),
      [
        `--port=${port}`,
        '--no-launchBrowser',
        '--cliconfigonly',
        '--ungitVersionCheckOverride',
        '--gitVersionCheckOverride',
        '--authentication',
        `--users.${USER}=${PASSWORD}`,
      ],
      `http://127.0.0.1:${port}/`,
      { env: { HOME: home } },
    );
  });
  after(async () => {
    await site?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('logs in with its session cookie, shows the history, and shows a new file as soon as it appears', async () => {
    const cookies: string[][] = [];
    const live = path.join(repository, 'live-note.txt');
    const runs = await runBoth(
      env,
      site,
      `/#/repository?path=${encodeURIComponent(repository)}`,
      async (page) => {
        await page.waitForSelector('#inputUsername', { visible: true, timeout: 15_000 });
        const before = await page.$$eval('.commit', (els) => els.length);
        await page.type('#inputUsername', USER);
        await page.type('#inputPassword', PASSWORD);
        await page.click('.login button[type=submit]');
        // Every call behind the login answers 401 without the session cookie, so a history on screen
        // means the cookie went with them.
        const history = await waitValue(page, () => {
          const titles = [...document.querySelectorAll('.commit .title')].map((el) => el.textContent?.trim());
          return titles.length === 2 ? titles : null;
        });
        cookies.push((await page.cookies()).map((c) => c.name));
        // Authors' pictures come from gravatar.com, which this machine cannot reach: they must have
        // failed before the console is compared.
        await waitValue(page, () =>
          [...document.querySelectorAll<HTMLImageElement>('img.gravatar')].every((img) => img.complete),
        );
        // The server watches the folder and tells the page over its socket; the page then asks again.
        fs.writeFileSync(live, 'written while the page was open\n');
        const staged = await waitValue(page, () => {
          const names = [...document.querySelectorAll('.staging .file .name')].map((el) =>
            el.textContent?.trim(),
          );
          return names.length > 0 ? names : null;
        });
        const transport = await page.evaluate(
          () =>
            (
              window as unknown as {
                ungit: { server: { socket: { io: { engine: { transport: { name: string } } } } } };
              }
            ).ungit.server.socket.io.engine.transport.name,
        );
        fs.rmSync(live);
        return { before, history, staged, transport };
      },
    );
    assert.deepEqual(runs.direct.result.staged, ['live-note.txt']);
    assert.equal(runs.direct.result.transport, 'websocket');
    assertSameThroughTandem(runs, env);
    assert.ok(cookies[0]?.includes('connect.sid'), 'the direct page holds the session cookie');
    assert.ok(!cookies[1]?.includes('connect.sid'), 'through Tandem the cookie stays in the session jar');
    assert.ok(
      runs.proxied.requests.some((u) => u.startsWith('ws://') && u.includes('/socket.io/')),
      'the proxied page opened its socket through Tandem',
    );
  });
});
