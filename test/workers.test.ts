import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { withWorkerPrelude } from '../rewriter/worker-prelude.js';
import {
  assertSameThroughTandem,
  runBoth,
  type StaticSite,
  useCompatEnv,
  waitValue,
} from './compat/helpers.js';

const PRELUDE = 'self.mapped=1;\n';

describe('the worker prelude in front of a worker script', () => {
  it('goes on the first line, after what must stay first: mark, hashbang, comments, directives', () => {
    const code = ';self.mapped=1;';
    const cases: Array<[string, string]> = [
      ['self.x = 1;', `${code}self.x = 1;`],
      ['"use strict";\nself.x = 1;', `"use strict";\n${code}self.x = 1;`],
      [
        "// top\n/* more */ 'use strict'\n'another';x()",
        `// top\n/* more */ 'use strict'\n'another';${code}x()`,
      ],
      ['\xEF\xBB\xBF"use strict";go()', `\xEF\xBB\xBF"use strict";${code}go()`],
      ['\uFEFF#!/usr/bin/env node\ngo()', `\uFEFF#!/usr/bin/env node\n${code}go()`],
      ['import x from "./x.js";\ngo(x)', `${code}import x from "./x.js";\ngo(x)`],
      ['"a b".split(" ")', `${code}"a b".split(" ")`],
      ['"a"\n.split("")', `${code}"a"\n.split("")`],
      ['', code],
    ];
    for (const [source, expected] of cases) assert.equal(withWorkerPrelude(source, PRELUDE), expected);
  });
});

/** Both workers report the same things: each is one line of what it could reach. */
const PROBE = `
const probes = [
  fetch(SITE + '/data.json').then((r) => r.json()).then((j) => j.value),
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', SITE + '/data.json');
    xhr.onload = () => resolve(JSON.parse(xhr.responseText).value);
    xhr.onerror = () => reject(new Error('xhr failed'));
    xhr.send();
  }),
  new Promise((resolve, reject) => {
    const socket = new WebSocket(SITE.replace('http', 'ws') + '/echo');
    socket.onopen = () => socket.send('ping');
    socket.onmessage = (e) => { resolve(e.data); socket.close(); };
    socket.onerror = () => reject(new Error('socket failed'));
  }),
  fetch(OTHER + '/shared.json').then((r) => r.json()).then((j) => j.value),
];
Promise.all(probes).then(
  ([fetched, xhr, socket, other]) => postMessage({ ...extra, fetched, xhr, socket, other }),
  (e) => postMessage({ error: String(e) }),
);`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Workers</title></head>
<body><p>workers</p><script>
for (const [name, options] of [['classic', {}], ['module', { type: 'module' }]]) {
  const worker = new Worker('/' + name + '.js', options);
  worker.onmessage = (e) => { document.body.dataset[name] = JSON.stringify(e.data); };
  worker.onerror = (e) => { document.body.dataset[name] = JSON.stringify({ error: e.message }); };
}
</script></body></html>`;

describe("workers' own requests, through Tandem", function () {
  this.timeout(60_000);
  const env = useCompatEnv();
  let site: StaticSite;
  let other: http.Server;
  let server: http.Server;

  before(async () => {
    other = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ value: 'from the other site' }));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    server = http.createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      const js = (body: string) =>
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(body.replace(/\r/g, ''));
      const consts = `const SITE = ${JSON.stringify(origin)}; const OTHER = ${JSON.stringify(otherUrl)};`;
      switch (req.url) {
        case '/page.html':
          return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        case '/data.json':
          return res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":"from the site"}');
        case '/helper.js':
          return js("self.helper = 'imported';");
        case '/helper.mjs':
          return js("export const helper = 'imported';");
        case '/classic.js':
          // Strict only if the directive is still first after the prelude went in.
          return js(
            `'use strict';\n${consts}\nimportScripts(SITE + '/helper.js');\nconst extra = { helper: self.helper, strict: (function () { return this === undefined; })() };${PROBE}`,
          );
        case '/module.js':
          return js(`import { helper } from './helper.mjs';\n${consts}\nconst extra = { helper };${PROBE}`);
        default:
          return res.writeHead(404).end();
      }
    });
    const sockets = new WebSocketServer({ server, path: '/echo' });
    sockets.on('connection', (socket) => socket.on('message', (m) => socket.send(`echo ${m}`)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    site = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        sockets.close();
        server.closeAllConnections();
        server.close();
      },
    };
  });
  after(async () => {
    await site?.close();
    other?.close();
  });

  it("maps a classic and a module worker's fetch, XHR, importScripts and WebSocket onto content hosts", async () => {
    const runs = await runBoth(env, site, '/page.html', async (page) => {
      const classic = await waitValue(page, () => document.body.dataset.classic);
      const module = await waitValue(page, () => document.body.dataset.module);
      return { classic: JSON.parse(String(classic)), module: JSON.parse(String(module)) };
    });
    const reached = {
      fetched: 'from the site',
      xhr: 'from the site',
      socket: 'echo ping',
      other: 'from the other site',
    };
    assert.deepEqual(runs.direct.result, {
      classic: { helper: 'imported', strict: true, ...reached },
      module: { helper: 'imported', ...reached },
    });
    assertSameThroughTandem(runs, env);
  });
});
