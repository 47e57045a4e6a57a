/** Calls to the archive API; the auditor is known by the HttpOnly cookie that sign-in sets. */
import type { RelayedMessage } from '../../session/protocol.js';
import { ApiError, call as callApi, OFFLINE_MESSAGE } from '../api.js';

export interface Auditor {
  name: string;
  tenant: string;
}

export interface SessionSummary {
  id: string;
  tenantId: string;
  createdAt: number;
  endedAt: number | null;
  startUrl: string | null;
  finalHash: string | null;
  lastSeq: number;
  lastAt: number | null;
  participants: Array<{ id: string; name: string; role: 'owner' | 'follower'; joinedAt: number }>;
}

export interface SessionQuery {
  from?: number;
  to?: number;
  participant?: string;
  host?: string;
  url?: string;
  text?: string;
  before?: number;
}

export type Verdict =
  /** `sealed`: for a session that ended, whether its final hash carries this server's seal. */
  | { intact: true; records: number; lastHash: string; sealed?: boolean }
  | { intact: false; records: number; brokenAt: number; reason: string };

export { ApiError };

const BASE = '/api/archive';

const call = <T>(method: string, path: string, body?: unknown) => callApi<T>(method, `${BASE}${path}`, body);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const sessionPath = (id: string) => `/sessions/${encodeURIComponent(id)}`;

export const me = () => call<Auditor>('GET', '/me');
export const signIn = (key: string) => call<Auditor>('POST', '/sign-in', { key });
export const signOut = () => call<void>('POST', '/sign-out');

export function findSessions(q: SessionQuery, limit: number) {
  const params = new URLSearchParams({ limit: String(limit) });
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return call<{ sessions: SessionSummary[] }>('GET', `/sessions?${params}`);
}

export const getSession = (id: string) => call<SessionSummary>('GET', sessionPath(id));
export const verify = (id: string) => call<Verdict>('GET', `${sessionPath(id)}/verify`);
export const exportUrl = (id: string) => `${BASE}${sessionPath(id)}/export`;

export const events = (id: string, after: number, limit: number) =>
  call<{ events: RelayedMessage[]; next: number | null }>(
    'GET',
    `${sessionPath(id)}/events?after=${after}&limit=${limit}`,
  );

/**
 * Uploads an export file as the request body. XMLHttpRequest, not fetch: only it reports upload
 * progress, and a large session's file takes a while to send.
 */
export function importSession(
  file: Blob,
  onProgress: (fraction: number) => void,
): Promise<{ id: string; events: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${BASE}/import`);
    xhr.setRequestHeader('content-type', 'application/x-ndjson');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'offline', OFFLINE_MESSAGE));
    xhr.onload = () => {
      const data = parseJson(xhr.responseText) as {
        id?: string;
        events?: number;
        error?: { code?: string; message?: string };
      } | null;
      if (xhr.status === 201 && data?.id) return resolve({ id: data.id, events: data.events ?? 0 });
      reject(
        new ApiError(
          xhr.status,
          data?.error?.code ?? 'error',
          data?.error?.message ?? `the server answered ${xhr.status}`,
        ),
      );
    };
    xhr.send(file);
  });
}
