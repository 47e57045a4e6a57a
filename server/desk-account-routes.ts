import express, { type Request, type Response } from 'express';
import { DESK_LOGIN_MS, type DeskAccounts, DeskError, type DeskErrorCode } from '../desk/accounts.js';
import {
  loginInput,
  newUserInput,
  settingsInput,
  signUpInput,
  totpConfirmInput,
  userChangeInput,
} from '../desk/inputs.js';
import { type Ledger, reportPeriod, usageCsv } from '../ledger/ledger.js';
import { KeyedBuckets } from '../session/rate-limit.js';
import { deskAuth, deskCookie, deskUserIn, requireCsrf, requireRole } from './desk-auth.js';
import { HttpError, parseBody } from './http-error.js';

export interface DeskAccountRoutesOptions {
  accounts: DeskAccounts;
  ledger: Ledger;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
}

const STATUS: Record<DeskErrorCode, number> = {
  'email-taken': 409,
  'bad-credentials': 401,
  'totp-required': 401,
  locked: 423,
  'not-found': 404,
  'last-admin': 409,
  stale: 409,
  'bad-code': 400,
  'no-enrolment': 409,
};

const fromDeskError = (e: unknown) =>
  e instanceof DeskError ? new HttpError(STATUS[e.code], e.code, e.message) : e;

type Handler = (req: Request, res: Response) => Promise<void>;
const handle =
  (fn: Handler): express.RequestHandler =>
  (req, res, next) => {
    fn(req, res).catch((e: unknown) => next(fromDeskError(e)));
  };

/**
 * Per client address: a person retrying a typo is never held up, a script guessing passwords across
 * many emails (which the per-email lockout does not see) or making tenants in bulk is.
 */
function perAddress(capacity: number, perSecond: number, what: string): express.RequestHandler {
  const buckets = new KeyedBuckets(capacity, perSecond);
  return (req, res, next) => {
    // req.ip is the forwarded client address when the request came through a trusted proxy.
    if (buckets.take(req.ip ?? req.socket.remoteAddress ?? '', Date.now())) return next();
    res.setHeader('retry-after', String(Math.ceil(1 / perSecond)));
    next(new HttpError(429, 'rate-limited', `too many ${what} from this address; wait a moment`));
  };
}

/** The desk's accounts and administration API, mounted at `/api/desk` (see docs/desk.md). */
export function deskAccountRoutes(o: DeskAccountRoutesOptions): express.Router {
  const r = express.Router();
  const { accounts } = o;
  const signedIn = deskAuth(accounts);
  const admin = [signedIn, requireRole('admin')];
  const adminChange = [...admin, requireCsrf];
  const cookie = (token: string) => deskCookie(token, o.secureCookies, DESK_LOGIN_MS);

  r.use(express.json({ limit: '256kb', strict: true }), (_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });

  r.post(
    '/signup',
    perAddress(10, 1 / 360, 'sign-ups'),
    handle(async (req, res) => {
      const input = parseBody(signUpInput, req.body);
      const { tenant, user, token } = await accounts.signUp(input);
      res.append('set-cookie', cookie(token));
      res
        .status(201)
        .json({ tenantId: tenant.id, publicKey: tenant.publicKey, user, csrf: accounts.csrfFor(token) });
    }),
  );

  r.post(
    '/login',
    perAddress(30, 1 / 2, 'sign-in attempts'),
    handle(async (req, res) => {
      const input = parseBody(loginInput, req.body);
      const { user, token } = await accounts.login(input.email, input.password, input.totp);
      res.append('set-cookie', cookie(token));
      res.json({ user, csrf: accounts.csrfFor(token) });
    }),
  );

  r.post(
    '/logout',
    signedIn,
    requireCsrf,
    handle(async (_req, res) => {
      await accounts.logout(String(res.locals.deskToken));
      res.append('set-cookie', deskCookie('', o.secureCookies, 0));
      res.status(204).end();
    }),
  );

  r.get(
    '/me',
    signedIn,
    handle(async (_req, res) => {
      const me = deskUserIn(res);
      res.json({ ...(await accounts.me(me.tenantId, me.userId)), csrf: res.locals.deskCsrf });
    }),
  );

  r.post(
    '/me/totp',
    signedIn,
    requireCsrf,
    handle(async (_req, res) => {
      const me = deskUserIn(res);
      res.json(await accounts.startTotp(me.tenantId, me.userId));
    }),
  );

  r.post(
    '/me/totp/confirm',
    signedIn,
    requireCsrf,
    handle(async (req, res) => {
      const { code } = parseBody(totpConfirmInput, req.body);
      const me = deskUserIn(res);
      await accounts.confirmTotp(me.tenantId, me.userId, code);
      res.status(204).end();
    }),
  );

  r.get(
    '/settings',
    ...admin,
    handle(async (_req, res) => {
      res.json(await accounts.settingsOf(deskUserIn(res).tenantId));
    }),
  );

  r.put(
    '/settings',
    ...adminChange,
    handle(async (req, res) => {
      const { settings, basedOn } = parseBody(settingsInput, req.body);
      const me = deskUserIn(res);
      res.status(201).json(await accounts.saveSettings(me.tenantId, me.userId, settings, basedOn));
    }),
  );

  r.get(
    '/users',
    signedIn,
    requireRole('admin', 'supervisor'),
    handle(async (_req, res) => {
      res.json(await accounts.users(deskUserIn(res).tenantId));
    }),
  );

  r.post(
    '/users',
    ...adminChange,
    handle(async (req, res) => {
      const input = parseBody(newUserInput, req.body);
      const me = deskUserIn(res);
      res.status(201).json(await accounts.createUser(me.tenantId, me.userId, input));
    }),
  );

  r.patch(
    '/users/:id',
    ...adminChange,
    handle(async (req, res) => {
      const input = parseBody(userChangeInput, req.body);
      const me = deskUserIn(res);
      res.json(await accounts.updateUser(me.tenantId, me.userId, String(req.params.id), input));
    }),
  );

  r.get(
    '/audit',
    ...admin,
    handle(async (_req, res) => {
      res.json(await accounts.auditLog(deskUserIn(res).tenantId));
    }),
  );

  /** The signed-in admin's company's usage over the period the query asks for. */
  const usageReport = (req: Request, res: Response) => {
    const { from, to } = parseBody(reportPeriod(Date.now()), req.query);
    res.setHeader('cache-control', 'no-store');
    return o.ledger.report(deskUserIn(res).tenantId, from, to);
  };

  r.get(
    '/usage',
    ...admin,
    handle(async (req, res) => {
      res.json(await usageReport(req, res));
    }),
  );

  r.get(
    '/usage.csv',
    ...admin,
    handle(async (req, res) => {
      const report = await usageReport(req, res);
      res.setHeader('content-disposition', `attachment; filename="usage-${report.from}-${report.to}.csv"`);
      res.type('text/csv; charset=utf-8').send(usageCsv(report));
    }),
  );

  r.get(
    '/alerts',
    signedIn,
    requireRole('admin', 'supervisor'),
    handle(async (_req, res) => {
      res.json(await accounts.alerts(deskUserIn(res).tenantId));
    }),
  );

  return r;
}
