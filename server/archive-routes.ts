import readline from 'node:readline';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { type Archive, ImportError } from '../archive/archive.js';
import { AUDITOR_SESSION_MS, type Auditors } from '../archive/auditors.js';
import { readCookie } from '../proxy/credential.js';
import type { AuditorRow, SessionFilter } from '../store/types.js';
import { HttpError, parseBody } from './http-error.js';
import { notFoundPage, shellPage } from './pages.js';

export interface ArchiveRoutesOptions {
  archive: Archive;
  auditors: Auditors;
  /** The replay screen's bundle. */
  script: string;
  secureCookies: boolean;
}

const COOKIE = 'tandem_auditor';
const MAX_PAGE = 5000;
/** A long session's export is large; this bounds what one import may hold in memory. */
const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/**
 * The replay screen may load nothing but Tandem's own code and what the archive serves: a replayed
 * page's scripts never run (rrweb rebuilds it in a sandboxed frame) and it cannot reach any site.
 */
export const REPLAY_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self' about: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Captured bodies are data: served on the app origin they must not be able to act as a page. */
const ASSET_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

const signInBody = z.strictObject({ key: z.string().trim().min(1, 'enter your access key').max(200) });

const numberParam = (v: unknown): number | undefined => {
  if (typeof v !== 'string' || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new HttpError(400, 'bad-request', `"${v}" is not a number`);
  return n;
};
const textParam = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined;

/** The auditor's routes: sign-in, finding sessions, replay data, verification, export and import. */
export function archiveRoutes(o: ArchiveRoutesOptions): { pages: express.Router; api: express.Router } {
  const pages = express.Router();
  const api = express.Router();

  async function auditorOf(req: Request): Promise<AuditorRow | undefined> {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (bearer) return o.auditors.byKey(bearer);
    const cookie = readCookie(req.headers.cookie, COOKIE);
    return cookie ? o.auditors.fromCookie(cookie) : undefined;
  }

  async function requireAuditor(req: Request): Promise<AuditorRow> {
    const a = await auditorOf(req);
    if (!a) throw new HttpError(401, 'sign-in', 'sign in with your auditor access key');
    return a;
  }

  /** Another tenant's session and no session at all look the same: 404. */
  async function sessionFor(req: Request) {
    const auditor = await requireAuditor(req);
    const id = String(req.params.id);
    const session = await o.archive.session(auditor.tenantId, id);
    if (!session) throw new HttpError(404, 'unknown-session', 'no archived session with this id');
    return { auditor, session };
  }

  const shell = (res: Response, config: Record<string, unknown>, title: string) => {
    res.setHeader('content-security-policy', REPLAY_CSP);
    res.setHeader('cache-control', 'no-store');
    res.type('html').send(shellPage({ title, script: o.script, config, bootText: 'Opening the archive…' }));
  };

  pages.get('/archive', (_req, res) => shell(res, { page: 'archive' }, 'Tandem archive'));
  pages.get('/archive/:id', async (req, res, next) => {
    try {
      const auditor = await auditorOf(req);
      if (auditor && !(await o.archive.session(auditor.tenantId, req.params.id))) {
        res
          .status(404)
          .type('html')
          .send(notFoundPage('Session not found', 'There is no archived session with this id.'));
        return;
      }
      shell(res, { page: 'replay', session: req.params.id }, 'Tandem replay');
    } catch (e) {
      next(e);
    }
  });

  api.use((_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });

  api.post('/sign-in', express.json({ limit: '4kb' }), async (req, res, next) => {
    try {
      const { key } = parseBody(signInBody, req.body);
      const auditor = await o.auditors.byKey(key);
      if (!auditor) throw new HttpError(403, 'bad-key', 'this access key is not valid');
      const secure = o.secureCookies ? '; Secure' : '';
      res.append(
        'set-cookie',
        `${COOKIE}=${o.auditors.signIn(auditor)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${AUDITOR_SESSION_MS / 1000}${secure}`,
      );
      res.json({ name: auditor.name, tenant: auditor.tenantId });
    } catch (e) {
      next(e);
    }
  });

  api.post('/sign-out', (_req, res) => {
    res.append('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.status(204).end();
  });

  api.get('/me', async (req, res, next) => {
    try {
      const a = await requireAuditor(req);
      res.json({ name: a.name, tenant: a.tenantId });
    } catch (e) {
      next(e);
    }
  });

  api.get('/sessions', async (req, res, next) => {
    try {
      const auditor = await requireAuditor(req);
      const filter: SessionFilter = {
        from: numberParam(req.query.from),
        to: numberParam(req.query.to),
        before: numberParam(req.query.before),
        participant: textParam(req.query.participant),
        host: textParam(req.query.host),
        url: textParam(req.query.url),
        text: textParam(req.query.text),
        limit: Math.min(Math.max(numberParam(req.query.limit) ?? 50, 1), 200),
      };
      res.json({ sessions: await o.archive.find(auditor.tenantId, filter) });
    } catch (e) {
      next(e);
    }
  });

  api.get('/sessions/:id', async (req, res, next) => {
    try {
      res.json((await sessionFor(req)).session);
    } catch (e) {
      next(e);
    }
  });

  api.get('/sessions/:id/events', async (req, res, next) => {
    try {
      const { auditor, session } = await sessionFor(req);
      const after = numberParam(req.query.after) ?? 0;
      const limit = Math.min(Math.max(numberParam(req.query.limit) ?? 2000, 1), MAX_PAGE);
      const page = await o.archive.events(auditor.tenantId, session.id, after, limit);
      // The bodies are already JSON: spliced, not parsed and re-serialised.
      res.type('json').send(`{"events":[${page.events.join(',')}],"next":${page.next ?? 'null'}}`);
    } catch (e) {
      next(e);
    }
  });

  api.get('/sessions/:id/assets/:label', async (req, _res, next) => {
    try {
      await sessionFor(req);
      next(new HttpError(404, 'not-captured', 'this was not served during the session'));
    } catch (e) {
      next(e);
    }
  });
  api.get('/sessions/:id/assets/:label/*rest', async (req, res, next) => {
    try {
      const { auditor, session } = await sessionFor(req);
      const prefix = `/sessions/${encodeURIComponent(session.id)}/assets/${req.params.label}`;
      const at = req.url.indexOf(prefix);
      const path = at === -1 ? '' : req.url.slice(at + prefix.length);
      const asset = await o.archive.asset(auditor.tenantId, session.id, String(req.params.label), path);
      if (!asset) throw new HttpError(404, 'not-captured', 'this was not served during the session');
      res.status(asset.status);
      for (const [k, v] of Object.entries(asset.headers)) res.setHeader(k, v);
      res.setHeader('content-security-policy', ASSET_CSP);
      res.setHeader('cache-control', 'private, max-age=3600');
      res.end(asset.body);
    } catch (e) {
      next(e);
    }
  });

  api.get('/sessions/:id/verify', async (req, res, next) => {
    try {
      const { auditor, session } = await sessionFor(req);
      res.json(await o.archive.verify(auditor.tenantId, session.id));
    } catch (e) {
      next(e);
    }
  });

  api.get('/sessions/:id/export', async (req, res, next) => {
    try {
      const { auditor, session } = await sessionFor(req);
      res.type('application/x-ndjson');
      res.setHeader('content-disposition', `attachment; filename="tandem-session-${session.id}.ndjson"`);
      for await (const line of o.archive.exportLines(auditor.tenantId, session.id)) {
        if (!res.write(`${line}\n`)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    } catch (e) {
      next(e);
    }
  });

  api.post('/import', async (req, res, next) => {
    try {
      const auditor = await requireAuditor(req);
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_IMPORT_BYTES) throw new HttpError(413, 'too-big', 'the file is too large to import');
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > MAX_IMPORT_BYTES) req.destroy(new Error('the file is too large to import'));
      });
      const lines = readline.createInterface({ input: req, crlfDelay: Number.POSITIVE_INFINITY });
      const done = await o.archive.import(auditor.tenantId, lines);
      res.status(201).json(done);
    } catch (e) {
      if (e instanceof ImportError) {
        return next(new HttpError(e.code === 'exists' ? 409 : 400, e.code, e.message));
      }
      next(e);
    }
  });

  api.get('/deletions', async (req, res, next) => {
    try {
      const auditor = await requireAuditor(req);
      res.json({ deletions: await o.archive.deletions(auditor.tenantId) });
    } catch (e) {
      next(e);
    }
  });

  return { pages, api };
}
