import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Config, ConfigError, parseConfig } from '../server/config.js';

function configError(env: NodeJS.ProcessEnv, argv: string[] = []): ConfigError {
  try {
    parseConfig(env, argv);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${JSON.stringify({ env, argv })} to be refused`);
}

/** Asserts the error names the setting and reads as one line that starts with it. */
function assertRefused(
  env: NodeJS.ProcessEnv,
  argv: string[],
  setting: string,
  mentions?: RegExp,
): ConfigError {
  const err = configError(env, argv);
  assert.equal(err.setting, setting);
  assert.ok(err.message.startsWith(`${setting}: `), err.message);
  assert.ok(!/[\r\n]/.test(err.message), `message is not one line: ${JSON.stringify(err.message)}`);
  assert.ok(err.message.length > setting.length + 10, `message says too little: ${err.message}`);
  if (mentions) assert.match(err.message, mentions);
  return err;
}

describe('parseConfig', () => {
  describe('defaults', () => {
    let config: Config;
    before(() => {
      config = parseConfig({}, []);
    });

    it('listens on 127.0.0.1:8080', () => {
      assert.equal(config.port, 8080);
      assert.equal(config.host, '127.0.0.1');
    });

    it('serves the app on http://localhost:8080 with content on content.localhost', () => {
      assert.equal(config.publicUrl.href, 'http://localhost:8080/');
      assert.equal(config.publicUrl.origin, 'http://localhost:8080');
      assert.equal(config.contentDomain, 'content.localhost');
    });

    it('believes no proxy about client addresses', () => {
      assert.deepEqual(parseConfig({}, []).trustProxy, []);
      assert.throws(
        () => parseConfig({ TANDEM_TRUST_PROXY: 'the-load-balancer' }, []),
        /TANDEM_TRUST_PROXY: "the-load-balancer" is not an IP network/,
      );
    });

    it('stores data in ./data, single-node, with no allowed private networks', () => {
      assert.equal(config.dataDir, './data');
      assert.deepEqual(config.allowNetworks, []);
      assert.equal(config.redisUrl, null);
      assert.equal(config.databaseUrl, null);
    });

    it('enables quick sessions and the demo site', () => {
      assert.equal(config.quickSessions, true);
      assert.equal(config.demoSite, true);
    });

    it('treats blank environment variables as unset', () => {
      const blank = parseConfig({ PORT: '', TANDEM_HOST: '  ', TANDEM_REDIS_URL: '' }, []);
      assert.equal(blank.port, 8080);
      assert.equal(blank.host, '127.0.0.1');
      assert.equal(blank.redisUrl, null);
    });
  });

  describe('environment and flags', () => {
    it('reads settings from the environment', () => {
      const config = parseConfig(
        {
          PORT: '9100',
          TANDEM_PUBLIC_URL: 'https://tandem.example.com',
          TANDEM_CONTENT_DOMAIN: 'Content.Example.NET',
          TANDEM_DATA_DIR: '/var/lib/tandem',
          TANDEM_ALLOW_NETWORKS: '127.0.0.0/8, 10.1.0.0/16 ::1',
          TANDEM_TRUST_PROXY: '10.0.0.2, fd00::/64',
          TANDEM_DEMO_SITE: 'off',
        },
        [],
      );
      assert.equal(config.port, 9100);
      assert.equal(config.publicUrl.origin, 'https://tandem.example.com');
      assert.equal(config.contentDomain, 'content.example.net');
      assert.equal(config.dataDir, '/var/lib/tandem');
      assert.deepEqual(config.allowNetworks, ['127.0.0.0/8', '10.1.0.0/16', '::1/128']);
      assert.deepEqual(config.trustProxy, ['10.0.0.2/32', 'fd00::/64']);
      assert.equal(config.demoSite, false);
    });

    it('lets `--port 9000` override PORT', () => {
      const config = parseConfig({ PORT: '7000' }, ['--port', '9000']);
      assert.equal(config.port, 9000);
    });

    it('lets `--port=9000` override PORT', () => {
      const config = parseConfig({ PORT: '7000' }, ['--port=9000']);
      assert.equal(config.port, 9000);
    });

    it('derives the default public URL from the port', () => {
      assert.equal(parseConfig({}, ['--port', '9000']).publicUrl.origin, 'http://localhost:9000');
    });

    it('lets every flag override its environment variable', () => {
      const config = parseConfig(
        { TANDEM_HOST: '0.0.0.0', TANDEM_DATA_DIR: '/env', TANDEM_DEMO_SITE: 'on' },
        [
          '--host',
          '127.0.0.2',
          '--data-dir=/flag',
          '--demo-site',
          'off',
          '--public-url',
          'https://app.test:1',
        ],
      );
      assert.equal(config.host, '127.0.0.2');
      assert.equal(config.dataDir, '/flag');
      assert.equal(config.demoSite, false);
      assert.equal(config.publicUrl.origin, 'https://app.test:1');
    });
  });

  describe('quick sessions', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) {
      it(`stay on when listening on loopback ${host}`, () => {
        assert.equal(parseConfig({ TANDEM_HOST: host }, []).quickSessions, true);
      });
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'tandem.example.com']) {
      it(`are off when listening on non-loopback ${host}`, () => {
        assert.equal(parseConfig({ TANDEM_HOST: host }, []).quickSessions, false);
      });
    }
  });

  describe('invalid settings', () => {
    for (const port of ['abc', '-1', '65536', '80.5', '1e3', '0x50']) {
      it(`refuses PORT=${port}`, () => {
        assertRefused({ PORT: port }, [], 'PORT', /port/);
      });
    }

    it('names the flag when the bad port came from --port', () => {
      assertRefused({}, ['--port', 'abc'], '--port', /"abc"/);
      assertRefused({ PORT: '8080' }, ['--port=99999'], '--port', /"99999"/);
    });

    it('refuses a public URL that is not an absolute URL', () => {
      assertRefused({ TANDEM_PUBLIC_URL: 'tandem.example.com' }, [], 'TANDEM_PUBLIC_URL');
      assertRefused({}, ['--public-url', 'not a url'], '--public-url');
    });

    it('refuses a public URL that is not http or https', () => {
      assertRefused({ TANDEM_PUBLIC_URL: 'ftp://tandem.example.com' }, [], 'TANDEM_PUBLIC_URL', /http/);
    });

    for (const url of [
      'https://tandem.example.com/app',
      'https://tandem.example.com/?x=1',
      'https://tandem.example.com/#top',
    ]) {
      it(`refuses a public URL with a path, query or fragment: ${url}`, () => {
        assertRefused({ TANDEM_PUBLIC_URL: url }, [], 'TANDEM_PUBLIC_URL', /path/);
      });
    }

    it('accepts a public URL with only a trailing slash', () => {
      const config = parseConfig({ TANDEM_PUBLIC_URL: 'https://tandem.example.com/' }, []);
      assert.equal(config.publicUrl.origin, 'https://tandem.example.com');
    });

    it('refuses an app origin inside the content domain', () => {
      assertRefused(
        {
          TANDEM_PUBLIC_URL: 'https://app.content.example.com',
          TANDEM_CONTENT_DOMAIN: 'content.example.com',
        },
        [],
        'TANDEM_CONTENT_DOMAIN',
        /content domain/,
      );
      assertRefused(
        { TANDEM_PUBLIC_URL: 'https://content.example.com' },
        ['--content-domain', 'CONTENT.example.com'],
        '--content-domain',
        /content domain/,
      );
    });

    it('accepts an app origin that merely ends with the same letters as the content domain', () => {
      const config = parseConfig(
        { TANDEM_PUBLIC_URL: 'https://mycontent.example.com', TANDEM_CONTENT_DOMAIN: 'content.example.com' },
        [],
      );
      assert.equal(config.contentDomain, 'content.example.com');
    });

    it('refuses a content domain that is not a domain name', () => {
      assertRefused({ TANDEM_CONTENT_DOMAIN: 'content_.example' }, [], 'TANDEM_CONTENT_DOMAIN');
      assertRefused({ TANDEM_CONTENT_DOMAIN: 'http://content.example' }, [], 'TANDEM_CONTENT_DOMAIN');
    });

    for (const networks of ['10.0.0.0/33', 'localhost', '10.0.0.0/8/1', '::1/129', '10.0.0.0/x']) {
      it(`refuses TANDEM_ALLOW_NETWORKS=${networks} and quotes the bad entry`, () => {
        const err = assertRefused(
          { TANDEM_ALLOW_NETWORKS: `127.0.0.0/8, ${networks}` },
          [],
          'TANDEM_ALLOW_NETWORKS',
        );
        assert.ok(err.message.includes(`"${networks}"`), err.message);
      });
    }

    it('names --allow-networks when the bad CIDR came from the flag', () => {
      assertRefused({}, ['--allow-networks', '300.0.0.0/8'], '--allow-networks', /"300\.0\.0\.0\/8"/);
    });

    it('refuses TANDEM_REDIS_URL (single-node build)', () => {
      assertRefused({ TANDEM_REDIS_URL: 'redis://localhost:6379' }, [], 'TANDEM_REDIS_URL', /Redis/);
    });

    it('refuses TANDEM_DATABASE_URL (SQLite-only build)', () => {
      assertRefused(
        { TANDEM_DATABASE_URL: 'postgres://localhost/tandem' },
        [],
        'TANDEM_DATABASE_URL',
        /PostgreSQL/,
      );
    });

    it('refuses a demo-site setting other than on/off', () => {
      assertRefused({ TANDEM_DEMO_SITE: 'yes' }, [], 'TANDEM_DEMO_SITE', /"on" or "off"/);
    });

    it('refuses a host that is not an address', () => {
      assertRefused({ TANDEM_HOST: 'bad host!' }, [], 'TANDEM_HOST');
    });

    it('refuses an unknown flag and lists the known ones', () => {
      const err = assertRefused({}, ['--prot', '9000'], '--prot', /unknown option/);
      assert.match(err.message, /--port/);
    });

    it('refuses a positional argument', () => {
      assertRefused({}, ['serve'], 'serve', /unknown option/);
    });

    it('refuses a flag without a value', () => {
      assertRefused({}, ['--port'], '--port', /needs a value/);
      assertRefused({}, ['--host', '0.0.0.0', '--data-dir'], '--data-dir', /needs a value/);
    });
  });

  describe('the tandem command', () => {
    it('exits with code 2 and one line on stderr naming --port for `--port abc`', () => {
      const root = fileURLToPath(new URL('../../', import.meta.url));
      const env: NodeJS.ProcessEnv = {};
      if (process.env.PATH) env.PATH = process.env.PATH;
      const result = spawnSync(process.execPath, ['dist/server/main.js', '--port', 'abc'], {
        cwd: root,
        env,
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(result.error, undefined);
      assert.equal(result.status, 2, `stderr: ${result.stderr}`);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, `stderr: ${JSON.stringify(result.stderr)}`);
      assert.ok(result.stderr.endsWith('\n'));
      assert.match(lines[0] as string, /--port/);
      assert.match(lines[0] as string, /"abc"/);
      assert.equal(result.stdout, '');
    });
  });
});

describe('parseConfig: forgotten values', () => {
  for (const argv of [['--port='], ['--port', ''], ['--data-dir', '--port', '9000']]) {
    it(`refuses ${JSON.stringify(argv)} instead of silently using a default`, () => {
      assert.throws(
        () => parseConfig({ PORT: '7000' }, argv),
        (e: unknown) =>
          e instanceof ConfigError && /needs a value/.test(e.message) && e.setting.startsWith('--'),
      );
    });
  }

  it('names an unknown flag without its value', () => {
    assert.throws(
      () => parseConfig({}, ['--bogus=1']),
      (e: unknown) => e instanceof ConfigError && e.setting === '--bogus',
    );
  });
});

describe('parseConfig: plain http only on localhost', () => {
  it('refuses an http app origin that is not on localhost, naming the setting', () => {
    assert.throws(
      () => parseConfig({ TANDEM_PUBLIC_URL: 'http://tandem.example.com' }, []),
      (e: unknown) =>
        e instanceof ConfigError && e.setting === 'TANDEM_PUBLIC_URL' && /https/.test(e.message),
    );
  });
  it('accepts http on localhost names and https anywhere', () => {
    assert.equal(parseConfig({ TANDEM_PUBLIC_URL: 'http://127.0.0.1:8080' }, []).publicUrl.protocol, 'http:');
    assert.equal(
      parseConfig({ TANDEM_PUBLIC_URL: 'http://app.localhost:8080' }, []).publicUrl.protocol,
      'http:',
    );
    const prod = parseConfig(
      { TANDEM_PUBLIC_URL: 'https://tandem.example.com', TANDEM_CONTENT_DOMAIN: 'content.example.net' },
      [],
    );
    assert.equal(prod.contentDomain, 'content.example.net');
  });
});
