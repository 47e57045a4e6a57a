/** Calls to Tandem's REST API; every failure becomes an Error with the server's own message. */
export interface Joined {
  participantId: string;
  token: string;
  role: 'owner' | 'follower';
}

/**
 * A failure: the server's status and stable code (`removed`, `sign-in`, …) with its message, or
 * status 0 and `offline` when Tandem could not be reached.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const OFFLINE_MESSAGE = 'Tandem cannot be reached. Check your connection and try again.';

/** One JSON call to Tandem's API; a 204 answers undefined. `extra` adds headers (the desk's CSRF token). */
export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  extra: Record<string, string> = {},
): Promise<T> {
  let res: Response;
  const headers: Record<string, string> =
    body === undefined ? { ...extra } : { ...extra, 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'offline', OFFLINE_MESSAGE);
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) {
    throw new ApiError(
      res.status,
      data?.error?.code ?? String(res.status),
      data?.error?.message ?? `the server answered ${res.status}`,
    );
  }
  return data as T;
}

export const createSession = (
  startUrl: string,
  batonPolicy: 'support' | 'collaboration',
  liveTyping: boolean,
) =>
  call<{ id: string; hostUrl: string; joinUrl: string }>('POST', '/api/sessions', {
    ...(startUrl ? { startUrl } : {}),
    batonPolicy,
    liveTyping,
  });

export const joinSession = (session: string, name: string, key: string) =>
  call<Joined>('POST', `/api/sessions/${encodeURIComponent(session)}/participants`, { name, key });

export const getInvite = (session: string, token: string) =>
  call<{ joinUrl: string }>('GET', `/api/sessions/${encodeURIComponent(session)}/invite`, undefined, token);

export const translate = (session: string, text: string, to: string) =>
  call<{ text: string }>('POST', `/api/sessions/${encodeURIComponent(session)}/translate`, { text, to });

export const getTicket = (session: string, token: string) =>
  call<{ ticket: string }>('POST', `/api/sessions/${encodeURIComponent(session)}/tickets`, { token });

/**
 * The app-origin address that enters this participant onto a page's content host. It carries no
 * token: the session cookie set when joining identifies the participant.
 */
export const openUrl = (session: string, url: string) =>
  `/api/sessions/${encodeURIComponent(session)}/open?url=${encodeURIComponent(url)}`;
