import crypto from 'node:crypto';
import type { BatonPolicy, ParticipantRow, Role, SessionRow, Store } from '../store/types.js';
import { hashSecret, matchesHash, randomToken } from './secrets.js';

export interface CreatedSession {
  id: string;
  hostKey: string;
  joinKey: string;
}

/**
 * A named place in a session that a key opens, for sessions someone else arranges (the help desk):
 * who the person is (`agent:<id>`, `visitor`, `monitor:<id>`) and the role they join with.
 */
export interface Seat {
  role: Role;
  seat: string;
}

export interface JoinedParticipant {
  participantId: string;
  token: string;
  role: Role;
  name: string;
}

export class SessionError extends Error {
  constructor(
    readonly code: 'unknown-session' | 'bad-key' | 'bad-token' | 'removed' | 'locked',
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
   * shown the link to share at any time without the key being stored anywhere in clear. Each
   * replacement of the link (`generation`) derives a new one.
   */
  joinKeyFor(sessionId: string, generation = 0): string {
    return crypto
      .createHmac('sha256', this.secret)
      .update(generation === 0 ? `join\n${sessionId}` : `join\n${sessionId}\n${generation}`)
      .digest('base64url')
      .slice(0, 32);
  }

  /** The follower key the session's invite link carries now; undefined for no such session. */
  async inviteKey(sessionId: string): Promise<string | undefined> {
    const session = await this.store.getSession(sessionId);
    return session && this.joinKeyFor(session.id, session.joinKeyGeneration ?? 0);
  }

  /**
   * A new invite link: the one handed out so far stops letting anyone in (those who came in with it
   * keep their own tokens). Two replacements at once make one.
   */
  async replaceJoinKey(sessionId: string): Promise<void> {
    const session = await this.store.getSession(sessionId);
    if (!session) throw new SessionError('unknown-session', 'no session with this id');
    const generation = session.joinKeyGeneration ?? 0;
    const key = this.joinKeyFor(sessionId, generation + 1);
    await this.store.replaceJoinKey(sessionId, generation, hashSecret(key));
  }

  /**
   * A key for one seat, derived like the join key, so whoever arranged the session can hand it out
   * again at any time; the seat and role travel in the key, signed.
   */
  seatKeyFor(sessionId: string, seat: Seat): string {
    const body = Buffer.from(`${seat.role}\n${seat.seat}`).toString('base64url');
    return `${body}.${this.seatMac(sessionId, body)}`;
  }

  private seatOf(sessionId: string, key: string): Seat | null {
    const [body, mac, extra] = key.split('.');
    if (!body || !mac || extra !== undefined) return null;
    const expected = Buffer.from(this.seatMac(sessionId, body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    const [role, seat] = Buffer.from(body, 'base64url').toString().split('\n');
    if ((role !== 'owner' && role !== 'follower') || !seat) return null;
    return { role, seat };
  }

  private seatMac(sessionId: string, body: string): string {
    return crypto.createHmac('sha256', this.secret).update(`seat\n${sessionId}\n${body}`).digest('base64url');
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
    const seat = this.seatOf(sessionId, key);
    const host = matchesHash(key, session.hostKeyHash);
    const invited = !host && matchesHash(key, session.joinKeyHash);
    const role: Role | null = host ? 'owner' : invited ? 'follower' : (seat?.role ?? null);
    // The lock closes the invite link only: a host, and a seat the help desk arranged, still come in.
    if (invited && session.locked) {
      throw new SessionError('locked', 'the host has locked this session; nobody new can join');
    }
    if (!role) {
      // A link the host's removal of someone replaced: those it was shared with are told what to do.
      const replaced = Array.from({ length: session.joinKeyGeneration ?? 0 }, (_, g) =>
        this.joinKeyFor(sessionId, g),
      ).includes(key);
      throw new SessionError(
        'bad-key',
        replaced
          ? 'this invite link was replaced by the host; ask them for the new one'
          : 'this key does not open the session',
      );
    }
    const token = randomToken(32);
    const participant: ParticipantRow = {
      id: randomToken(9),
      sessionId,
      name,
      role,
      tokenHash: hashSecret(token),
      joinedAt: Date.now(),
      seat: seat?.seat ?? null,
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
