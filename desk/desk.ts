import { ENDED_CLOSE_CODE } from '../session/limits.js';
import type { Rooms } from '../session/rooms.js';
import { hashSecret, matchesHash, randomToken } from '../session/secrets.js';
import type { Seat, Sessions } from '../session/sessions.js';
import type {
  AgentStateName,
  DeskQueueStore,
  DeskRequestRow,
  DeskSessionRow,
  RequestStatus,
  Scenario,
} from '../store/desk-queue-types.js';
import type { ParticipantRow, SessionRow } from '../store/types.js';
import type { DeskUserView } from './accounts.js';
import type { AgentFrame } from './agent-frame.js';
import { type Dispatch, HuntGroup, type Offer } from './hunt-group.js';
import { originAllowed } from './origins.js';
import { chooseScheduledAgent } from './schedule.js';
import type { DeskSettings } from './settings.js';

/** What the queue needs from the accounts side: `DeskAccounts` and the tenant's name. */
export interface DeskDirectory {
  tenantByPublicKey(key: string): Promise<{ id: string; name: string } | undefined>;
  tenantName(tenantId: string): Promise<string>;
  settingsOf(tenantId: string): Promise<{ version: number; settings: DeskSettings }>;
  users(tenantId: string): Promise<readonly DeskUserView[]>;
  recordAlert(tenantId: string, kind: string, detail: unknown): Promise<void>;
  alerts(
    tenantId: string,
    limit: number,
  ): Promise<ReadonlyArray<{ at: number; kind: string; detail: unknown }>>;
}

export interface DeskListener {
  toAgent(tenantId: string, userId: string, frame: AgentFrame): void;
  /** Something in the tenant's queue, agents or sessions changed: boards and wait pages refresh. */
  changed(tenantId: string): void;
}

export interface RequestView {
  status: RequestStatus | 'offered';
  position: number | null;
  expectedWaitSeconds: number | null;
  joinUrl?: string;
  scheduledAt?: number;
  monitorNotice: boolean;
}

export interface CalendarEntry {
  id: string;
  name: string | null;
  question: string | null;
  from: string;
  scheduledAt: number;
  /** The agent's way into the booked session. */
  viewerUrl: string;
}

export interface Board {
  agents: Array<{ id: string; name: string; state: AgentStateName; since: number; sessions: string[] }>;
  queue: Array<{ id: string; waitingSince: number; skill: string | null; name: string | null }>;
  longestWaitSeconds: number;
  sessions: Array<{ id: string; channel: string; agentId: string; startedAt: number; monitors: string[] }>;
  /** The latest alerts recorded for the tenant (refused origins, agents in several sessions, long waits). */
  alerts: ReadonlyArray<{ at: number; kind: string; detail: unknown }>;
}

export class QueueError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DeskOptions {
  store: DeskQueueStore;
  directory: DeskDirectory;
  sessions: Pick<Sessions, 'create' | 'seatKeyFor'>;
  rooms: Pick<Rooms, 'get'>;
  /** The app origin, for the viewer links handed out. */
  publicOrigin: string;
  listener: DeskListener;
  /** How long the agent or the last visitor may be gone (a reload, a dropped line) before the session ends. */
  leaveGraceMs: number;
  now?: () => number;
}

/** A page asked for help from an origin the tenant does not allow (now): its admins are told. */
export class OriginRefused extends QueueError {
  constructor(
    readonly tenantId: string,
    readonly page: string,
  ) {
    super(403, 'origin-refused', 'help is not offered on this page');
  }
}

/** How many of the latest alerts the board shows. */
const BOARD_ALERTS = 20;
/** How often waits are checked against the tenant's target. */
const WAIT_CHECK_MS = 5000;

interface LiveSession {
  tenantId: string;
  /** Connected participant ids by seat (`agent:<id>`, `visitor`, `monitor:<id>`). */
  seats: Map<string, Set<string>>;
  visitorsSeen: boolean;
  endTimer: NodeJS.Timeout | null;
}

interface TenantDesk {
  id: string;
  name: string;
  group: HuntGroup;
  settings: DeskSettings;
  settingsVersion: number;
  names: Map<string, string>;
  /** When each agent's current state began. */
  since: Map<string, number>;
  /** Open desk sessions by id, with the agents in each. */
  sessions: Map<string, { row: DeskSessionRow; channel: string; agents: Set<string>; monitors: Set<string> }>;
  /** Requests already reported as waiting over target. */
  overTarget: Set<string>;
  expiry: NodeJS.Timeout | null;
}

const agentSeat = (userId: string) => `agent:${userId}`;
const monitorSeat = (userId: string) => `monitor:${userId}`;
const VISITOR_SEAT = 'visitor';

/**
 * The help desk's queue as a service: visitor requests, agents' states, offers, placing a request
 * into a Tandem session and ending it, transfer and conference, silent monitoring, the board.
 * Decisions are made synchronously in the hunt group, so the order is exactly the order in which
 * events reach this process; the store records every change.
 */
export class Desk {
  private readonly tenants = new Map<string, Promise<TenantDesk>>();
  private readonly live = new Map<string, LiveSession>();
  private readonly now: () => number;
  private readonly waitCheck: NodeJS.Timeout;

  constructor(private readonly o: DeskOptions) {
    this.now = o.now ?? Date.now;
    this.waitCheck = setInterval(() => void this.checkWaits(), WAIT_CHECK_MS);
    this.waitCheck.unref();
  }

  stop(): void {
    clearInterval(this.waitCheck);
    for (const l of this.live.values()) if (l.endTimer) clearTimeout(l.endTimer);
    for (const t of this.tenants.values()) void t.then((d) => d.expiry && clearTimeout(d.expiry));
  }

  // ---- visitors -------------------------------------------------------------------------------

  async tenantOfKey(publicKey: string): Promise<{ id: string; name: string }> {
    const tenant = await this.o.directory.tenantByPublicKey(publicKey);
    if (!tenant) throw new QueueError(404, 'unknown-key', 'no company uses this help link');
    return tenant;
  }

  /** Whether a page may ask for help: its origin must be one the tenant allows now. */
  async originAllows(tenantId: string, from: string): Promise<boolean> {
    return originAllowed((await this.tenant(tenantId)).settings, from);
  }

  /** Read from the settings just refreshed, so a request costs one settings read. */
  private checkOrigin(t: TenantDesk, from: string): void {
    if (!originAllowed(t.settings, from)) throw new OriginRefused(t.id, from);
  }

  async availability(
    tenantId: string,
    skill: string | null,
  ): Promise<{ available: boolean; waiting: number }> {
    const t = await this.tenant(tenantId);
    return { available: !t.group.wouldOverflow(skill), waiting: t.group.waiting().length };
  }

  async createRequest(
    tenantId: string,
    input: {
      from: string;
      name: string | null;
      question: string | null;
      skill: string | null;
      scenario: Scenario;
    },
    visitor: { visitorId: string | null; userId: string | null },
  ): Promise<{ id: string; requestKey: string } & RequestView> {
    const t = await this.tenant(tenantId);
    this.checkOrigin(t, input.from);
    const now = this.now();
    const id = randomToken(12);
    const requestKey = randomToken(24);
    const status: RequestStatus = t.group.wouldOverflow(input.skill) ? 'overflow' : 'waiting';
    this.o.store.addRequest({
      id,
      tenantId,
      keyHash: hashSecret(requestKey),
      visitorId: visitor.visitorId,
      userId: visitor.userId,
      name: input.name,
      question: input.question,
      fromUrl: input.from,
      skill: input.skill,
      scenario: input.scenario,
      status,
      createdAt: now,
      updatedAt: now,
      sessionId: null,
      agentId: null,
      scheduledAt: null,
      abandonReason: null,
    });
    this.apply(t, t.group.add({ id, skill: input.skill, waitingSince: now }, now));
    return { id, requestKey, ...(await this.view(t, id)) };
  }

  /** The visitor's request, held by its key, with its origin checked again against today's settings. */
  async visitorRequest(requestId: string, requestKey: string): Promise<DeskRequestRow> {
    const tenantId = this.o.store.requestTenant(requestId);
    const row = tenantId ? this.o.store.getRequest(tenantId, requestId) : undefined;
    if (!row || !matchesHash(requestKey, row.keyHash))
      throw new QueueError(404, 'unknown-request', 'no such request, or the key does not match');
    this.checkOrigin(await this.tenant(row.tenantId), row.fromUrl);
    return row;
  }

  async requestView(row: DeskRequestRow): Promise<RequestView> {
    return this.view(await this.tenant(row.tenantId), row.id);
  }

  /** The visitor's answer to the overflow: keep waiting, schedule a session, or try later. */
  async choose(
    row: DeskRequestRow,
    choice: 'wait' | 'schedule' | 'later',
    at: number | null,
  ): Promise<RequestView> {
    const t = await this.tenant(row.tenantId);
    if (!t.group.isQueued(row.id))
      throw new QueueError(409, 'not-waiting', `the request is ${row.status}, not waiting`);
    const now = this.now();
    if (choice === 'wait') {
      this.o.store.updateRequest(t.id, row.id, { status: 'waiting' }, now);
    } else if (choice === 'later') {
      this.o.store.updateRequest(t.id, row.id, { status: 'abandoned', abandonReason: 'later' }, now);
      this.apply(t, t.group.remove(row.id, now));
    } else {
      if (at === null || at <= now) throw new QueueError(400, 'bad-time', 'choose a time in the future');
      await this.schedule(t, row, at);
    }
    this.o.listener.changed(t.id);
    return this.view(t, row.id);
  }

  /** The question typed while waiting; an offer made after it carries it. */
  async setQuestion(row: DeskRequestRow, question: string): Promise<void> {
    this.o.store.updateRequest(row.tenantId, row.id, { question }, this.now());
  }

  async abandon(row: DeskRequestRow): Promise<void> {
    const t = await this.tenant(row.tenantId);
    if (!t.group.isQueued(row.id)) return;
    const now = this.now();
    this.o.store.updateRequest(t.id, row.id, { status: 'abandoned', abandonReason: 'left' }, now);
    this.apply(t, t.group.remove(row.id, now));
  }

  // ---- agents ---------------------------------------------------------------------------------

  async setState(
    tenantId: string,
    userId: string,
    state: AgentStateName,
  ): Promise<{ state: AgentStateName; since: number }> {
    const t = await this.tenant(tenantId);
    await this.refreshProfile(t, userId);
    const since = t.since.get(userId);
    // Choosing the state one is in changes nothing: no new row, and the time in state goes on.
    if (since !== undefined && t.group.agent(userId)?.state === state) return { state, since };
    const now = this.now();
    this.changeState(t, userId, state, now);
    return { state, since: now };
  }

  /** Every change of state is recorded with its time. */
  private changeState(t: TenantDesk, userId: string, state: AgentStateName, now: number): void {
    this.o.store.recordState(t.id, userId, state, now);
    t.since.set(userId, now);
    this.apply(t, t.group.setState(userId, state, now));
  }

  async stateOf(tenantId: string, userId: string): Promise<{ state: AgentStateName; since: number | null }> {
    const t = await this.tenant(tenantId);
    return { state: t.group.agent(userId)?.state ?? 'not-ready', since: t.since.get(userId) ?? null };
  }

  /** The offers an agent holds now (after a console reload). */
  async offersOf(tenantId: string, userId: string): Promise<AgentFrame[]> {
    const t = await this.tenant(tenantId);
    return t.group
      .waiting()
      .map((r) => t.group.offerFor(r.id))
      .filter((o): o is Offer => o?.agentId === userId)
      .map((o) => this.offerFrame(t, o));
  }

  async accept(
    tenantId: string,
    userId: string,
    requestId: string,
  ): Promise<{ sessionId: string; viewerUrl: string }> {
    const t = await this.tenant(tenantId);
    const now = this.now();
    const row = this.o.store.getRequest(tenantId, requestId);
    if (!row || !t.group.accept(requestId, userId, now))
      throw new QueueError(409, 'offer-gone', 'this offer is no longer yours to accept');
    const scenario = t.settings.scenarios[row.scenario];
    const created = await this.o.sessions.create(
      tenantId,
      row.fromUrl,
      scenario.batonPolicy,
      scenario.liveTyping,
    );
    const agentRole = scenario.leadsFirst === 'agent' ? 'owner' : 'follower';
    const deskSession: DeskSessionRow = {
      sessionId: created.id,
      tenantId,
      requestId,
      agentId: userId,
      scenario: row.scenario,
      settingsVersion: t.settingsVersion,
      startedAt: now,
      endedAt: null,
      endReason: null,
      channel: channelName(t.name, now),
    };
    this.o.store.addSession(deskSession);
    this.o.store.addStaff(tenantId, {
      sessionId: created.id,
      userId,
      kind: 'lead',
      joinedAt: now,
      bargedAt: null,
    });
    this.o.store.updateRequest(
      tenantId,
      requestId,
      { status: 'placed', sessionId: created.id, agentId: userId },
      now,
    );
    this.track(t, deskSession, [userId]);
    const sessions = t.group.agent(userId)?.sessions ?? 0;
    if (sessions > 1)
      await this.alert(t, 'multiple-sessions', `${t.names.get(userId) ?? userId} is in ${sessions} sessions`);
    this.apply(t, { offers: [], withdrawn: [] });
    return {
      sessionId: created.id,
      viewerUrl: this.viewerUrl(
        created.id,
        { role: agentRole, seat: agentSeat(userId) },
        t.names.get(userId) ?? 'Agent',
      ),
    };
  }

  async decline(tenantId: string, userId: string, requestId: string): Promise<void> {
    const t = await this.tenant(tenantId);
    if (t.group.offerFor(requestId)?.agentId !== userId)
      throw new QueueError(409, 'offer-gone', 'this offer is no longer yours');
    this.apply(t, t.group.decline(requestId, userId, this.now()));
  }

  async calendar(tenantId: string, userId: string): Promise<CalendarEntry[]> {
    const t = await this.tenant(tenantId);
    return this.o.store.calendar(tenantId, userId, this.now() - 60 * 60_000).map((r) => ({
      id: r.id,
      name: r.name,
      question: r.question,
      from: r.fromUrl,
      scheduledAt: r.scheduledAt ?? 0,
      viewerUrl: this.viewerUrl(
        r.sessionId ?? '',
        {
          role: t.settings.scenarios[r.scenario].leadsFirst === 'agent' ? 'owner' : 'follower',
          seat: agentSeat(userId),
        },
        t.names.get(userId) ?? 'Agent',
      ),
    }));
  }

  /** The agent in charge ends the session for everyone. */
  async end(tenantId: string, userId: string, sessionId: string): Promise<void> {
    const t = await this.tenant(tenantId);
    const s = t.sessions.get(sessionId);
    if (!s?.agents.has(userId))
      throw new QueueError(404, 'unknown-session', 'no open session of yours by this id');
    this.finish(t, sessionId, 'agent-ended');
  }

  /** Brings another agent in: as a second agent (conference) or in charge instead (transfer). */
  async invite(
    tenantId: string,
    userId: string,
    sessionId: string,
    targetId: string,
    mode: 'transfer' | 'conference',
  ): Promise<{ sessionId: string; userId: string; mode: string }> {
    const t = await this.tenant(tenantId);
    const s = t.sessions.get(sessionId);
    if (!s?.agents.has(userId))
      throw new QueueError(404, 'unknown-session', 'no open session of yours by this id');
    const users = await this.o.directory.users(tenantId);
    const target = users.find((u) => u.id === targetId && takesOffers(u));
    if (!target || s.agents.has(targetId))
      throw new QueueError(404, 'unknown-user', 'no other agent by this id');
    const now = this.now();
    const leadRole = t.settings.scenarios[s.row.scenario].leadsFirst === 'agent' ? 'owner' : 'follower';
    if (mode === 'transfer') {
      this.o.store.setLead(tenantId, sessionId, targetId);
      this.o.store.addStaff(tenantId, {
        sessionId,
        userId: targetId,
        kind: 'lead',
        joinedAt: now,
        bargedAt: null,
      });
      s.row = { ...s.row, agentId: targetId };
      s.agents.delete(userId);
      this.apply(t, t.group.sessionEnded(userId, now, false));
    } else {
      this.o.store.addStaff(tenantId, {
        sessionId,
        userId: targetId,
        kind: 'conference',
        joinedAt: now,
        bargedAt: null,
      });
    }
    await this.refreshProfile(t, targetId);
    s.agents.add(targetId);
    t.group.sessionStarted(targetId, false);
    const role = mode === 'transfer' ? leadRole : 'follower';
    this.o.listener.toAgent(tenantId, targetId, {
      type: 'invite',
      sessionId,
      mode,
      from: t.names.get(userId) ?? 'An agent',
      viewerUrl: this.viewerUrl(sessionId, { role, seat: agentSeat(targetId) }, target.name),
    });
    this.o.listener.changed(tenantId);
    return { sessionId, userId: targetId, mode };
  }

  // ---- supervisors ----------------------------------------------------------------------------

  async board(tenantId: string): Promise<Board> {
    const t = await this.tenant(tenantId);
    const now = this.now();
    const sessionsOf = new Map<string, string[]>();
    for (const [id, s] of t.sessions)
      for (const a of s.agents) sessionsOf.set(a, [...(sessionsOf.get(a) ?? []), id]);
    const queue = t.group.waiting();
    const alerts = await this.o.directory.alerts(tenantId, BOARD_ALERTS);
    return {
      agents: t.group.allAgents().map((a) => ({
        id: a.id,
        name: t.names.get(a.id) ?? a.id,
        state: a.state,
        since: t.since.get(a.id) ?? 0,
        sessions: sessionsOf.get(a.id) ?? [],
      })),
      queue: queue.map((r) => ({
        id: r.id,
        waitingSince: r.waitingSince,
        skill: r.skill,
        name: this.o.store.getRequest(t.id, r.id)?.name ?? null,
      })),
      longestWaitSeconds: queue[0] ? Math.floor((now - queue[0].waitingSince) / 1000) : 0,
      sessions: [...t.sessions].map(([id, s]) => ({
        id,
        channel: s.channel,
        agentId: s.row.agentId,
        startedAt: s.row.startedAt,
        monitors: [...s.monitors],
      })),
      alerts,
    };
  }

  /** A supervisor joins a session as a hidden monitor. */
  async watch(
    tenantId: string,
    userId: string,
    name: string,
    sessionId: string,
  ): Promise<{ viewerUrl: string; monitorNotice: boolean }> {
    const t = await this.tenant(tenantId);
    const s = t.sessions.get(sessionId);
    if (!s) throw new QueueError(404, 'unknown-session', 'no open session by this id');
    if (!s.monitors.has(userId)) {
      this.o.store.addStaff(tenantId, {
        sessionId,
        userId,
        kind: 'monitor',
        joinedAt: this.now(),
        bargedAt: null,
      });
      s.monitors.add(userId);
    }
    this.o.listener.changed(tenantId);
    return {
      viewerUrl: this.viewerUrl(sessionId, { role: 'follower', seat: monitorSeat(userId) }, name),
      monitorNotice: t.settings.monitorNotice,
    };
  }

  /** The monitor becomes visible to everyone in the session. */
  async barge(
    tenantId: string,
    userId: string,
    name: string,
    sessionId: string,
  ): Promise<{ viewerUrl: string }> {
    const t = await this.tenant(tenantId);
    if (!t.sessions.get(sessionId)?.monitors.has(userId))
      throw new QueueError(404, 'not-watching', 'watch the session first');
    this.o.store.barge(tenantId, sessionId, userId, this.now());
    const room = this.o.rooms.get(sessionId);
    for (const pid of this.live.get(sessionId)?.seats.get(monitorSeat(userId)) ?? []) room?.reveal(pid);
    this.o.listener.changed(tenantId);
    return { viewerUrl: this.viewerUrl(sessionId, { role: 'follower', seat: monitorSeat(userId) }, name) };
  }

  // ---- the session's participants ------------------------------------------------------------

  /**
   * Whether a participant may connect, and whether hidden. A desk session that has ended admits
   * nobody; a scheduled one starts when its first participant arrives.
   */
  async admit(session: SessionRow, p: ParticipantRow): Promise<{ admitted: boolean; hidden: boolean }> {
    if (!p.seat) return { admitted: true, hidden: false };
    const t = await this.tenant(session.tenantId);
    let row = this.o.store.getSession(t.id, session.id);
    if (!row) row = await this.startScheduled(t, session.id);
    if (!row || row.endedAt !== null) return { admitted: false, hidden: false };
    const userId = p.seat.startsWith('monitor:') ? p.seat.slice('monitor:'.length) : null;
    const barged =
      userId !== null &&
      this.o.store.staffOf(t.id, session.id).some((s) => s.userId === userId && s.bargedAt !== null);
    return { admitted: true, hidden: userId !== null && !barged };
  }

  connected(session: SessionRow, p: ParticipantRow): void {
    if (!p.seat) return;
    let l = this.live.get(session.id);
    if (!l) {
      l = { tenantId: session.tenantId, seats: new Map(), visitorsSeen: false, endTimer: null };
      this.live.set(session.id, l);
    }
    const set = l.seats.get(p.seat) ?? new Set();
    set.add(p.id);
    l.seats.set(p.seat, set);
    if (p.seat === VISITOR_SEAT) l.visitorsSeen = true;
  }

  /**
   * A participant's last socket closed: the session ends if the agent in charge or the last visitor
   * stays away for the grace period, counted from the latest departure. An agent who has not arrived
   * yet (just handed the session) is not missing.
   */
  disconnected(sessionId: string): void {
    const l = this.live.get(sessionId);
    if (!l) return;
    if (l.endTimer) clearTimeout(l.endTimer);
    l.endTimer = setTimeout(() => {
      l.endTimer = null;
      void this.tenant(l.tenantId).then((t) => {
        const s = t.sessions.get(sessionId);
        if (!s) return;
        const room = this.o.rooms.get(sessionId);
        const present = (seat: string) =>
          [...(l.seats.get(seat) ?? [])].some((pid) => room?.isConnected(pid));
        const lead = agentSeat(s.row.agentId);
        if (l.seats.has(lead) && !present(lead)) this.finish(t, sessionId, 'agent-left');
        else if (l.visitorsSeen && !present(VISITOR_SEAT)) this.finish(t, sessionId, 'visitors-left');
      });
    }, this.o.leaveGraceMs);
    l.endTimer.unref();
  }

  // ---- internals ------------------------------------------------------------------------------

  private tenant(tenantId: string): Promise<TenantDesk> {
    let t = this.tenants.get(tenantId);
    if (!t) {
      t = this.load(tenantId);
      this.tenants.set(tenantId, t);
      t.catch(() => this.tenants.delete(tenantId));
    }
    return t.then((d) => this.refreshSettings(d));
  }

  /** Builds a tenant's live queue from what the store recorded, so a restart loses no one. */
  private async load(tenantId: string): Promise<TenantDesk> {
    const [{ version, settings }, users] = await Promise.all([
      this.o.directory.settingsOf(tenantId),
      this.o.directory.users(tenantId),
    ]);
    const tenantName = await this.o.directory.tenantName(tenantId);
    const group = new HuntGroup(huntSettings(settings));
    const t: TenantDesk = {
      id: tenantId,
      name: tenantName,
      group,
      settings,
      settingsVersion: version,
      names: new Map(),
      since: new Map(),
      sessions: new Map(),
      overTarget: new Set(),
      expiry: null,
    };
    const states = new Map(this.o.store.currentStates(tenantId).map((s) => [s.userId, s]));
    const now = this.now();
    for (const u of users) {
      t.names.set(u.id, u.name);
      if (!takesOffers(u)) continue;
      const s = states.get(u.id);
      group.upsertAgent(
        {
          id: u.id,
          state: s?.state ?? 'not-ready',
          idleSince: s?.at ?? now,
          skills: u.skills,
          sessions: 0,
          maxSessions: u.maxSessions,
        },
        now,
      );
      if (s) t.since.set(u.id, s.at);
    }
    for (const row of this.o.store.openSessions(tenantId)) {
      const staff = this.o.store.staffOf(tenantId, row.sessionId);
      const agents = staff.filter((s) => s.kind === 'conference').map((s) => s.userId);
      this.track(t, row, [row.agentId, ...agents]);
      group.sessionStarted(row.agentId);
      for (const a of agents) group.sessionStarted(a, false);
      for (const m of staff) if (m.kind === 'monitor') t.sessions.get(row.sessionId)?.monitors.add(m.userId);
    }
    let offers: Dispatch = { offers: [], withdrawn: [] };
    for (const r of this.o.store.openRequests(tenantId))
      offers = merge(offers, group.add({ id: r.id, skill: r.skill, waitingSince: r.createdAt }, now));
    // Offers made again after a restart are announced and timed like any other.
    this.apply(t, offers);
    return t;
  }

  private async refreshSettings(t: TenantDesk): Promise<TenantDesk> {
    const { version, settings } = await this.o.directory.settingsOf(t.id);
    if (version !== t.settingsVersion) {
      t.settings = settings;
      t.settingsVersion = version;
      this.apply(t, t.group.configure(huntSettings(settings), this.now()));
    }
    return t;
  }

  /** An agent's skills and session limit as the admin last set them. */
  private async refreshProfile(t: TenantDesk, userId: string): Promise<void> {
    const u = (await this.o.directory.users(t.id)).find((x) => x.id === userId);
    if (!u || !takesOffers(u)) throw new QueueError(403, 'not-an-agent', 'only agents take visitors');
    t.names.set(u.id, u.name);
    this.apply(
      t,
      t.group.upsertAgent(
        {
          id: u.id,
          state: 'not-ready',
          idleSince: this.now(),
          skills: u.skills,
          sessions: 0,
          maxSessions: u.maxSessions,
        },
        this.now(),
      ),
    );
  }

  private track(t: TenantDesk, row: DeskSessionRow, agents: string[]): void {
    t.sessions.set(row.sessionId, {
      row,
      channel: row.channel,
      agents: new Set(agents),
      monitors: new Set(),
    });
  }

  private finish(t: TenantDesk, sessionId: string, reason: string): void {
    const s = t.sessions.get(sessionId);
    if (!s) return;
    const now = this.now();
    t.sessions.delete(sessionId);
    this.o.store.endSession(t.id, sessionId, now, reason);
    const live = this.live.get(sessionId);
    if (live?.endTimer) clearTimeout(live.endTimer);
    this.live.delete(sessionId);
    this.o.rooms.get(sessionId)?.closeAll(ENDED_CLOSE_CODE, 'the session has ended');
    let d: Dispatch = { offers: [], withdrawn: [] };
    for (const a of s.agents) {
      const lead = a === s.row.agentId;
      d = merge(d, t.group.sessionEnded(a, now, lead, lead ? now - s.row.startedAt : null));
    }
    this.apply(t, d);
  }

  /** A scheduled request's session becomes a desk session when its first participant arrives. */
  private async startScheduled(t: TenantDesk, sessionId: string): Promise<DeskSessionRow | undefined> {
    const request = this.o.store.requestBySession(t.id, sessionId);
    if (request?.status !== 'scheduled' || !request.agentId) return undefined;
    const now = this.now();
    const row: DeskSessionRow = {
      sessionId,
      tenantId: t.id,
      requestId: request.id,
      agentId: request.agentId,
      scenario: request.scenario,
      settingsVersion: t.settingsVersion,
      startedAt: now,
      endedAt: null,
      endReason: null,
      channel: channelName(t.name, now),
    };
    this.o.store.addSession(row);
    this.o.store.addStaff(t.id, {
      sessionId,
      userId: request.agentId,
      kind: 'lead',
      joinedAt: now,
      bargedAt: null,
    });
    this.o.store.updateRequest(t.id, request.id, { status: 'placed' }, now);
    this.track(t, row, [request.agentId]);
    t.group.sessionStarted(request.agentId);
    this.apply(t, { offers: [], withdrawn: [] });
    return row;
  }

  private async schedule(t: TenantDesk, row: DeskRequestRow, at: number): Promise<void> {
    const users = (await this.o.directory.users(t.id)).filter(takesOffers);
    const agentId = chooseScheduledAgent(
      users.map((u) => ({ id: u.id, skills: u.skills })),
      this.o.store.scheduledBetween(t.id, at - 24 * 60 * 60_000, at + 24 * 60 * 60_000),
      row.skill,
      at,
    );
    if (!agentId) throw new QueueError(409, 'no-slot', 'no agent is free at that time; choose another');
    const scenario = t.settings.scenarios[row.scenario];
    const created = await this.o.sessions.create(
      t.id,
      row.fromUrl,
      scenario.batonPolicy,
      scenario.liveTyping,
    );
    const now = this.now();
    this.o.store.updateRequest(
      t.id,
      row.id,
      { status: 'scheduled', sessionId: created.id, agentId, scheduledAt: at },
      now,
    );
    this.apply(t, t.group.remove(row.id, now));
    this.o.listener.toAgent(t.id, agentId, { type: 'calendar' });
  }

  private async view(t: TenantDesk, requestId: string): Promise<RequestView> {
    const row = this.o.store.getRequest(t.id, requestId);
    const base = { monitorNotice: t.settings.monitorNotice };
    if (!row) throw new QueueError(404, 'unknown-request', 'no such request');
    if (t.group.isQueued(requestId)) {
      const wait = t.group.expectedWaitMs(requestId);
      return {
        ...base,
        status: t.group.offerFor(requestId) ? 'offered' : row.status,
        position: t.group.position(requestId),
        expectedWaitSeconds: wait === null ? null : Math.ceil(wait / 1000),
      };
    }
    const leads = t.settings.scenarios[row.scenario].leadsFirst === 'visitor';
    const joinUrl = row.sessionId
      ? this.viewerUrl(
          row.sessionId,
          { role: leads ? 'owner' : 'follower', seat: VISITOR_SEAT },
          row.name ?? 'Visitor',
        )
      : undefined;
    return {
      ...base,
      status: row.status,
      position: null,
      expectedWaitSeconds: null,
      ...(joinUrl && (row.status === 'placed' || row.status === 'scheduled') ? { joinUrl } : {}),
      ...(row.scheduledAt !== null ? { scheduledAt: row.scheduledAt } : {}),
    };
  }

  private viewerUrl(sessionId: string, seat: Seat, name: string): string {
    const key = this.o.sessions.seatKeyFor(sessionId, seat);
    return `${this.o.publicOrigin}/s/${encodeURIComponent(sessionId)}?key=${encodeURIComponent(key)}&name=${encodeURIComponent(name)}`;
  }

  private offerFrame(t: TenantDesk, o: Offer): AgentFrame {
    const r = this.o.store.getRequest(t.id, o.requestId);
    return {
      type: 'offer',
      request: {
        id: o.requestId,
        name: r?.name ?? null,
        userId: r?.userId ?? null,
        question: r?.question ?? null,
        from: r?.fromUrl ?? '',
        waitingSince: r?.createdAt ?? 0,
      },
      expiresAt: o.expiresAt,
    };
  }

  /** Announces what a hunt-group event changed and re-arms the offer timer. */
  private apply(t: TenantDesk, d: Dispatch): void {
    for (const w of d.withdrawn)
      this.o.listener.toAgent(t.id, w.agentId, { type: 'offer-withdrawn', id: w.requestId });
    for (const o of d.offers) this.o.listener.toAgent(t.id, o.agentId, this.offerFrame(t, o));
    if (t.expiry) clearTimeout(t.expiry);
    t.expiry = null;
    const next = t.group.nextExpiry();
    if (next !== null) {
      t.expiry = setTimeout(() => this.lapse(t), Math.max(0, next - this.now()));
      t.expiry.unref();
    }
    this.o.listener.changed(t.id);
  }

  /** Offers not answered in time pass on, and the agents who let them lapse are set Not ready. */
  private lapse(t: TenantDesk): void {
    const now = this.now();
    const { lapsed, ...d } = t.group.expire(now);
    this.apply(t, d);
    for (const agentId of lapsed) {
      this.changeState(t, agentId, 'not-ready', now);
      this.o.listener.toAgent(t.id, agentId, {
        type: 'state',
        state: 'not-ready',
        since: now,
        reason: 'missed-offer',
      });
    }
  }

  private async checkWaits(): Promise<void> {
    const now = this.now();
    for (const pending of this.tenants.values()) {
      const t = await pending.catch(() => null);
      if (!t) continue;
      const target = t.settings.waitTargetSeconds * 1000;
      const over = t.group.waiting().filter((r) => now - r.waitingSince > target && !t.overTarget.has(r.id));
      for (const r of over) {
        t.overTarget.add(r.id);
        await this.alert(
          t,
          'wait-over-target',
          `a visitor has waited more than ${t.settings.waitTargetSeconds} s (request ${r.id})`,
        );
      }
      if (over.length > 0) this.o.listener.changed(t.id);
    }
  }

  private async alert(t: TenantDesk, kind: string, detail: string): Promise<void> {
    await this.o.directory.recordAlert(t.id, kind, detail);
  }
}

function huntSettings(s: DeskSettings) {
  return { offerTimeoutMs: s.offerTimeoutSeconds * 1000, seatCap: s.seatCap };
}

function takesOffers(u: DeskUserView): boolean {
  return u.role === 'agent' && !u.disabled;
}

function merge(a: Dispatch, b: Dispatch): Dispatch {
  return { offers: [...a.offers, ...b.offers], withdrawn: [...a.withdrawn, ...b.withdrawn] };
}

/** A session's human name: the company and when it started, e.g. `Acme 2026-11-28 19:30:05`. */
export function channelName(tenantName: string, at: number): string {
  return `${tenantName} ${new Date(at).toISOString().slice(0, 19).replace('T', ' ')}`;
}
