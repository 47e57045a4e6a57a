import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ContentHosts } from '../proxy/content-hosts.js';
import { readCookie } from '../proxy/credential.js';
import { type EntryCodes, entryUrl } from '../proxy/entry.js';
import { MAX_CHAT_LENGTH } from '../session/limits.js';
import { parseNavigableUrl } from '../session/room.js';
import { SessionError, type Sessions } from '../session/sessions.js';
import type { Tickets } from '../session/tickets.js';
import { TranslationError, type Translator, translateLine } from '../session/translation.js';
import type { Brand } from '../store/types.js';
import { type Manifest, PUBLIC_DIR } from './assets.js';
import type { Config } from './config.js';
import { deskPages } from './desk-pages.js';
import { HttpError, parseBody } from './http-error.js';
import { notFoundPage, shellPage } from './pages.js';

export const DEMO_TENANT = 'demo';

export interface AppOptions {
  config: Config;
  manifest: Manifest;
  sessions: Sessions;
  tickets: Tickets;
  hosts: ContentHosts;
  entries: EntryCodes;
  /** The URL of the built-in demo site, offered on the landing page. */
  demoUrl: string | null;
  log: { error(fields: object, message: string): void };
  /** How a tenant's sessions look, if it chose. */
  brandOf(tenantId: string): Promise<Brand | null>;
  /** Translates chat lines on request, when the operator configured a service. */
  translator: Translator | null;
  /** The auditors' archive screens and API. */
  archive: { pages: express.Router; api: express.Router };
  /** The help desk's accounts and administration API. */
  deskAccounts: express.Router;
  /** The help desk's queue API and the visitor's page `/help/<key>`. */
  deskQueue: { api: express.Router; pages: express.Router };
}

const createBody = z
  .strictObject({
    startUrl: z.string().max(8192).optional(),
    batonPolicy: z.enum(['support', 'collaboration']).optional(),
    liveTyping: z.boolean().optional(),
  })
  .optional();
const joinBody = z.strictObject({
  name: z.string().trim().min(1, 'a name is needed').max(80),
  key: z.string().min(1).max(200),
});
const ticketBody = z.strictObject({ token: z.string().min(1).max(200) });
const translateBody = z.strictObject({
  text: z.string().min(1).max(MAX_CHAT_LENGTH),
  to: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as "fr" or "pt-BR"'),
});

/**
 * The viewer's participant credential as a cookie on the app origin, scoped to the session's API
 * path. It lets the viewer open pages without putting its token in a URL, and lets a content host
 * send a browser that has no cookie there yet back here to be entered (the entry bounce). Partitioned
 * like the content-host cookie, so it is sent when the request comes from inside the viewer.
 */
const sessionCookieName = (sessionId: string) => `tandem_s_${sessionId}`;

function setSessionCookie(res: Response, sessionId: string, token: string): void {
  res.append(
    'set-cookie',
    `${sessionCookieName(sessionId)}=${token}; Path=/api/sessions/${encodeURIComponent(sessionId)}/; HttpOnly; Secure; SameSite=None; Partitioned`,
  );
}

/** A token given in the query (API clients, the contract) or the viewer's session cookie. */
function credentialOf(req: Request, sessionId: string): string {
  if (typeof req.query.token === 'string' && req.query.token) return req.query.token;
  return readCookie(req.headers.cookie, sessionCookieName(sessionId)) ?? '';
}

const fromSessionError = (e: unknown) => {
  if (!(e instanceof SessionError)) return e;
  return e.code === 'unknown-session'
    ? new HttpError(404, e.code, e.message)
    : new HttpError(403, e.code, e.message);
};

export function createApp(o: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Only the proxies named in the configuration are believed about who is asking: anyone else could
  // write any X-Forwarded-For and pass as a new address to every per-address limit.
  app.set('trust proxy', o.config.trustProxy.length > 0 ? o.config.trustProxy : false);
  const publicOrigin = o.config.publicUrl.origin;
  const shellConfig = {
    contentDomain: o.config.contentDomain,
    demoUrl: o.demoUrl,
    translation: o.translator !== null,
  };

  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    next();
  });

  app.use(
    '/assets',
    express.static(PUBLIC_DIR, { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );

  app.get('/', async (_req, res, next) => {
    try {
      const brand = await o.brandOf(DEMO_TENANT);
      res.type('html').send(
        shellPage({
          title: brand?.name ?? 'Tandem',
          script: o.manifest.viewer,
          config: { ...shellConfig, brand },
          bootText: 'Loading Tandem…',
        }),
      );
    } catch (e) {
      next(e);
    }
  });

  app.get('/s/:id', async (req, res, next) => {
    try {
      const session = await o.sessions.get(req.params.id);
      if (!session) {
        res
          .status(404)
          .type('html')
          .send(notFoundPage('Session not found', 'This session link is not valid or has ended.'));
        return;
      }
      res.setHeader('cache-control', 'no-store');
      const brand = await o.brandOf(session.tenantId);
      res.type('html').send(
        shellPage({
          title: brand ? `${brand.name} · session` : 'Tandem session',
          script: o.manifest.viewer,
          config: { ...shellConfig, session: session.id, startUrl: session.startUrl, brand },
          bootText: 'Connecting you to the session…',
        }),
      );
    } catch (e) {
      next(e);
    }
  });

  app.use(o.archive.pages);
  app.use(deskPages(o.manifest));
  app.use('/api/archive', o.archive.api);
  app.use('/api/desk', o.deskAccounts);
  app.use('/api/desk', o.deskQueue.api);
  app.use(o.deskQueue.pages);

  const api = express.Router();
  api.use(express.json({ limit: '32kb', strict: true }));

  api.post('/sessions', async (req, res, next) => {
    try {
      if (!o.config.quickSessions) {
        throw new HttpError(
          403,
          'forbidden',
          'quick sessions are only available when Tandem listens on loopback',
        );
      }
      const body = parseBody(createBody, req.body ?? undefined);
      let startUrl: string | null = null;
      if (body?.startUrl?.trim()) {
        startUrl = parseNavigableUrl(body.startUrl);
        if (!startUrl) throw new HttpError(400, 'bad-url', 'startUrl must be an http or https address');
      }
      const s = await o.sessions.create(
        DEMO_TENANT,
        startUrl,
        body?.batonPolicy ?? 'support',
        body?.liveTyping ?? false,
      );
      const viewer = `${publicOrigin}/s/${encodeURIComponent(s.id)}`;
      res.setHeader('cache-control', 'no-store');
      res.status(201).json({
        id: s.id,
        hostUrl: `${viewer}?key=${encodeURIComponent(s.hostKey)}`,
        joinUrl: `${viewer}?key=${encodeURIComponent(s.joinKey)}`,
        hostKey: s.hostKey,
        joinKey: s.joinKey,
      });
    } catch (e) {
      next(e);
    }
  });

  api.post('/sessions/:id/participants', async (req, res, next) => {
    try {
      const body = parseBody(joinBody, req.body);
      const p = await o.sessions.join(req.params.id, body.name, body.key);
      setSessionCookie(res, req.params.id, p.token);
      res.status(201).json({ participantId: p.participantId, token: p.token, role: p.role });
    } catch (e) {
      next(fromSessionError(e));
    }
  });

  api.post('/sessions/:id/tickets', async (req, res, next) => {
    try {
      const body = parseBody(ticketBody, req.body);
      const p = await o.sessions.authenticate(req.params.id, body.token);
      res.setHeader('cache-control', 'no-store');
      setSessionCookie(res, p.sessionId, body.token);
      res.status(201).json({ ticket: o.tickets.issue({ sessionId: p.sessionId, participantId: p.id }) });
    } catch (e) {
      next(fromSessionError(e));
    }
  });

  api.get('/sessions/:id/invite', async (req, res, next) => {
    try {
      const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
      const p = await o.sessions.authenticate(req.params.id, token);
      if (p.role !== 'owner')
        throw new HttpError(403, 'not-owner', 'only the host can see the link to share');
      res.setHeader('cache-control', 'no-store');
      const viewer = `${publicOrigin}/s/${encodeURIComponent(p.sessionId)}`;
      const key = (await o.sessions.inviteKey(p.sessionId)) ?? '';
      res.json({ joinUrl: `${viewer}?key=${encodeURIComponent(key)}` });
    } catch (e) {
      next(fromSessionError(e));
    }
  });

  api.post('/sessions/:id/translate', async (req, res, next) => {
    try {
      if (!o.translator) throw new HttpError(404, 'translation-off', 'no translation service is configured');
      const body = parseBody(translateBody, req.body);
      await o.sessions.authenticate(req.params.id, credentialOf(req, req.params.id));
      let text: string;
      try {
        text = await translateLine(o.translator, body.text, body.to);
      } catch (err) {
        if (!(err instanceof TranslationError)) throw err;
        o.log.error({ err: err.message }, 'translation failed');
        throw new HttpError(
          502,
          'translation-failed',
          'the translation service did not answer; try again later',
        );
      }
      res.setHeader('cache-control', 'no-store');
      res.json({ text });
    } catch (e) {
      next(fromSessionError(e));
    }
  });

  /** Sends the participant onto `label`'s content host through a one-time entry code. */
  const redirectToEntry = (
    res: Response,
    sessionId: string,
    participantId: string,
    origin: string,
    to: string,
  ) => {
    const label = o.hosts.labelFor(sessionId, origin);
    const code = o.entries.issue({ sessionId, participantId, label });
    res.setHeader('cache-control', 'no-store');
    res.redirect(303, entryUrl(o.hosts.originFor(sessionId, origin), code, to));
  };

  api.get('/sessions/:id/open', async (req, res, next) => {
    try {
      const rawUrl = typeof req.query.url === 'string' ? req.query.url : '';
      const session = await o.sessions.get(req.params.id);
      if (!session) throw new HttpError(404, 'unknown-session', 'no session with this id');
      const p = await o.sessions.authenticate(session.id, credentialOf(req, session.id));
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw new HttpError(400, 'bad-url', 'url must be an absolute http or https address');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new HttpError(400, 'bad-url', 'url must be an absolute http or https address');
      }
      redirectToEntry(res, session.id, p.id, url.origin, `${url.pathname}${url.search}${url.hash}`);
    } catch (e) {
      next(fromSessionError(e));
    }
  });

  // The entry bounce: a content host that sees no participant cookie sends the browser here.
  api.get('/sessions/:id/enter', async (req, res, next) => {
    try {
      const label = typeof req.query.label === 'string' ? req.query.label : '';
      const to = typeof req.query.to === 'string' && req.query.to.startsWith('/') ? req.query.to : '/';
      const host = await o.hosts.resolve(label);
      if (!host || host.sessionId !== req.params.id)
        throw new HttpError(404, 'unknown-host', 'no such page address');
      const p = await o.sessions.authenticate(host.sessionId, credentialOf(req, host.sessionId));
      redirectToEntry(res, host.sessionId, p.id, host.origin, to);
    } catch (e) {
      next(fromSessionError(e));
    }
  });

  api.use((_req, _res, next) => next(new HttpError(404, 'not-found', 'no such API endpoint')));
  app.use('/api', api);

  app.use((req, res) => {
    res
      .status(404)
      .type('html')
      .send(notFoundPage('Page not found', `There is nothing at ${req.path}.`));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let e = err;
    const status = (err as { status?: number; type?: string }).status;
    if (!(e instanceof HttpError) && (err as { type?: string }).type === 'entity.parse.failed') {
      e = new HttpError(400, 'bad-json', 'the request body is not valid JSON');
    } else if (!(e instanceof HttpError) && status === 413) {
      e = new HttpError(413, 'too-big', 'the request body is too large');
    } else if (!(e instanceof HttpError) && status === 404) {
      e = new HttpError(404, 'not-found', 'not found');
    }
    if (!(e instanceof HttpError)) {
      o.log.error({ err: (err as Error)?.stack ?? String(err), path: req.path }, 'request failed');
      e = new HttpError(500, 'internal', 'something went wrong on our side; it has been logged');
    }
    const he = e as HttpError;
    // A browser navigating to an API address (open, enter) gets a page; programs get JSON.
    if (req.path.startsWith('/api/') && req.accepts(['json', 'html']) !== 'html') {
      res.status(he.status).json({ error: { code: he.code, message: he.message } });
    } else {
      res
        .status(he.status)
        .type('html')
        .send(notFoundPage(he.status === 404 ? 'Not found' : 'Error', he.message));
    }
  });
  return app;
}
