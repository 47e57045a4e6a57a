import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import pino, { type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { Archive } from '../archive/archive.js';
import { Auditors } from '../archive/auditors.js';
import { Capture } from '../archive/capture.js';
import { Journal } from '../archive/journal.js';
import { sealKey, sealOf } from '../archive/seal.js';
import { DeskAccounts } from '../desk/accounts.js';
import { Desk } from '../desk/desk.js';
import { type FixtureSite, startFixtureSite } from '../fixtures/site.js';
import { Ledger } from '../ledger/ledger.js';
import { ContentHosts } from '../proxy/content-hosts.js';
import { createContentHandler } from '../proxy/content-server.js';
import { CookieJars } from '../proxy/cookie-jars.js';
import { Credentials } from '../proxy/credential.js';
import { EgressGuard } from '../proxy/egress.js';
import { ENTRY_CODE_LIFETIME_MS, type Entry } from '../proxy/entry.js';
import { refuseUpgrade } from '../proxy/pages.js';
import { SessionCache } from '../proxy/session-cache.js';
import { DEFAULT_LIMITS, type UpstreamLimits } from '../proxy/upstream.js';
import { OneTimeCodes } from '../session/one-time-codes.js';
import { MAX_FRAME_BYTES } from '../session/protocol.js';
import { Rooms } from '../session/rooms.js';
import { SessionError, Sessions } from '../session/sessions.js';
import { attachSocket } from '../session/socket.js';
import { newTickets } from '../session/tickets.js';
import { diskBlobs } from '../store/blobs.js';
import { sqliteDeskAccounts } from '../store/desk-accounts.js';
import { SqliteDeskQueue } from '../store/desk-queue.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { ArchiveStore, Store } from '../store/types.js';
import { sqliteUsage } from '../store/usage.js';
import { createApp, DEMO_TENANT } from './app.js';
import { archiveRoutes } from './archive-routes.js';
import { PUBLIC_DIR, readManifest } from './assets.js';
import type { Config } from './config.js';
import { deskAccountRoutes } from './desk-account-routes.js';
import { DeskLive } from './desk-live.js';
import { deskQueueRoutes } from './desk-queue-routes.js';
import { loadSecret } from './secret.js';
import { httpTranslator } from './translator-http.js';

export interface Tandem {
  url: string;
  port: number;
  store: Store & ArchiveStore;
  archive: Archive;
  auditors: Auditors;
  deskAccounts: DeskAccounts;
  desk: Desk;
  log: Logger;
  stop(): Promise<void>;
}

/** Memory for the pages last served in a session, to compare the next ones with. */
const PAGES_PER_SESSION_BYTES = 16 * 1024 * 1024;

/** How often sessions past their tenant's retention period are deleted. */
const SWEEP_INTERVAL_MS = 60 * 60_000;

export interface StartOptions {
  logger?: Logger;
  /** How long a desk session waits for its agent or last visitor to come back before it ends (30 s). */
  deskLeaveGraceMs?: number;
  /** Tighter limits on upstream sites (tests of hostile upstreams). */
  upstreamLimits?: Partial<UpstreamLimits>;
}

/** Composition root: builds every room, wires them together and listens. */
export async function startTandem(config: Config, options: StartOptions = {}): Promise<Tandem> {
  const log = options.logger ?? pino({ name: 'tandem' });
  const manifest = readManifest();
  const secret = loadSecret(config.dataDir);
  const store = openSqliteStore(config.dataDir);
  await store.ensureTenant({ id: DEMO_TENANT, name: 'Demo' });

  const demo: FixtureSite | null = config.demoSite ? await startFixtureSite({ host: '127.0.0.1' }) : null;
  const jars = new CookieJars();
  const cache = new SessionCache();
  // The pages the owner was served, kept apart from followers' copies (their mirrors never run page
  // scripts, so they never ask for a document) and only to tell a page served again unchanged.
  const pages = new SessionCache(PAGES_PER_SESSION_BYTES);
  const blobs = diskBlobs(path.join(config.dataDir, 'blobs'));
  const archiveSeal = sealKey(secret);
  const journal = new Journal(store, log, Date.now, (sessionId, finalHash) =>
    sealOf(archiveSeal, sessionId, finalHash),
  );
  const capture = new Capture(store, blobs, log);
  const sessions = new Sessions(store, secret);
  const ledger = new Ledger(sqliteUsage(store.db), async (id) => (await store.getSession(id))?.tenantId, log);
  const rooms = new Rooms(
    journal,
    log,
    (sessionId) => {
      jars.drop(sessionId);
      cache.drop(sessionId);
      pages.drop(sessionId);
      capture.forget(sessionId);
      hosts.forget(sessionId);
    },
    {
      remove: async (participantId) => {
        const removed = await store.getParticipant(participantId);
        await store.removeParticipant(participantId, Date.now());
        // Someone who came in with the session's invite link could come back with it as anybody:
        // it is replaced. A seat's key (the help desk's) names that seat, which stays removed.
        if (removed?.role !== 'follower' || removed.seat) return { inviteReplaced: false };
        await sessions.replaceJoinKey(removed.sessionId);
        return { inviteReplaced: true };
      },
      setLocked: (sessionId, locked) => store.setSessionLocked(sessionId, locked),
      attended: (sessionId, spans) => ledger.attended(sessionId, spans),
    },
  );
  const auditors = new Auditors(store, secret);
  const deskAccountStore = sqliteDeskAccounts(store.db);
  const deskAccounts = new DeskAccounts(deskAccountStore, secret);
  const tickets = newTickets();
  const entries = new OneTimeCodes<Entry>(ENTRY_CODE_LIFETIME_MS);
  const credentials = new Credentials(secret);
  const server = http.createServer();
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  await listening;
  const port = (server.address() as net.AddressInfo).port;
  const publicUrl = config.port === 0 ? withPort(config.publicUrl, port) : config.publicUrl;
  const hosts = new ContentHosts(secret, store, config.contentDomain, publicUrl, log);
  const guard = new EgressGuard({
    allowNetworks: config.allowNetworks,
    ownPort: port,
    allowEndpoints: demo ? [{ address: '127.0.0.1', port: demo.port }] : [],
  });
  // 127.0.0.1, not localhost: the guard exempts exactly the demo's address, and localhost may resolve to ::1.
  const demoUrl = demo ? `http://127.0.0.1:${demo.port}/` : null;
  const runtimeFile = manifest.runtime;

  const archive = new Archive(store, blobs, publicUrl.origin, archiveSeal);
  const deskLive: DeskLive = new DeskLive(deskAccounts, (): Desk => desk, publicUrl.origin, log);
  const desk: Desk = new Desk({
    store: new SqliteDeskQueue(store.db),
    directory: {
      tenantByPublicKey: (key) => deskAccounts.tenantByPublicKey(key),
      tenantName: async (id) => (await deskAccountStore.tenant(id))?.name ?? id,
      settingsOf: (id) => deskAccounts.settingsOf(id),
      users: (id) => deskAccounts.users(id),
      recordAlert: (id, kind, detail) => deskAccounts.recordAlert(id, kind, detail),
      alerts: (id, limit) => deskAccounts.alerts(id, limit),
    },
    sessions,
    rooms,
    publicOrigin: publicUrl.origin,
    listener: deskLive,
    leaveGraceMs: options.deskLeaveGraceMs ?? 30_000,
  });
  const app = createApp({
    config: { ...config, publicUrl },
    manifest,
    sessions,
    tickets,
    hosts,
    entries,
    demoUrl,
    log,
    translator: config.translateUrl ? httpTranslator(config.translateUrl) : null,
    brandOf: (tenantId) => store.brandOf(tenantId),
    archive: archiveRoutes({
      archive,
      auditors,
      script: manifest.replay,
      secureCookies: publicUrl.protocol === 'https:',
    }),
    deskAccounts: deskAccountRoutes({
      accounts: deskAccounts,
      ledger,
      secureCookies: publicUrl.protocol === 'https:',
    }),
    deskQueue: deskQueueRoutes({
      desk,
      accounts: deskAccounts,
      manifest,
      secret,
      secureCookies: publicUrl.protocol === 'https:',
    }),
  });
  const content = createContentHandler({
    contentDomain: config.contentDomain,
    publicUrl,
    hosts,
    credentials,
    entries,
    guard,
    limits: { ...DEFAULT_LIMITS, ...options.upstreamLimits },
    jars,
    cache,
    served: (r) => {
      const kept = (r.headers['content-type'] ?? '').startsWith('text/html') ? pages : cache;
      const key = r.label + r.path;
      const before = kept.get(r.sessionId, key);
      kept.put(r.sessionId, key, {
        status: r.status,
        headers: r.headers,
        body: r.body,
        anonymous: r.anonymous,
      });
      // The same bytes again (a page loaded again, its scripts and styles once more) are captured
      // already; comparing them costs a fraction of hashing them.
      if (before?.status === r.status && before.body.equals(r.body)) return;
      capture.record(r);
    },
    log,
    runtime: { path: `/__tandem/${runtimeFile}`, body: fs.readFileSync(path.join(PUBLIC_DIR, runtimeFile)) },
    workerPrelude: fs.readFileSync(path.join(PUBLIC_DIR, manifest.worker), 'latin1'),
    gate: {
      canGoUpstream: async (sessionId, participantId) => {
        const room = rooms.get(sessionId);
        if (room?.tabOwner) return room.isTabOwner(participantId);
        // Before the host's viewer has connected, the host's own frame is already loading the page.
        const p = await store.getParticipant(participantId);
        return p?.sessionId === sessionId && p.role === 'owner';
      },
    },
  });

  const contentSuffix = `.${config.contentDomain}`;
  const isContentHost = (req: http.IncomingMessage) =>
    (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').endsWith(contentSuffix);

  server.on('request', (req, res) => {
    if (isContentHost(req)) {
      content.handle(req, res).catch((err: Error) => {
        log.error({ err: err.stack, host: req.headers.host }, 'content request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Tandem could not serve this page.');
      });
    } else {
      app(req, res);
    }
  });

  // Without permessage-deflate, ws writes each frame as it is sent, so the frames the room writes
  // straight to the socket (session/socket.ts) stay in order with ws's own.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    upgrade(req, socket, head).catch((err: Error) => {
      log.error({ err: err.stack }, 'upgrade failed');
      refuseUpgrade(socket, 500, 'internal error');
    });
  });

  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (isContentHost(req)) return content.upgrade(req, socket, head);
    const url = new URL(req.url ?? '/', publicUrl);
    if (url.pathname === '/desk/ws') return deskLive.upgrade(req, socket, head, url);
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'not found');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== publicUrl.origin)
      return refuseUpgrade(socket, 403, 'origin not allowed');
    const sessionId = url.searchParams.get('session') ?? '';
    const token = url.searchParams.get('token');
    const ticket = url.searchParams.get('ticket');
    let participantId: string | null = null;
    try {
      if (ticket)
        participantId = tickets.redeem(ticket, (t) => t.sessionId === sessionId)?.participantId ?? null;
      else if (token) participantId = (await sessions.authenticate(sessionId, token)).id;
    } catch (e) {
      if (!(e instanceof SessionError)) throw e;
      return refuseUpgrade(socket, e.code === 'unknown-session' ? 404 : 403, e.message);
    }
    if (!participantId) return refuseUpgrade(socket, 403, 'a valid token or ticket is needed');
    const session = await sessions.get(sessionId);
    const participant = await store.getParticipant(participantId);
    if (!session || !participant) return refuseUpgrade(socket, 404, 'no session with this id');
    const { admitted, hidden } = await desk.admit(session, participant);
    if (!admitted) return refuseUpgrade(socket, 410, 'the session has ended');
    const room = await rooms.open(session);
    wss.handleUpgrade(req, socket, head, (ws) => {
      desk.connected(session, participant);
      attachSocket(ws, room, { ...participant, hidden }, log, () => {
        rooms.released(session.id);
        if (!room.isConnected(participant.id)) desk.disconnected(session.id);
      });
    });
  }

  const sweep = () =>
    archive
      .sweep(Date.now(), (id) => rooms.get(id) !== undefined)
      .then(
        (deleted) => {
          for (const d of deleted) log.info(d, 'archived session deleted at the end of its retention period');
        },
        (err: Error) => log.error({ err: err.message }, 'retention sweep failed'),
      );
  void sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const tandem: Tandem = {
    url: publicUrl.origin,
    port,
    store,
    archive,
    auditors,
    deskAccounts,
    desk,
    log,
    async stop() {
      clearInterval(sweeper);
      desk.stop();
      deskLive.close();
      rooms.closeAll(1001, 'server shutting down');
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      await demo?.close();
      // A clean stop seals every open chain; a session continued later is unsealed on opening.
      await journal.sealAll();
      await capture.drain();
      await store.close();
    },
  };
  log.info(
    { url: publicUrl.origin, demo: demoUrl, contentDomain: config.contentDomain },
    'Tandem is listening',
  );
  return tandem;
}

function withPort(url: URL, port: number): URL {
  const u = new URL(url.href);
  u.port = String(port);
  return u;
}
