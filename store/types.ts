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

export interface SessionRow {
  id: string;
  tenantId: string;
  createdAt: number;
  startUrl: string | null;
  batonPolicy: BatonPolicy;
  hostKeyHash: string;
  joinKeyHash: string;
}

export interface ParticipantRow {
  id: string;
  sessionId: string;
  name: string;
  role: Role;
  tokenHash: string;
  joinedAt: number;
}

export interface ContentHostRow {
  label: string;
  sessionId: string;
  origin: string;
}

export interface Store {
  ensureTenant(tenant: TenantRow): Promise<void>;
  createSession(session: SessionRow): Promise<void>;
  getSession(id: string): Promise<SessionRow | undefined>;
  addParticipant(participant: ParticipantRow): Promise<void>;
  getParticipant(id: string): Promise<ParticipantRow | undefined>;
  findParticipantByTokenHash(sessionId: string, tokenHash: string): Promise<ParticipantRow | undefined>;
  /** The content host of (session, origin), created with `newLabel()` on first use. */
  contentHostFor(sessionId: string, origin: string, newLabel: () => string): Promise<ContentHostRow>;
  resolveLabel(label: string): Promise<ContentHostRow | undefined>;
  /** Reserves the next `count` message sequence numbers of a session; resolves to the first of them. */
  reserveSeq(sessionId: string, count: number): Promise<number>;
  close(): Promise<void>;
}
