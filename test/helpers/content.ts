import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request to Tandem's port with any Host header: how tests reach content hosts from Node. */
export function request(
  port: number,
  host: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Goes through `open` and the entry step as a browser would; returns the content host and its cookie. */
export async function enter(base: string, port: number, session: string, token: string, url: string) {
  const res = await fetch(
    `${base}/api/sessions/${session}/open?url=${encodeURIComponent(url)}&token=${token}`,
    {
      redirect: 'manual',
    },
  );
  if (res.status !== 303) throw new Error(`open answered ${res.status}`);
  const entry = new URL(res.headers.get('location') ?? '');
  const entered = await request(port, entry.host, `${entry.pathname}${entry.search}`);
  const setCookie = entered.headers['set-cookie']?.[0] ?? '';
  return {
    host: entry.host,
    cookie: setCookie.split(';')[0] ?? '',
    setCookie,
    location: entered.headers.location,
  };
}
