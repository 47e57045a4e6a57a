/**
 * The persistence interface every other room talks to. Methods are async even though the embedded
 * SQLite driver is synchronous, so the PostgreSQL adapter of a cluster can implement the same contract.
 */
export type Role = 'owner' | 'follower';

/** `support`: the host gives the baton. `collaboration`: anyone may take it. */
export type BatonPolicy = 'support' | 'collaboration';

export interface TenantRow {
  id: string;
  name: string;
}

/** How a customer company's sessions look to its visitors. */
export interface Brand {
  /** Shown next to the logo. */
  name: string;
  /** `#rrggbb`, the accent of buttons and links. */
  colour: string;
  /** An https or data:image URL, or null for none. */
  logo: string | null;
}

export interface SessionRow {
  id: string;
  tenantId: string;
  createdAt: number;
  startUrl: string | null;
  batonPolicy: BatonPolicy;
  /** Others watch a chat line as it is typed, letter by letter. */
  liveTyping?: boolean;
  hostKeyHash: string;
  joinKeyHash: string;
  /** How many times the invite link has been replaced; its key is derived from this (0 when new). */
  joinKeyGeneration?: number;
  /** Locked by a host: the invite link lets nobody new in. */
  locked?: boolean;
}

export interface ParticipantRow {
  id: string;
  sessionId: string;
  name: string;
  role: Role;
  tokenHash: string;
  joinedAt: number;
  /** When the host removed them, if they were. */
  removedAt?: number | null;
  /** The seat their key named, in a session the desk arranged (`agent:<id>`, `visitor`, `monitor:<id>`). */
  seat?: string | null;
}

export interface ContentHostRow {
  label: string;
  sessionId: string;
  origin: string;
}

export interface Store {
  ensureTenant(tenant: TenantRow): Promise<void>;
  tenantExists(id: string): Promise<boolean>;
  brandOf(tenantId: string): Promise<Brand | null>;
  setBrand(tenantId: string, brand: Brand | null): Promise<void>;
  createSession(session: SessionRow): Promise<void>;
  getSession(id: string): Promise<SessionRow | undefined>;
  addParticipant(participant: ParticipantRow): Promise<void>;
  getParticipant(id: string): Promise<ParticipantRow | undefined>;
  findParticipantByTokenHash(sessionId: string, tokenHash: string): Promise<ParticipantRow | undefined>;
  removeParticipant(id: string, at: number): Promise<void>;
  /**
   * Replaces the follower key's hash and counts a generation up, if the session is still at
   * `generation` (so two replacements at once make one); answers whether it was replaced.
   */
  replaceJoinKey(sessionId: string, generation: number, joinKeyHash: string): Promise<boolean>;
  setSessionLocked(sessionId: string, locked: boolean): Promise<void>;
  /** The content host of (session, origin), created with `newLabel()` on first use. */
  contentHostFor(sessionId: string, origin: string, newLabel: () => string): Promise<ContentHostRow>;
  resolveLabel(label: string): Promise<ContentHostRow | undefined>;
  close(): Promise<void>;
}

/** One ordered session event as archived: the exact text participants received, chained by hash. */
export interface ArchivedEvent {
  sessionId: string;
  seq: number;
  at: number;
  actor: string;
  tab: string | null;
  type: string;
  body: string;
  hash: string;
}

/**
 * A response a participant was served from upstream, as it was served: what the proxy reports, and
 * what the archive captures.
 */
export interface ServedResponse {
  sessionId: string;
  /** The content host it was served on. */
  label: string;
  /** Path and query on the content host. */
  path: string;
  /** The upstream URL it stood for. */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Fetched without the session's cookies: what anyone asking the site would have had. */
  anonymous?: boolean;
}

/** A response served to a participant, its body kept once by content hash. */
export interface CaptureRow {
  sessionId: string;
  /** The content host it was served on; with `path`, what a recorded URL names. */
  label: string;
  path: string;
  /** The upstream URL it stood for. */
  url: string;
  status: number;
  headers: Record<string, string>;
  hash: string;
  size: number;
  at: number;
}

export interface AuditorRow {
  id: string;
  tenantId: string;
  name: string;
  keyHash: string;
  createdAt: number;
}

export interface ArchivedSessionRow {
  id: string;
  tenantId: string;
  createdAt: number;
  endedAt: number | null;
  startUrl: string | null;
  finalHash: string | null;
  /** The final hash's seal under this server's key; null while open, or when it ended elsewhere. */
  seal: string | null;
  lastSeq: number;
  lastAt: number | null;
  participants: Array<{ id: string; name: string; role: Role; joinedAt: number }>;
}

export interface SessionFilter {
  from?: number;
  to?: number;
  /** Any participant's name contains this. */
  participant?: string;
  /** A host's (agent's) name contains this. */
  host?: string;
  /** A page visited in the session contains this. */
  url?: string;
  /** A chat line contains this. */
  text?: string;
  /** Only sessions created before this time (paging back). */
  before?: number;
  limit: number;
}

export interface ImportedSession {
  session: SessionRow;
  participants: readonly ParticipantRow[];
  events: readonly ArchivedEvent[];
  captures: readonly CaptureRow[];
  endedAt: number | null;
  finalHash: string | null;
}

export interface DeletionRow {
  sessionId: string;
  tenantId: string;
  deletedAt: number;
  reason: string;
  events: number;
  finalHash: string | null;
}

/**
 * What the archive needs of persistence. Every read takes the tenant and answers nothing of another
 * tenant's sessions: isolation is enforced here, not left to each route.
 */
export interface ArchiveStore {
  /** Appends events in one transaction (the group commit). */
  appendEvents(events: readonly ArchivedEvent[]): Promise<void>;
  /** The last archived event of a session, for continuing its seq and its chain after a restart. */
  lastEvent(sessionId: string): Promise<ArchivedEvent | undefined>;
  /** The last `count` chat lines, oldest first. */
  recentChat(sessionId: string, count: number): Promise<ArchivedEvent[]>;
  /**
   * The events that change a session's tabs (opened, closed, focused, addresses, marks, batons), in
   * `seq` order: what a room reopened after a restart rebuilds its tabs from.
   */
  tabEvents(sessionId: string): Promise<ArchivedEvent[]>;
  setSessionEnd(
    sessionId: string,
    endedAt: number | null,
    finalHash: string | null,
    seal: string | null,
  ): Promise<void>;
  addCaptures(rows: readonly CaptureRow[]): Promise<void>;

  archivedSession(tenantId: string, sessionId: string): Promise<ArchivedSessionRow | undefined>;
  findSessions(tenantId: string, filter: SessionFilter): Promise<ArchivedSessionRow[]>;
  events(tenantId: string, sessionId: string, afterSeq: number, limit: number): Promise<ArchivedEvent[]>;
  /** The latest capture of a path on a content host of the session. */
  capture(tenantId: string, sessionId: string, label: string, path: string): Promise<CaptureRow | undefined>;
  captures(tenantId: string, sessionId: string): Promise<CaptureRow[]>;
  /** The labels of the session's content hosts, live or known from its captures. */
  labels(tenantId: string, sessionId: string): Promise<string[]>;

  addAuditor(auditor: AuditorRow): Promise<void>;
  auditorByKeyHash(keyHash: string): Promise<AuditorRow | undefined>;
  getAuditor(id: string): Promise<AuditorRow | undefined>;

  setRetention(tenantId: string, days: number | null): Promise<void>;
  /**
   * Writes an imported session with everything recorded of it in one transaction: all of it, or
   * (on any error, such as an id already taken) nothing.
   */
  importSession(session: ImportedSession): Promise<void>;
  /** Sessions of tenants with a retention period whose last activity is older than that period. */
  expiredSessions(now: number): Promise<Array<{ id: string; tenantId: string }>>;
  /** Deletes a session with everything recorded of it, and logs the deletion, in one transaction. */
  deleteSession(
    tenantId: string,
    sessionId: string,
    reason: string,
    now: number,
  ): Promise<DeletionRow | undefined>;
  deletions(tenantId: string): Promise<DeletionRow[]>;
  /** Which of these blob hashes no capture refers to any more. */
  unreferencedBlobs(hashes: readonly string[]): Promise<string[]>;
}
