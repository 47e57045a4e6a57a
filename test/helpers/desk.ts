import { joinAs, startTestTandem, type TestTandem } from './tandem.js';
import { WsClient } from './ws-client.js';

export const PASSWORD = 'a long enough password';

/** One signed-in desk user over real HTTP: keeps the `tandem_desk` cookie and sends the CSRF header. */
export class DeskClient {
  cookie = '';
  csrf = '';
  userId = '';

  constructor(readonly base: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { 'x-tandem-csrf': this.csrf };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tandem_desk='));
    if (cookie) this.cookie = cookie.split(';')[0] as string;
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** Asserts the status and answers the body. */
  async ok<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    status = 200,
  ): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async login(email: string): Promise<this> {
    const r = await this.ok<{ csrf: string; user: { id: string } }>('POST', '/api/desk/login', {
      email,
      password: PASSWORD,
    });
    this.csrf = r.csrf;
    this.userId = r.user.id;
    return this;
  }

  /** The desk's live channel as this user. */
  live(): Promise<WsClient> {
    return WsClient.open(`${this.base.replace(/^http/, 'ws')}/desk/ws`, {
      origin: this.base,
      cookie: this.cookie,
    });
  }
}

/** Signs a user in without the HTTP login (whose per-address limit a benchmark's 50 agents exceed). */
export type SignIn = (email: string) => Promise<{ token: string; csrf: string; userId: string }>;

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
    signIn?: SignIn;
  },
): Promise<DeskTenant> {
  const slug = `${company.toLowerCase().replace(/[^a-z0-9]/g, '')}${Math.random().toString(36).slice(2, 8)}`;
  const admin = new DeskClient(base);
  const signed = await admin.ok<{ tenantId: string; publicKey: string; csrf: string; user: { id: string } }>(
    'POST',
    '/api/desk/signup',
    { company, name: `${company} admin`, email: `admin@${slug}.example`, password: PASSWORD },
    201,
  );
  admin.csrf = signed.csrf;
  admin.userId = signed.user.id;
  const current = await admin.ok<{ version: number; settings: Record<string, unknown> }>(
    'GET',
    '/api/desk/settings',
  );
  await admin.ok(
    'PUT',
    '/api/desk/settings',
    { settings: { ...current.settings, allowedOrigins: options.origins, ...options.settings } },
    201,
  );
  const person = async (name: string, role: string, skills: string[] = [], maxSessions = 1) => {
    const email = `${name.toLowerCase()}@${slug}.example`;
    await admin.ok(
      'POST',
      '/api/desk/users',
      { name, email, password: PASSWORD, role, skills, maxSessions },
      201,
    );
    const client = new DeskClient(base);
    if (!options.signIn) return client.login(email);
    const s = await options.signIn(email);
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

/** A visitor's call: no sign-in, only the request's key. */
export async function visitor<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
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
