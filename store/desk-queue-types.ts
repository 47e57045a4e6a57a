/**
 * What the desk's queue keeps: agents' states over time, visitor requests, desk sessions and the
 * staff in them. Every read and write names the tenant, so one tenant's id never reaches another's rows.
 */

export type AgentStateName = 'ready' | 'not-ready' | 'away' | 'break';

/** What a visitor's request has become; an offer in progress is live state only, not stored. */
export type RequestStatus = 'waiting' | 'overflow' | 'placed' | 'scheduled' | 'abandoned';

export type Scenario = 'support' | 'collaboration' | 'training' | 'administrative';

export interface AgentStateRow {
  userId: string;
  state: AgentStateName;
  at: number;
}

export interface DeskRequestRow {
  id: string;
  tenantId: string;
  /** SHA-256 of the visitor's request key: the visitor's only hold on the request. */
  keyHash: string;
  /** The returning visitor's first-party cookie id. */
  visitorId: string | null;
  /** The signed-in desk user who asked (collaboration requests); null for an anonymous visitor. */
  userId: string | null;
  name: string | null;
  question: string | null;
  /** The page the visitor asked from: checked against the tenant's origins, the session's start page. */
  fromUrl: string;
  skill: string | null;
  scenario: Scenario;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
  sessionId: string | null;
  agentId: string | null;
  scheduledAt: number | null;
  /** `left` (the visitor closed the wait), `later` (chose to try later). */
  abandonReason: string | null;
}

export type RequestUpdate = Partial<
  Pick<
    DeskRequestRow,
    'status' | 'sessionId' | 'agentId' | 'scheduledAt' | 'abandonReason' | 'name' | 'question'
  >
>;

export interface DeskSessionRow {
  sessionId: string;
  tenantId: string;
  requestId: string;
  /** The agent in charge: the one whose leaving ends it (changes on a transfer). */
  agentId: string;
  scenario: Scenario;
  /** The settings version the session was created under. */
  settingsVersion: number;
  /** Its human name: the company and the time it started. */
  channel: string;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
}

export type StaffKind = 'lead' | 'conference' | 'monitor';

export interface StaffRow {
  sessionId: string;
  userId: string;
  kind: StaffKind;
  joinedAt: number;
  /** A monitor who made themselves visible. */
  bargedAt: number | null;
}

export interface DeskQueueStore {
  recordState(tenantId: string, userId: string, state: AgentStateName, at: number): void;
  /** Each agent's latest recorded state. */
  currentStates(tenantId: string): AgentStateRow[];
  stateHistory(tenantId: string, userId: string, limit: number): AgentStateRow[];
  addRequest(row: DeskRequestRow): void;
  getRequest(tenantId: string, id: string): DeskRequestRow | undefined;
  /**
   * The tenant a request belongs to: the one read not scoped by tenant, for the visitor who holds
   * only the request id and key; the caller checks the key before reading anything else.
   */
  requestTenant(id: string): string | undefined;
  requestBySession(tenantId: string, sessionId: string): DeskRequestRow | undefined;
  updateRequest(tenantId: string, id: string, update: RequestUpdate, at: number): void;
  /** Requests still waiting (or shown the overflow choices), oldest first. */
  openRequests(tenantId: string): DeskRequestRow[];
  /** An agent's scheduled sessions from `from` on, soonest first. */
  calendar(tenantId: string, agentId: string, from: number): DeskRequestRow[];
  /** Every agent's booked sessions between two times, also those under way (to find a free agent). */
  scheduledBetween(tenantId: string, from: number, to: number): DeskRequestRow[];
  addSession(row: DeskSessionRow): void;
  getSession(tenantId: string, sessionId: string): DeskSessionRow | undefined;
  openSessions(tenantId: string): DeskSessionRow[];
  endSession(tenantId: string, sessionId: string, at: number, reason: string): void;
  setLead(tenantId: string, sessionId: string, agentId: string): void;
  addStaff(tenantId: string, row: StaffRow): void;
  staffOf(tenantId: string, sessionId: string): StaffRow[];
  barge(tenantId: string, sessionId: string, userId: string, at: number): void;
}
