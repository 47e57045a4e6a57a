import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex, Readable } from 'node:stream';
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
 * Starts one request upstream. The egress guard judges the address the socket connects to: through
 * `lookup` for host names, directly for IP literals (which skip lookup).
 */
function startUpstream(guard: EgressGuard, req: UpstreamRequest, pooled: boolean): http.ClientRequest {
  const { url } = req;
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (net.isIP(hostname)) guard.check(hostname, port);
  const outgoing = (secure ? https : http).request({
    protocol: url.protocol,
    hostname,
    port,
    path: `${url.pathname}${url.search}`,
    method: req.method,
    headers: req.headers,
    agent: pooled ? (secure ? agentsFor(guard).https : agentsFor(guard).http) : false,
    lookup: guard.lookupFor(port),
    timeout: CONNECT_TIMEOUT_MS,
  });
  outgoing.on('timeout', () => outgoing.destroy(new Error('the site did not answer in time')));
  return outgoing;
}

/** Sends one request upstream without following redirects; resolves with the response. */
export function requestUpstream(guard: EgressGuard, req: UpstreamRequest): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = startUpstream(guard, req, true);
    outgoing.on('response', (res) => {
      res.socket.setTimeout(IDLE_TIMEOUT_MS);
      resolve(res);
    });
    outgoing.on('error', reject);
    if (req.body) req.body.pipe(outgoing);
    else outgoing.end();
  });
}

export type UpgradeResult =
  | { upgraded: true; res: http.IncomingMessage; socket: Duplex; head: Buffer }
  | { upgraded: false; res: http.IncomingMessage };

/** Sends an Upgrade request (the page's own WebSocket) upstream, on a socket of its own. */
export function upgradeUpstream(guard: EgressGuard, req: UpstreamRequest): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const outgoing = startUpstream(guard, req, false);
    outgoing.on('upgrade', (res, socket, head) => {
      socket.setTimeout(0);
      resolve({ upgraded: true, res, socket, head });
    });
    outgoing.on('response', (res) => resolve({ upgraded: false, res }));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
