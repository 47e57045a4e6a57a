import assert from 'node:assert/strict';

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
  await client.expect(200, 'POST', '/login', { email, password, ...(totp ? { totp } : {}) });
  return client;
}
