import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { DeskAccounts } from '../desk/accounts.js';
import { type Desk, OriginRefused, QueueError, type RequestView } from '../desk/desk.js';
import { SCENARIOS } from '../desk/settings.js';
import { readCookie } from '../proxy/credential.js';
import { escapeHtml } from '../proxy/pages.js';
import { KeyedBuckets } from '../session/rate-limit.js';
import { randomToken } from '../session/secrets.js';
import type { DeskRequestRow } from '../store/desk-queue-types.js';
import type { Manifest } from './assets.js';
import { type DeskUser, deskAuth, deskUserIn, deskUserOf, requireCsrf, requireRole } from './desk-auth.js';
import { DESK_CSP, waitPage } from './desk-pages.js';
import { HttpError, parseBody } from './http-error.js';

export interface DeskQueueRoutesOptions {
  desk: Desk;
  accounts: DeskAccounts;
  manifest: Manifest;
  secret: Buffer;
  secureCookies: boolean;
}

/** The returning visitor's first-party cookie on Tandem's origin. */
export const VISITOR_COOKIE = 'tandem_v';
/** One origin alert per tenant and refused origin in this time; a page left open cannot flood the admins. */
const ORIGIN_ALERT_EVERY_S = 10 * 60;

const key = z.string().min(1).max(100);
const requestKey = z.string().min(1).max(100);
const pageUrl = z
  .string()
  .max(4096)
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'an http or https page address');
const skill = z.string().trim().min(1).max(60);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : null));

const newRequest = z.strictObject({
  key,
  from: pageUrl,
  name: optionalText(80),
  question: optionalText(2000),
  skill: skill.optional(),
  scenario: z.enum(SCENARIOS).optional(),
});
const stateBody = z.strictObject({ state: z.enum(['ready', 'not-ready', 'away', 'break']) });
const inviteBody = z.strictObject({
  userId: z.string().min(1).max(100),
  mode: z.enum(['transfer', 'conference']),
});
const choiceBody = z.strictObject({
  requestKey,
  choice: z.enum(['wait', 'schedule', 'later']),
  at: z.number().int().positive().optional(),
});
const questionBody = z.strictObject({ requestKey, question: z.string().trim().max(2000) });

/** The no-JavaScript form: urlencoded fields, the CSRF token bound to the visitor's cookie. */
const helpForm = z.object({
  csrf: z.string().min(1).max(100),
  from: pageUrl,
  skill: skill.optional().or(z.literal('').transform(() => undefined)),
  name: optionalText(80),
  question: optionalText(2000),
});
const helpChoiceForm = z.object({
  csrf: z.string().min(1).max(100),
  request: z.string().min(1).max(100),
  requestKey,
  from: pageUrl,
  choice: z.enum(['wait', 'schedule', 'later']),
  /** A `datetime-local` value: without JavaScript the visitor's time zone is unknown, so it is read as UTC. */
  at: z.string().max(40).optional(),
});

const fromQueueError = (e: unknown) =>
  e instanceof QueueError ? new HttpError(e.status, e.code, e.message) : e;

type Handler = (req: Request, res: Response) => Promise<void>;
const handle =
  (fn: Handler): express.RequestHandler =>
  (req, res, next) => {
    fn(req, res).catch((e: unknown) => next(fromQueueError(e)));
  };

const query = (req: Request, name: string) =>
  typeof req.query[name] === 'string' ? (req.query[name] as string) : '';

/**
 * The queue's API under `/api/desk` (agents, supervisors, visitors) and the visitor's page
 * `/help/<publicKey>`, which works without JavaScript. See docs/desk.md.
 */
export function deskQueueRoutes(o: DeskQueueRoutesOptions): { api: express.Router; pages: express.Router } {
  const { desk } = o;
  const api = express.Router();
  const signedIn = deskAuth(o.accounts);
  const agent = [signedIn, requireRole('agent')];
  const agentChange = [...agent, requireCsrf];
  const watcher = [signedIn, requireRole('supervisor', 'admin')];
  const originAlerts = new KeyedBuckets(1, 1 / ORIGIN_ALERT_EVERY_S);

  /** Records a refused page origin for the tenant's admins, at most once a while per origin. */
  const refused = async (tenantId: string, from: string) => {
    const origin = URL.canParse(from) ? new URL(from).origin : from;
    if (originAlerts.take(`${tenantId}\n${origin}`, Date.now()))
      await o.accounts.recordAlert(tenantId, 'origin', { origin, page: from });
  };

  /** Passes the answer through; a refused origin is first recorded for the tenant's admins. */
  const alerting = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (e) {
      if (e instanceof OriginRefused) await refused(e.tenantId, e.page);
      throw e;
    }
  };
  const visitorRequest = (id: string, key: string) => alerting(desk.visitorRequest(id, key));

  api.use(express.json({ limit: '16kb', strict: true }), (_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });

  // ---- agents ----

  api.get(
    '/me/state',
    ...agent,
    handle(async (_req, res) => {
      const me = deskUserIn(res);
      res.json(await desk.stateOf(me.tenantId, me.userId));
    }),
  );
  api.put(
    '/me/state',
    ...agentChange,
    handle(async (req, res) => {
      const me = deskUserIn(res);
      res.json(await desk.setState(me.tenantId, me.userId, parseBody(stateBody, req.body).state));
    }),
  );
  api.get(
    '/offers',
    ...agent,
    handle(async (_req, res) => {
      const me = deskUserIn(res);
      res.json(await desk.offersOf(me.tenantId, me.userId));
    }),
  );
  api.post(
    '/offers/:id/accept',
    ...agentChange,
    handle(async (req, res) => {
      const me = deskUserIn(res);
      res.json(await desk.accept(me.tenantId, me.userId, String(req.params.id)));
    }),
  );
  api.post(
    '/offers/:id/decline',
    ...agentChange,
    handle(async (req, res) => {
      const me = deskUserIn(res);
      await desk.decline(me.tenantId, me.userId, String(req.params.id));
      res.status(204).end();
    }),
  );
  api.get(
    '/calendar',
    ...agent,
    handle(async (_req, res) => {
      const me = deskUserIn(res);
      res.json(await desk.calendar(me.tenantId, me.userId));
    }),
  );
  api.post(
    '/sessions/:id/invite',
    ...agentChange,
    handle(async (req, res) => {
      const me = deskUserIn(res);
      const body = parseBody(inviteBody, req.body);
      res
        .status(201)
        .json(await desk.invite(me.tenantId, me.userId, String(req.params.id), body.userId, body.mode));
    }),
  );
  api.post(
    '/sessions/:id/end',
    ...agentChange,
    handle(async (req, res) => {
      const me = deskUserIn(res);
      await desk.end(me.tenantId, me.userId, String(req.params.id));
      res.status(204).end();
    }),
  );

  // ---- supervisors ----

  api.get(
    '/board',
    ...watcher,
    handle(async (_req, res) => {
      res.json(await desk.board(deskUserIn(res).tenantId));
    }),
  );
  api.post(
    '/sessions/:id/watch',
    ...watcher,
    requireCsrf,
    handle(async (req, res) => {
      const me = deskUserIn(res);
      res.json(await desk.watch(me.tenantId, me.userId, me.name, String(req.params.id)));
    }),
  );
  api.post(
    '/sessions/:id/barge',
    ...watcher,
    requireCsrf,
    handle(async (req, res) => {
      const me = deskUserIn(res);
      res.json(await desk.barge(me.tenantId, me.userId, me.name, String(req.params.id)));
    }),
  );

  // ---- visitors ----

  api.get(
    '/availability',
    handle(async (req, res) => {
      const tenant = await desk.tenantOfKey(query(req, 'key'));
      const origin = req.get('origin');
      // Only the tenant's own sites may read it from their pages (the embed's button).
      if (origin && (await desk.originAllows(tenant.id, origin))) {
        res.setHeader('access-control-allow-origin', origin);
      }
      res.setHeader('vary', 'origin');
      res.json(await desk.availability(tenant.id, query(req, 'skill') || null));
    }),
  );
  api.post(
    '/requests',
    handle(async (req, res) => {
      const body = parseBody(newRequest, req.body);
      const tenant = await desk.tenantOfKey(body.key);
      const scenario = body.scenario ?? 'support';
      const member = scenario === 'collaboration' ? await collaborator(req, tenant.id) : null;
      const created = await createRequest(
        req,
        res,
        tenant.id,
        {
          from: body.from,
          name: member?.name ?? body.name,
          question: body.question,
          skill: body.skill ?? null,
          scenario,
        },
        member?.userId ?? null,
      );
      res.status(201).json(created);
    }),
  );
  api.get(
    '/requests/:id',
    handle(async (req, res) => {
      const row = await visitorRequest(String(req.params.id), query(req, 'requestKey'));
      res.json(await desk.requestView(row));
    }),
  );
  api.patch(
    '/requests/:id',
    handle(async (req, res) => {
      const body = parseBody(questionBody, req.body);
      const row = await visitorRequest(String(req.params.id), body.requestKey);
      await desk.setQuestion(row, body.question);
      res.status(204).end();
    }),
  );
  api.post(
    '/requests/:id/choice',
    handle(async (req, res) => {
      const body = parseBody(choiceBody, req.body);
      const row = await visitorRequest(String(req.params.id), body.requestKey);
      res.json(await desk.choose(row, body.choice, body.at ?? null));
    }),
  );
  api.delete(
    '/requests/:id',
    handle(async (req, res) => {
      const row = await visitorRequest(String(req.params.id), query(req, 'requestKey'));
      await desk.abandon(row);
      res.status(204).end();
    }),
  );

  const createRequest = (
    req: Request,
    res: Response,
    tenantId: string,
    input: Parameters<Desk['createRequest']>[1],
    userId: string | null = null,
  ) => alerting(desk.createRequest(tenantId, input, { visitorId: visitorId(req, res), userId }));

  /**
   * A collaboration visitor works with the company rather than asking it for help, so they must be
   * signed in to the company's desk (any role); the request then names them.
   */
  async function collaborator(req: Request, tenantId: string): Promise<DeskUser> {
    const user = await deskUserOf(o.accounts, req.headers.cookie);
    if (!user) throw new HttpError(401, 'sign-in-required', 'sign in to collaborate with this company');
    if (user.tenantId !== tenantId)
      throw new HttpError(403, 'other-company', 'you are signed in to another company’s help desk');
    return user;
  }

  /** The returning visitor's id, given a new one on their first visit. */
  function visitorId(req: Request, res: Response): string {
    const known = readCookie(req.headers.cookie, VISITOR_COOKIE);
    if (known && /^[A-Za-z0-9_-]{16,64}$/.test(known)) return known;
    const id = randomToken(18);
    res.append(
      'set-cookie',
      `${VISITOR_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${365 * 86_400}${o.secureCookies ? '; Secure' : ''}`,
    );
    return id;
  }

  /** The no-JavaScript form's token: bound to the visitor's cookie, which another site's POST does not carry. */
  const csrfFor = (visitor: string) =>
    crypto.createHmac('sha256', o.secret).update(`help\n${visitor}`).digest('base64url').slice(0, 32);
  const checkCsrf = (req: Request, token: string) => {
    const visitor = readCookie(req.headers.cookie, VISITOR_COOKIE) ?? '';
    const expected = Buffer.from(csrfFor(visitor));
    const given = Buffer.from(token);
    if (!visitor || expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
      throw new HttpError(403, 'csrf', 'the form has expired; open the help link again');
  };

  // ---- the visitor's page ----

  const pages = express.Router();
  const sendPage = (res: Response, status: number, html: string) => {
    res.setHeader('content-security-policy', DESK_CSP);
    res.setHeader('cache-control', 'no-store');
    res.status(status).type('html').send(html);
  };

  /** A page for a visitor who asked from somewhere the company does not offer help. */
  const refusal = (res: Response, company: string) =>
    sendPage(
      res,
      403,
      messagePage(
        'Help is not available from this page',
        `${company} does not offer live help on the page you came from. Go back to ${company}'s own site and use its “Get help” button there.`,
      ),
    );

  const render = async (
    req: Request,
    res: Response,
    publicKey: string,
    request: { row: DeskRequestRow; requestKey: string } | null,
  ) => {
    const tenant = await desk.tenantOfKey(publicKey);
    const from = request?.row.fromUrl ?? query(req, 'from');
    const skillName = request?.row.skill ?? (query(req, 'skill') || null);
    if (!(await desk.originAllows(tenant.id, from))) {
      await refused(tenant.id, from);
      return refusal(res, tenant.name);
    }
    const csrf = csrfFor(visitorId(req, res));
    const first = request
      ? statusHtml(publicKey, request.row, request.requestKey, await desk.requestView(request.row), csrf)
      : formHtml(publicKey, from, skillName, csrf);
    sendPage(
      res,
      200,
      waitPage(
        o.manifest,
        {
          key: publicKey,
          from,
          skill: skillName,
          scenario: query(req, 'scenario') === 'collaboration' ? 'collaboration' : 'support',
          company: tenant.name,
          request: request ? { id: request.row.id, requestKey: request.requestKey } : null,
        },
        first,
      ),
    );
  };

  pages.get(
    '/help/:key',
    handle(async (req, res) => {
      const id = query(req, 'request');
      const key = query(req, 'requestKey');
      const request = id && key ? { row: await visitorRequest(id, key), requestKey: key } : null;
      await render(req, res, String(req.params.key), request);
    }),
  );

  const form = express.urlencoded({ extended: false, limit: '16kb' });
  pages.post(
    '/help/:key',
    form,
    handle(async (req, res) => {
      const body = parseBody(helpForm, req.body);
      checkCsrf(req, body.csrf);
      const publicKey = String(req.params.key);
      const tenant = await desk.tenantOfKey(publicKey);
      if (!(await desk.originAllows(tenant.id, body.from))) {
        await refused(tenant.id, body.from);
        return refusal(res, tenant.name);
      }
      const created = await createRequest(req, res, tenant.id, {
        from: body.from,
        name: body.name,
        question: body.question,
        skill: body.skill ?? null,
        scenario: 'support',
      });
      res.redirect(303, requestPage(publicKey, created.id, created.requestKey));
    }),
  );
  pages.post(
    '/help/:key/choice',
    form,
    handle(async (req, res) => {
      const body = parseBody(helpChoiceForm, req.body);
      checkCsrf(req, body.csrf);
      const row = await visitorRequest(body.request, body.requestKey);
      const at = body.at && !Number.isNaN(Date.parse(`${body.at}Z`)) ? Date.parse(`${body.at}Z`) : null;
      await desk.choose(row, body.choice, at);
      res.redirect(303, requestPage(String(req.params.key), row.id, body.requestKey));
    }),
  );

  return { api, pages };
}

const requestPage = (publicKey: string, id: string, requestKey: string) =>
  `/help/${encodeURIComponent(publicKey)}?request=${encodeURIComponent(id)}&requestKey=${encodeURIComponent(requestKey)}`;

/** The first state without JavaScript: a plain form. */
function formHtml(publicKey: string, from: string, skillName: string | null, csrf: string): string {
  return `<main class="help"><h1>Get help</h1>
<form method="post" action="/help/${escapeHtml(encodeURIComponent(publicKey))}">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<input type="hidden" name="from" value="${escapeHtml(from)}">
<input type="hidden" name="skill" value="${escapeHtml(skillName ?? '')}">
<p><label>Your name <input name="name" maxlength="80" autocomplete="name"></label></p>
<p><label>Your question <textarea name="question" maxlength="2000" rows="4"></textarea></label></p>
<p><button type="submit">Get help</button></p>
</form></main>`;
}

/**
 * The request's state without JavaScript: the page reloads itself every 5 seconds while waiting
 * (the polling fallback), offers the overflow choices as forms, and links to the session once placed.
 */
function statusHtml(
  publicKey: string,
  row: DeskRequestRow,
  requestKey: string,
  view: RequestView,
  csrf: string,
): string {
  const waiting = view.status === 'waiting' || view.status === 'offered' || view.status === 'overflow';
  const refresh = waiting ? '<noscript><meta http-equiv="refresh" content="5"></noscript>' : '';
  const line = statusLine(view);
  const join = view.joinUrl
    ? `<p><a data-testid="join" href="${escapeHtml(view.joinUrl)}">Join the session</a></p>`
    : '';
  const hidden = `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<input type="hidden" name="request" value="${escapeHtml(row.id)}">
<input type="hidden" name="requestKey" value="${escapeHtml(requestKey)}">
<input type="hidden" name="from" value="${escapeHtml(row.fromUrl)}">`;
  const action = `/help/${escapeHtml(encodeURIComponent(publicKey))}/choice`;
  const choices =
    view.status === 'overflow'
      ? `<form method="post" action="${action}">${hidden}<button name="choice" value="wait">Keep waiting</button></form>
<form method="post" action="${action}">${hidden}<label>Book a time (UTC) <input type="datetime-local" name="at" required></label>
<button name="choice" value="schedule">Book this time</button></form>
<form method="post" action="${action}">${hidden}<button name="choice" value="later">Try later</button></form>`
      : '';
  const notice = view.monitorNotice ? '<p><small>Your session may be monitored.</small></p>' : '';
  return `${refresh}<main class="help"><h1>Get help</h1><p role="status">${escapeHtml(line)}</p>${join}${choices}${notice}</main>`;
}

function statusLine(view: RequestView): string {
  switch (view.status) {
    case 'offered':
      return 'An agent is being asked to take your request.';
    case 'waiting':
      return view.expectedWaitSeconds === null
        ? `You are number ${view.position} in line.`
        : `You are number ${view.position} in line; expected wait about ${Math.max(1, Math.round(view.expectedWaitSeconds / 60))} min.`;
    case 'overflow':
      return 'No agent is free right now. You can keep waiting, book a time, or try later.';
    case 'placed':
      return 'An agent is ready for you.';
    case 'scheduled':
      return `Your session is booked for ${new Date(view.scheduledAt ?? 0).toUTCString()}. Keep this page's address: the link below opens it.`;
    case 'abandoned':
      return 'You stopped waiting. Open the help link again whenever you like.';
  }
}

function messagePage(title: string, detail: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body><main><h1>${escapeHtml(title)}</h1><p data-testid="refusal">${escapeHtml(detail)}</p></main></body></html>`;
}
