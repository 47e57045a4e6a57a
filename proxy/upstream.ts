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

/** How long a hostile or broken site may hold the proxy up, and how much it may send. */
export interface UpstreamLimits {
  /** From the request to a connected socket. */
  connectMs: number;
  /** From the request to the response's status line and headers. */
  firstByteMs: number;
  /** From the request to the body's end; event streams are exempt (they are meant to stay open). */
  totalMs: number;
  /** Silence on the socket while a body is coming. */
  idleMs: number;
  /** The response's status line and headers together. */
  maxHeaderBytes: number;
  /** A body streamed through untouched. */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: UpstreamLimits = {
  connectMs: 10_000,
  firstByteMs: 30_000,
  totalMs: 120_000,
  idleMs: 30_000,
  maxHeaderBytes: 32 * 1024,
  maxBodyBytes: 512 * 1024 * 1024,
};

/** A limit the site broke; the message says which, for the page the owner sees. */
export class UpstreamLimitError extends Error {}

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
function startUpstream(
  guard: EgressGuard,
  req: UpstreamRequest,
  pooled: boolean,
  limits: UpstreamLimits,
): http.ClientRequest {
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
    maxHeaderSize: limits.maxHeaderBytes,
  });
  const connecting = setTimeout(
    () =>
      outgoing.destroy(
        new UpstreamLimitError(`the site did not accept a connection within ${seconds(limits.connectMs)}`),
      ),
    limits.connectMs,
  );
  const waiting = setTimeout(
    () =>
      outgoing.destroy(
        new UpstreamLimitError(`the site did not answer within ${seconds(limits.firstByteMs)}`),
      ),
    limits.firstByteMs,
  );
  outgoing.on('socket', (socket) => {
    if (!(socket as net.Socket).connecting) clearTimeout(connecting);
    else socket.once('connect', () => clearTimeout(connecting));
  });
  const settle = () => {
    clearTimeout(connecting);
    clearTimeout(waiting);
  };
  outgoing.on('response', settle);
  outgoing.on('upgrade', settle);
  outgoing.on('error', settle);
  outgoing.on('close', settle);
  return outgoing;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** Node's words for a header section over the limit, in the owner's words. */
export function describeUpstreamError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'HPE_HEADER_OVERFLOW') return 'the site sent more headers than Tandem accepts';
  if (code?.startsWith('HPE_')) return 'the site sent a malformed answer';
  return err.message;
}

/** Sends one request upstream without following redirects; resolves with the response. */
export function requestUpstream(
  guard: EgressGuard,
  req: UpstreamRequest,
  limits: UpstreamLimits = DEFAULT_LIMITS,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const outgoing = startUpstream(guard, req, true, limits);
    outgoing.on('response', (res) => {
      // Timers on the response, not its socket: a pooled socket outlives the response.
      const idle = setTimeout(
        () => res.destroy(new UpstreamLimitError(`the site stopped sending for ${seconds(limits.idleMs)}`)),
        limits.idleMs,
      );
      // The socket is watched, not the response: a 'data' listener would start the body flowing.
      const socket = res.socket;
      const alive = () => idle.refresh();
      socket.on('data', alive);
      res.once('close', () => {
        clearTimeout(idle);
        socket.off('data', alive);
      });
      if (!/^text\/event-stream/i.test(res.headers['content-type'] ?? '')) {
        const total = setTimeout(
          () => res.destroy(new UpstreamLimitError(`the answer took longer than ${seconds(limits.totalMs)}`)),
          Math.max(0, limits.totalMs - (Date.now() - started)),
        );
        res.once('close', () => clearTimeout(total));
      }
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
export function upgradeUpstream(
  guard: EgressGuard,
  req: UpstreamRequest,
  limits: UpstreamLimits = DEFAULT_LIMITS,
): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const outgoing = startUpstream(guard, req, false, limits);
    outgoing.on('upgrade', (res, socket, head) => {
      socket.setTimeout(0);
      resolve({ upgraded: true, res, socket, head });
    });
    outgoing.on('response', (res) => resolve({ upgraded: false, res }));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
