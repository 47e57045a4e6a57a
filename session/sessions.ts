import crypto from 'node:crypto';
import type { BatonPolicy, ParticipantRow, Role, SessionRow, Store } from '../store/types.js';
import { hashSecret, matchesHash, randomToken } from './secrets.js';

export interface CreatedSession {
  id: string;
  hostKey: string;
  joinKey: string;
}

export interface JoinedParticipant {
  participantId: string;
  token: string;
  role: Role;
  name: string;
}

export class SessionError extends Error {
  constructor(
    readonly code: 'unknown-session' | 'bad-key' | 'bad-token' | 'removed',
    message: string,
  ) {
    super(message);
  }
}

/** Creating sessions, joining them with a key, and recognising a participant by token. */
export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly secret: Buffer,
  ) {}

  /**
   * The follower key is derived from the session id under the server secret, so the host can be
   * shown the link to share at any time without the key being stored anywhere in clear.
   */
  joinKeyFor(sessionId: string): string {
    return crypto
      .createHmac('sha256', this.secret)
      .update(`join\n${sessionId}`)
      .digest('base64url')
      .slice(0, 32);
  }

  async create(
    tenantId: string,
    startUrl: string | null,
    batonPolicy: BatonPolicy = 'support',
    liveTyping = false,
  ): Promise<CreatedSession> {
    const id = randomToken(12);
    const hostKey = randomToken(24);
    const joinKey = this.joinKeyFor(id);
    const row: SessionRow = {
      id,
      tenantId,
      createdAt: Date.now(),
      startUrl,
      batonPolicy,
      liveTyping,
      hostKeyHash: hashSecret(hostKey),
      joinKeyHash: hashSecret(joinKey),
    };
    await this.store.createSession(row);
    return { id, hostKey, joinKey };
  }

  async get(id: string): Promise<SessionRow | undefined> {
    return this.store.getSession(id);
  }

  async join(sessionId: string, name: string, key: string): Promise<JoinedParticipant> {
    const session = await this.store.getSession(sessionId);
    if (!session) throw new SessionError('unknown-session', 'no session with this id');
    const role: Role | null = matchesHash(key, session.hostKeyHash)
      ? 'owner'
      : matchesHash(key, session.joinKeyHash)
        ? 'follower'
        : null;
    if (!role) throw new SessionError('bad-key', 'this key does not open the session');
    const token = randomToken(32);
    const participant: ParticipantRow = {
      id: randomToken(9),
      sessionId,
      name,
      role,
      tokenHash: hashSecret(token),
      joinedAt: Date.now(),
    };
    await this.store.addParticipant(participant);
    return { participantId: participant.id, token, role, name };
  }

  async authenticate(sessionId: string, token: string): Promise<ParticipantRow> {
    const session = await this.store.getSession(sessionId);
    if (!session) throw new SessionError('unknown-session', 'no session with this id');
    const participant = await this.store.findParticipantByTokenHash(sessionId, hashSecret(token));
    if (!participant) throw new SessionError('bad-token', 'this token does not belong to the session');
    if (participant.removedAt) throw new SessionError('removed', 'the host removed you from this session');
    return participant;
  }
}
