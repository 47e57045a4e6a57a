import crypto from 'node:crypto';
import type express from 'express';
import type { DeskAccounts, DeskRole, DeskUser } from '../desk/accounts.js';
import { readCookie } from '../proxy/credential.js';
import { HttpError } from './http-error.js';

export type { DeskUser } from '../desk/accounts.js';

export const DESK_COOKIE = 'tandem_desk';
export const CSRF_HEADER = 'x-tandem-csrf';

/**
 * The sign-in cookie: HttpOnly so page scripts never see it, SameSite=Lax so another site cannot
 * make the browser send it on a POST (the CSRF header is the second lock), Secure under https.
 */
export function deskCookie(token: string, secure: boolean, maxAgeMs: number): string {
  const maxAge = Math.floor(maxAgeMs / 1000);
  return `${DESK_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/** The user a `Cookie` header signs in, for the desk's WebSocket upgrade. */
export async function deskUserOf(
  accounts: DeskAccounts,
  cookieHeader: string | undefined,
): Promise<DeskUser | null> {
  return accounts.userOfToken(readCookie(cookieHeader, DESK_COOKIE) ?? '');
}

/**
 * Lets a request through only with a live sign-in: `res.locals.desk` is then its `DeskUser`, and
 * `res.locals.deskCsrf` the value `requireCsrf` expects. Otherwise 401 `signed-out`.
 */
export function deskAuth(accounts: DeskAccounts): express.RequestHandler {
  return (req, res, next) => {
    const token = readCookie(req.headers.cookie, DESK_COOKIE) ?? '';
    accounts.userOfToken(token).then((user) => {
      if (!user) return next(new HttpError(401, 'signed-out', 'sign in to the help desk'));
      res.locals.desk = user;
      res.locals.deskToken = token;
      res.locals.deskCsrf = accounts.csrfFor(token);
      next();
    }, next);
  };
}

/** The signed-in user of a request `deskAuth` let through. */
export const deskUserIn = (res: express.Response): DeskUser => res.locals.desk as DeskUser;

/** State-changing calls must echo the sign-in's CSRF value in `x-tandem-csrf` (403 `csrf`). */
export const requireCsrf: express.RequestHandler = (req, res, next) => {
  const expected = Buffer.from(String(res.locals.deskCsrf ?? ''));
  const given = Buffer.from(req.get(CSRF_HEADER) ?? '');
  if (expected.length > 0 && expected.length === given.length && crypto.timingSafeEqual(expected, given)) {
    return next();
  }
  next(new HttpError(403, 'csrf', `send the value of GET /api/desk/me "csrf" in the ${CSRF_HEADER} header`));
};

/** Only these roles (403 `forbidden`). */
export function requireRole(...roles: DeskRole[]): express.RequestHandler {
  return (_req, res, next) => {
    if (roles.includes(deskUserIn(res).role)) return next();
    next(new HttpError(403, 'forbidden', `only ${roles.join(' or ')} users may do this`));
  };
}
