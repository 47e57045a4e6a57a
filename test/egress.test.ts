import assert from 'node:assert/strict';
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressGuard, EgressRefused, embeddedIpv4, parseCidrList } from '../proxy/egress.js';
import { requestUpstream } from '../proxy/upstream.js';

const OWN_PORT = 8080;

function refusal(guard: EgressGuard, address: string, port: number): EgressRefused {
  try {
    guard.check(address, port);
  } catch (e) {
    assert.ok(e instanceof EgressRefused, `expected EgressRefused for ${address}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${address} port ${port} to be refused`);
}

type LookupResult = { err: NodeJS.ErrnoException | null; address: unknown; family: unknown };

function lookup(guard: EgressGuard, port: number, hostname: string, options: dns.LookupOptions) {
  return new Promise<LookupResult>((resolve) => {
    guard.lookupFor(port)(hostname, options, (err, address, family) => resolve({ err, address, family }));
  });
}

describe('parseCidrList', () => {
  it('parses a comma- and space-separated list into canonical CIDRs', () => {
    assert.deepEqual(parseCidrList('127.0.0.0/8, 10.1.0.0/16  ::1 fd00::/8,,'), [
      '127.0.0.0/8',
      '10.1.0.0/16',
      '::1/128',
      'fd00::/8',
    ]);
  });

  it('gives a bare IPv4 address a /32 prefix', () => {
    assert.deepEqual(parseCidrList('192.168.1.5'), ['192.168.1.5/32']);
  });

  it('returns nothing for an empty list', () => {
    assert.deepEqual(parseCidrList(' , '), []);
  });

  for (const bad of [
    'localhost',
    '10.0.0.0/33',
    '::/129',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    '10.0.0/8',
    '1.2.3.4/x',
  ]) {
    it(`refuses "${bad}" and quotes it`, () => {
      assert.throws(
        () => parseCidrList(`127.0.0.0/8,${bad}`),
        (e: Error) => e.message.includes(`"${bad}"`) && /CIDR/.test(e.message),
      );
    });
  }
});

describe('embeddedIpv4', () => {
  const cases: Array<[string, string | null]> = [
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', '169.254.169.254'],
    ['64:ff9b::a00:1', '10.0.0.1'],
    ['64:ff9b::192.168.0.1', '192.168.0.1'],
    ['2002:7f00:1::', '127.0.0.1'],
    ['2002:c0a8:101::1', '192.168.1.1'],
    ['2606:4700::1111', null],
    ['::1', null],
    ['fe80::1', null],
  ];
  for (const [address, expected] of cases) {
    it(`${address} → ${expected}`, () => {
      assert.equal(embeddedIpv4(address), expected);
    });
  }
});

describe('EgressGuard', () => {
  describe('with no allowed networks', () => {
    const guard = new EgressGuard({ allowNetworks: [], ownPort: OWN_PORT });

    const refused: Array<[string, RegExp]> = [
      ['127.0.0.1', /loopback/],
      ['127.255.0.9', /loopback/],
      ['10.0.0.1', /private/],
      ['10.255.255.255', /private/],
      ['172.16.0.1', /private/],
      ['172.31.255.254', /private/],
      ['192.168.1.1', /private/],
      ['169.254.169.254', /metadata/],
      ['0.0.0.0', /this network/],
      ['100.64.0.1', /carrier-grade NAT/],
      ['224.0.0.1', /multicast/],
      ['::', /unspecified/],
      ['::1', /loopback/],
      ['fc00::1', /unique-local/],
      ['fd12:3456::1', /unique-local/],
      ['fe80::1', /link-local/],
      ['febf::1', /link-local/],
      ['::ffff:127.0.0.1', /loopback/],
      ['::ffff:7f00:1', /loopback/],
      ['::ffff:a9fe:a9fe', /metadata/],
      ['64:ff9b::a00:1', /private/],
      ['2002:7f00:1::', /loopback/],
    ];
    for (const [address, reason] of refused) {
      it(`refuses ${address} with a reason a person can read`, () => {
        const err = refusal(guard, address, 80);
        assert.equal(err.name, 'EgressRefused');
        assert.equal(err.address, address);
        assert.match(err.reason, reason);
        assert.match(err.reason, /which this server does not reach/);
        assert.ok(err.message.includes(address) && err.message.includes(err.reason), err.message);
      });
    }

    it('judges an address the same every time it is asked, with an error of its own each time', () => {
      const first = refusal(guard, '10.0.0.7', 80);
      const second = refusal(guard, '10.0.0.7', 80);
      assert.notEqual(first, second);
      assert.equal(second.address, '10.0.0.7');
      assert.equal(second.reason, first.reason);
      assert.doesNotThrow(() => guard.check('8.8.4.4', 443));
      assert.doesNotThrow(() => guard.check('8.8.4.4', 443));
    });

    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '192.169.0.1',
      '2606:4700::1111',
      '2001:4860::8888',
    ]) {
      it(`allows public ${address}`, () => {
        assert.doesNotThrow(() => guard.check(address, 443));
      });
    }
  });

  describe('with 127.0.0.0/8 allowed', () => {
    const guard = new EgressGuard({ allowNetworks: parseCidrList('127.0.0.0/8'), ownPort: OWN_PORT });

    it('allows a loopback site on another port', () => {
      assert.doesNotThrow(() => guard.check('127.0.0.1', 3000));
      assert.doesNotThrow(() => guard.check('127.0.0.2', OWN_PORT + 1));
      assert.doesNotThrow(() => guard.check('::ffff:127.0.0.1', 3000));
    });

    it("still refuses Tandem's own port on any local address", () => {
      for (const address of [
        '127.0.0.1',
        '127.0.0.5',
        '::1',
        '::ffff:127.0.0.1',
        '::ffff:7f00:1',
        '0.0.0.0',
      ]) {
        const err = refusal(guard, address, OWN_PORT);
        assert.match(err.reason, /Tandem's own address/, address);
      }
    });

    it('still refuses networks that were not allowed', () => {
      refusal(guard, '10.0.0.1', 3000);
      refusal(guard, '::1', 3000);
      refusal(guard, '169.254.169.254', 80);
    });
  });

  describe('with ::1/128 allowed', () => {
    const guard = new EgressGuard({ allowNetworks: parseCidrList('::1/128'), ownPort: OWN_PORT });

    it('allows ::1 on another port but not 127.0.0.1', () => {
      assert.doesNotThrow(() => guard.check('::1', 3000));
      refusal(guard, '127.0.0.1', 3000);
      refusal(guard, '::1', OWN_PORT);
    });
  });

  describe('with an allowed endpoint', () => {
    const guard = new EgressGuard({
      allowNetworks: [],
      ownPort: OWN_PORT,
      allowEndpoints: [{ address: '127.0.0.1', port: 4567 }],
    });

    it('allows exactly that address and port', () => {
      assert.doesNotThrow(() => guard.check('127.0.0.1', 4567));
    });

    it('refuses the same address on another port, and another address on that port', () => {
      refusal(guard, '127.0.0.1', 4568);
      refusal(guard, '127.0.0.2', 4567);
      refusal(guard, '::1', 4567);
    });
  });

  describe('lookupFor()', () => {
    it('refuses a host name that resolves to loopback, through the callback', async () => {
      const guard = new EgressGuard({ allowNetworks: [], ownPort: OWN_PORT });
      for (const options of [{}, { all: true }] as dns.LookupOptions[]) {
        const { err } = await lookup(guard, 3000, 'localhost', options);
        assert.ok(err instanceof EgressRefused, `options ${JSON.stringify(options)}: ${String(err)}`);
        assert.match(err.reason, /loopback/);
      }
    });

    it('refuses an allowed network on the own port', async () => {
      const guard = new EgressGuard({
        allowNetworks: parseCidrList('127.0.0.0/8 ::1/128'),
        ownPort: OWN_PORT,
      });
      const { err } = await lookup(guard, OWN_PORT, 'localhost', {});
      assert.ok(err instanceof EgressRefused, String(err));
    });

    it('returns the resolved addresses when they are allowed', async () => {
      const guard = new EgressGuard({
        allowNetworks: parseCidrList('127.0.0.0/8 ::1/128'),
        ownPort: OWN_PORT,
      });
      const expected = await dns.promises.lookup('localhost', { all: true });

      const all = await lookup(guard, 3000, 'localhost', { all: true });
      assert.equal(all.err, null);
      assert.deepEqual(all.address, expected);

      const one = await lookup(guard, 3000, 'localhost', {});
      assert.equal(one.err, null);
      assert.ok(
        expected.some((a) => a.address === one.address && a.family === one.family),
        `${String(one.address)} is not one of ${JSON.stringify(expected)}`,
      );
    });

    it('passes a DNS failure through', async () => {
      const guard = new EgressGuard({ allowNetworks: [], ownPort: OWN_PORT });
      const { err } = await lookup(guard, 80, 'no-such-host.invalid', {});
      assert.ok(err, 'expected a DNS error');
      assert.ok(!(err instanceof EgressRefused));
    });
  });
});

describe('requestUpstream and the egress guard', () => {
  let server: http.Server;
  let port: number;
  let connections = 0;

  before(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello from upstream');
    });
    server.on('connection', () => {
      connections++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    connections = 0;
  });

  const get = (guard: EgressGuard, url: string) =>
    requestUpstream(guard, { url: new URL(url), method: 'GET', headers: {}, body: null });

  const ownPort = () => (port === OWN_PORT ? OWN_PORT + 1 : OWN_PORT);

  it('refuses 127.0.0.1 without allowed networks, before connecting', async () => {
    const guard = new EgressGuard({ allowNetworks: [], ownPort: ownPort() });
    await assert.rejects(get(guard, `http://127.0.0.1:${port}/`), (e: unknown) => {
      assert.ok(e instanceof EgressRefused, String(e));
      assert.match(e.reason, /loopback/);
      return true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(connections, 0);
  });

  it('refuses the IPv4-mapped form of 127.0.0.1 too', async () => {
    const guard = new EgressGuard({ allowNetworks: [], ownPort: ownPort() });
    await assert.rejects(get(guard, `http://[::ffff:127.0.0.1]:${port}/`), EgressRefused);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(connections, 0);
  });

  it('refuses a URL with host name localhost, before connecting', async () => {
    const guard = new EgressGuard({ allowNetworks: [], ownPort: ownPort() });
    await assert.rejects(get(guard, `http://localhost:${port}/`), (e: unknown) => {
      assert.ok(e instanceof EgressRefused, String(e));
      return true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(connections, 0);
  });

  it('connects when 127.0.0.0/8 is allowed', async () => {
    const guard = new EgressGuard({ allowNetworks: parseCidrList('127.0.0.0/8'), ownPort: ownPort() });
    const res = await get(guard, `http://127.0.0.1:${port}/`);
    assert.equal(res.statusCode, 200);
    let body = '';
    for await (const chunk of res) body += chunk;
    assert.equal(body, 'hello from upstream');
    assert.equal(connections, 1);
  });

  it('refuses even an allowed network when the port is Tandem’s own', async () => {
    const guard = new EgressGuard({ allowNetworks: parseCidrList('127.0.0.0/8'), ownPort: port });
    await assert.rejects(get(guard, `http://127.0.0.1:${port}/`), (e: unknown) => {
      assert.ok(e instanceof EgressRefused, String(e));
      assert.match(e.reason, /Tandem's own address/);
      return true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(connections, 0);
  });
});

describe('parseCidrList: malformed prefixes', () => {
  for (const entry of ['10.0.0.0/', '::1/', '10.0.0.0/1e1', '10.0.0.0/0x8', '10.0.0.0/ 8']) {
    it(`refuses "${entry}" rather than reading it as another prefix`, () => {
      assert.throws(() => parseCidrList(entry), /not an IP network/);
    });
  }
});

describe('embeddedIpv4: dotted IPv4-compatible form', () => {
  it('reads ::127.0.0.1 as 127.0.0.1, as Node prints a resolved ::7f00:1', () => {
    assert.equal(embeddedIpv4('::127.0.0.1'), '127.0.0.1');
    assert.equal(embeddedIpv4('::7f00:1'), '127.0.0.1');
  });
});
