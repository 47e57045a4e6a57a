import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import type { EgressGuard } from './egress.js';

export interface UpstreamRequest {
  url: URL;
  method: string;
  headers: http.OutgoingHttpHeaders;
  body: Readable | null;
}

const CONNECT_TIMEOUT_MS = 15_000;
const IDLE_TIMEOUT_MS = 30_000;

/**
 * Pooled sockets belong to the guard that checked them, so a socket opened under one guard's rules is
 * never reused under another's (several Tandems in one process, as in tests).
 */
const agentsByGuard = new WeakMap<EgressGuard, { http: http.Agent; https: https.Agent }>();

function agentsFor(guard: EgressGuard) {
  let agents = agentsByGuard.get(guard);
  if (!agents) {
    agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
    agentsByGuard.set(guard, agents);
  }
  return agents;
}

/**
 * Sends one request upstream without following redirects. The egress guard judges the address the
 * socket connects to: through `lookup` for host names, directly for IP literals (which skip lookup).
 */
export function requestUpstream(guard: EgressGuard, req: UpstreamRequest): Promise<http.IncomingMessage> {
  const { url } = req;
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return new Promise((resolve, reject) => {
    if (net.isIP(hostname)) {
      try {
        guard.check(hostname, port);
      } catch (refusal) {
        return reject(refusal);
      }
    }
    const transport = secure ? https : http;
    const outgoing = transport.request({
      protocol: url.protocol,
      hostname,
      port,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: req.headers,
      agent: secure ? agentsFor(guard).https : agentsFor(guard).http,
      lookup: guard.lookupFor(port),
      timeout: CONNECT_TIMEOUT_MS,
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('the site did not answer in time')));
    outgoing.on('response', (res) => {
      res.socket.setTimeout(IDLE_TIMEOUT_MS);
      resolve(res);
    });
    outgoing.on('error', reject);
    if (req.body) req.body.pipe(outgoing);
    else outgoing.end();
  });
}
