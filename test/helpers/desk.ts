import assert from 'node:assert/strict';
import { joinAs, startTestTandem, type TestTandem } from './tandem.js';
import { WsClient } from './ws-client.js';

export interface DeskAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** A desk API client holding one browser's sign-in cookie and its CSRF value. */
export class DeskClient {
  cookie = '';
  csrf = '';
  userId = '';

  constructor(readonly base: string) {}

  async call(
    method: string,
    path: string,
    json?: unknown,
    headers: Record<string, string> = {},
  ): Promise<DeskAnswer> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('x-tandem-csrf' in headers)) h['x-tandem-csrf'] = this.csrf;
    if (json !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(`${this.base}/api/desk${path}`, {
      method,
      headers: h,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('tandem_desk=')) this.cookie = setCookie.split(';')[0] as string;
    const body =
      text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : null;
    const csrf = (body as { csrf?: unknown } | null)?.csrf;
    if (typeof csrf === 'string') this.csrf = csrf;
    return { status: res.status, headers: res.headers, text, body };
  }

  async expect(status: number, method: string, path: string, json?: unknown): Promise<DeskAnswer> {
    const a = await this.call(method, path, json);
    assert.equal(a.status, status, `${method} ${path}: ${a.text}`);
    return a;
  }

  /** Asserts the status and answers the body. */
  async ok<T = Record<string, unknown>>(
    method: string,
    path: string,
    json?: unknown,
    status = 200,
  ): Promise<T> {
    return (await this.expect(status, method, path, json)).body as T;
  }

  /** The desk's live channel as this user. */
  live(): Promise<WsClient> {
    return WsClient.open(`${this.base.replace(/^http/, 'ws')}/desk/ws`, {
      origin: this.base,
      cookie: this.cookie,
    });
  }
}

export interface SignedUp {
  client: DeskClient;
  tenantId: string;
  publicKey: string;
  user: { id: string; name: string; email: string; role: string };
}

/** Signs a company up and answers its admin's client, signed in. */
export async function signUpCompany(
  base: string,
  company: string,
  email: string,
  password = 'correct horse battery',
): Promise<SignedUp> {
  const client = new DeskClient(base);
  const a = await client.expect(201, 'POST', '/signup', {
    company,
    name: `${company} admin`,
    email,
    password,
  });
  const b = a.body as Omit<SignedUp, 'client'>;
  return { client, tenantId: b.tenantId, publicKey: b.publicKey, user: b.user };
}

/** Signs an existing user in on a fresh client. */
export async function signIn(
  base: string,
  email: string,
  password: string,
  totp?: string,
): Promise<DeskClient> {
  const client = new DeskClient(base);
  const a = await client.expect(200, 'POST', '/login', { email, password, ...(totp ? { totp } : {}) });
  client.userId = (a.body as { user: { id: string } }).user.id;
  return client;
}

export const PASSWORD = 'a long enough password';

/** Signs a user in without the HTTP login (whose per-address limit a benchmark's 50 agents exceed). */
export type SignInDirectly = (email: string) => Promise<{ token: string; csrf: string; userId: string }>;

export interface DeskTenant {
  tenantId: string;
  publicKey: string;
  admin: DeskClient;
  agents: DeskClient[];
  supervisor: DeskClient;
}

/**
 * A company signed up over the API with its allowed origins set, a supervisor and agents (each with
 * skills and a session limit), everyone signed in.
 */
export async function deskTenant(
  base: string,
  company: string,
  options: {
    origins: string[];
    agents: Array<{ name: string; skills?: string[]; maxSessions?: number }>;
    settings?: Record<string, unknown>;
    signIn?: SignInDirectly;
  },
): Promise<DeskTenant> {
  const slug = `${company.toLowerCase().replace(/[^a-z0-9]/g, '')}${Math.random().toString(36).slice(2, 8)}`;
  const signed = await signUpCompany(base, company, `admin@${slug}.example`, PASSWORD);
  const admin = signed.client;
  admin.userId = signed.user.id;
  const current = await admin.ok<{ settings: Record<string, unknown> }>('GET', '/settings');
  await admin.ok(
    'PUT',
    '/settings',
    { settings: { ...current.settings, allowedOrigins: options.origins, ...options.settings } },
    201,
  );
  const person = async (name: string, role: string, skills: string[] = [], maxSessions = 1) => {
    const email = `${name.toLowerCase()}@${slug}.example`;
    await admin.ok('POST', '/users', { name, email, password: PASSWORD, role, skills, maxSessions }, 201);
    if (!options.signIn) return signIn(base, email, PASSWORD);
    const s = await options.signIn(email);
    const client = new DeskClient(base);
    client.cookie = `tandem_desk=${s.token}`;
    client.csrf = s.csrf;
    client.userId = s.userId;
    return client;
  };
  const agents: DeskClient[] = [];
  for (const a of options.agents) agents.push(await person(a.name, 'agent', a.skills, a.maxSessions));
  const supervisor = await person(`${company}Sup`, 'supervisor');
  return { tenantId: signed.tenantId, publicKey: signed.publicKey, admin, agents, supervisor };
}

/** A visitor's call to the desk API: no sign-in, only the request's key. */
export async function visitor<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<{ status: number; body: T }> {
  const a = await new DeskClient(base).call(method, path, json);
  return { status: a.status, body: a.body as T };
}

/** Joins the session a viewer link opens, as the API client the viewer is, and connects its socket. */
export async function enterSession(base: string, viewerUrl: string) {
  const url = new URL(viewerUrl);
  const session = url.pathname.split('/').pop() as string;
  const joined = await joinAs(
    base,
    session,
    url.searchParams.get('name') ?? 'x',
    url.searchParams.get('key') ?? '',
  );
  const ws = await WsClient.connect(base, session, joined.token);
  const welcome = await ws.next((m) => m.type === 'welcome');
  return { session, ...joined, ws, welcome };
}

/** A Tandem for the enclosing `describe`, with a short grace before a left desk session ends. */
export function deskTandem(leaveGraceMs: number): { tandem: TestTandem; base: string } {
  const ctx = {} as { tandem: TestTandem; base: string };
  before(async () => {
    ctx.tandem = await startTestTandem({}, { deskLeaveGraceMs: leaveGraceMs });
    ctx.base = ctx.tandem.url;
  });
  after(() => ctx.tandem.stop());
  return ctx;
}
