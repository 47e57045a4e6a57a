/**
 * The desk's REST calls (docs/desk.md). A signed-in user is known by the HttpOnly `tandem_desk`
 * cookie; every state-changing call also carries the CSRF token that `me` and `login` hand out.
 */
import type { Invite, Offer } from '../../desk/agent-frame.js';
import type { UsageReport } from '../../ledger/ledger.js';
import type { AgentStateName } from '../../store/desk-queue-types.js';
import { ApiError, call } from '../api.js';

export type { Invite, Offer, UsageReport };
export { ApiError };

export type Role = 'admin' | 'supervisor' | 'agent';
export type AgentState = AgentStateName;
export type ScenarioKind = 'support' | 'collaboration' | 'training' | 'administrative';

export interface DeskUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  skills: string[];
  maxSessions: number;
  totp: boolean;
  disabled: boolean;
  createdAt: number;
}

export interface Me {
  user: DeskUser;
  tenant: { id: string; name: string; publicKey: string };
  csrf: string;
}

export interface Scenario {
  leadsFirst: 'agent' | 'visitor';
  batonPolicy: 'support' | 'collaboration';
  maskSelectors: string[];
  liveTyping: boolean;
  avatars: boolean;
}

export interface Settings {
  allowedOrigins: string[];
  seatCap: number;
  monitorNotice: boolean;
  waitTargetSeconds: number;
  offerTimeoutSeconds: number;
  scenarios: Record<ScenarioKind, Scenario>;
  avatarsByPage: Array<{ pathPrefix: string; avatar: string }>;
  /** `logoUrl` is empty for none. */
  brand: { name: string; color: string; logoUrl: string } | null;
}

export interface SettingsVersion {
  version: number;
  settings: Settings;
  createdAt: number;
  createdBy: string | null;
}

export interface AuditEntry {
  at: number;
  userId: string | null;
  /** The user's name now; null for the operator's command line. */
  user: string | null;
  action: string;
  detail: unknown;
}

export interface Alert {
  id?: number;
  at: number;
  kind: string;
  detail: unknown;
}

export interface BoardAgent {
  id: string;
  name: string;
  state: AgentState;
  since: number;
  sessions: string[];
}

export interface Board {
  agents: BoardAgent[];
  queue: Array<{ id: string; waitingSince: number; skill: string | null; name: string | null }>;
  longestWaitSeconds: number;
  /** `monitors`: the users watching; `channel`: the session's name, from the tenant and a time. */
  sessions: Array<{ id: string; channel: string; agentId: string; startedAt: number; monitors: string[] }>;
  alerts: Alert[];
}

/** The agent's state; `since` is null until they first chose one. */
export interface StateView {
  state: AgentState;
  since: number | null;
}

export interface CalendarEntry {
  id: string;
  scheduledAt: number;
  name: string | null;
  question: string | null;
  from: string;
  /** The agent's way into the booked session. */
  viewerUrl: string;
}

export type RequestStatus = 'waiting' | 'offered' | 'placed' | 'overflow' | 'scheduled' | 'abandoned';

/** `position` and `expectedWaitSeconds` are null when not in line, or when no agent could serve now. */
export interface RequestView {
  status: RequestStatus;
  position: number | null;
  expectedWaitSeconds: number | null;
  joinUrl?: string;
  scheduledAt?: number;
  /** The company tells visitors that sessions may be monitored. */
  monitorNotice: boolean;
}

export interface NewUser {
  name: string;
  email: string;
  password: string;
  role: Role;
  skills: string[];
  maxSessions: number;
}

/** What an admin may change of a user; `totp: false` removes a lost authenticator. */
export type UserChange = Partial<NewUser> & { disabled?: boolean; totp?: false };

let csrf = '';

/** A call that changes something: it carries the CSRF token of the signed-in user. */
const change = <T>(method: string, path: string, body?: unknown) =>
  call<T>(method, path, body, undefined, csrf ? { 'x-tandem-csrf': csrf } : {});

const remember = <T extends { csrf: string }>(answer: T): T => {
  csrf = answer.csrf;
  return answer;
};

const id = (value: string) => encodeURIComponent(value);

export const me = () => call<Me>('GET', '/api/desk/me').then(remember);
export const login = (email: string, password: string, totp?: string) =>
  call<{ user: DeskUser; csrf: string }>('POST', '/api/desk/login', {
    email,
    password,
    ...(totp ? { totp } : {}),
  }).then(remember);
export const signup = (company: string, name: string, email: string, password: string) =>
  call<{ tenantId: string; publicKey: string; user: DeskUser; csrf: string }>('POST', '/api/desk/signup', {
    company,
    name,
    email,
    password,
  }).then(remember);
export const logout = () => change<void>('POST', '/api/desk/logout');
export const startTotp = () => change<{ secret: string; otpauthUrl: string }>('POST', '/api/desk/me/totp');
export const confirmTotp = (code: string) => change<void>('POST', '/api/desk/me/totp/confirm', { code });

export const getSettings = () => call<SettingsVersion>('GET', '/api/desk/settings');
/** `basedOn` is the version edited: the server refuses (409 `stale`) when someone saved since. */
export const putSettings = (settings: Settings, basedOn: number) =>
  change<SettingsVersion>('PUT', '/api/desk/settings', { settings, basedOn });
export const getUsers = () => call<DeskUser[]>('GET', '/api/desk/users');
export const addUser = (user: NewUser) => change<DeskUser>('POST', '/api/desk/users', user);
export const patchUser = (userId: string, patch: UserChange) =>
  change<DeskUser>('PATCH', `/api/desk/users/${id(userId)}`, patch);
export const getAudit = () => call<AuditEntry[]>('GET', '/api/desk/audit');
export const getAlerts = () => call<Alert[]>('GET', '/api/desk/alerts');
/** Leave both out for the month so far. */
export const getUsage = (period?: { from: string; to: string }) =>
  call<UsageReport>(
    'GET',
    `/api/desk/usage${period ? `?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}` : ''}`,
  );

export const getMyState = () => call<StateView>('GET', '/api/desk/me/state');
/** The offers open for this agent, as the live channel sends them (its fallback). */
export const getOffers = () => call<Array<{ type: 'offer' } & Offer>>('GET', '/api/desk/offers');
export const setState = (state: AgentState) => change<StateView>('PUT', '/api/desk/me/state', { state });
export const acceptOffer = (requestId: string) =>
  change<{ sessionId: string; viewerUrl: string }>('POST', `/api/desk/offers/${id(requestId)}/accept`);
export const declineOffer = (requestId: string) =>
  change<void>('POST', `/api/desk/offers/${id(requestId)}/decline`);
export const getCalendar = () => call<CalendarEntry[]>('GET', '/api/desk/calendar');

export const getBoard = () => call<Board>('GET', '/api/desk/board');
export const watchSession = (sessionId: string) =>
  change<{ viewerUrl: string }>('POST', `/api/desk/sessions/${id(sessionId)}/watch`);
export const bargeIn = (sessionId: string) =>
  change<{ viewerUrl: string }>('POST', `/api/desk/sessions/${id(sessionId)}/barge`);

export const createRequest = (body: {
  key: string;
  from: string;
  question?: string;
  name?: string;
  skill?: string;
  scenario?: 'collaboration';
}) => call<{ id: string; requestKey: string; status: RequestStatus }>('POST', '/api/desk/requests', body);
const requestPath = (requestId: string, requestKey: string) =>
  `/api/desk/requests/${id(requestId)}?requestKey=${id(requestKey)}`;
export const getRequest = (requestId: string, requestKey: string) =>
  call<RequestView>('GET', requestPath(requestId, requestKey));
export const chooseOverflow = (
  requestId: string,
  requestKey: string,
  choice: 'wait' | 'schedule' | 'later',
  at?: number,
) =>
  call<RequestView>('POST', `/api/desk/requests/${id(requestId)}/choice`, {
    requestKey,
    choice,
    ...(at === undefined ? {} : { at }),
  });
export const setQuestion = (requestId: string, requestKey: string, question: string) =>
  call<void>('PATCH', `/api/desk/requests/${id(requestId)}`, { requestKey, question });
export const abandonRequest = (requestId: string, requestKey: string) =>
  call<void>('DELETE', requestPath(requestId, requestKey));
