/**
 * The queue and hunt group of one tenant, without I/O or clocks: every method takes the time it
 * happens at and answers what changed, so the desk service persists and announces it and tests can
 * drive any order of events.
 */

export type AgentState = 'ready' | 'not-ready' | 'away' | 'break';

export interface HuntAgent {
  id: string;
  state: AgentState;
  /** Since when the agent has been free: the later of going Ready and finishing their last session. */
  idleSince: number;
  skills: readonly string[];
  /** Desk sessions the agent is in now. */
  sessions: number;
  /** How many sessions at once the agent takes; above 1 they may be offered one while in another. */
  maxSessions: number;
}

export interface QueuedRequest {
  id: string;
  /** The skill group the link named, or null for anyone. */
  skill: string | null;
  waitingSince: number;
}

export interface Offer {
  requestId: string;
  agentId: string;
  expiresAt: number;
}

export interface HuntSettings {
  /** How long an agent has to accept before the request passes on. */
  offerTimeoutMs: number;
  /** How many desk sessions the tenant may have at once. */
  seatCap: number;
}

/** What one event changed: offers made, and offers taken back (expired, declined or withdrawn). */
export interface Dispatch {
  offers: Offer[];
  withdrawn: Offer[];
}

/** How long a session lasts when the desk has not seen any end yet. */
const DEFAULT_HANDLE_MS = 5 * 60_000;
/** The weight of the newest session in the moving average of how long sessions last. */
const HANDLE_SMOOTHING = 0.2;

interface Waiting extends QueuedRequest {
  declinedBy: Set<string>;
  offer: Offer | null;
}

export class HuntGroup {
  private readonly agents = new Map<string, HuntAgent>();
  /** Oldest first: requests are offered in the order they arrived. */
  private readonly queue: Waiting[] = [];
  private readonly offerOf = new Map<string, Offer>();
  private seatsInUse = 0;
  /** When agents became idle in the same millisecond, who did first: the order of events, not of ids. */
  private readonly idleOrder = new Map<string, number>();
  private idleEvents = 0;
  private handleMs = DEFAULT_HANDLE_MS;

  constructor(private settings: HuntSettings) {}

  configure(settings: HuntSettings, now: number): Dispatch {
    this.settings = settings;
    return this.dispatch(now, []);
  }

  /** Adds or updates an agent's profile (skills, max sessions) without touching state or idle time. */
  upsertAgent(agent: HuntAgent, now: number): Dispatch {
    const known = this.agents.get(agent.id);
    if (!known) this.idleOrder.set(agent.id, ++this.idleEvents);
    this.agents.set(
      agent.id,
      known ? { ...known, skills: agent.skills, maxSessions: agent.maxSessions } : { ...agent },
    );
    return this.dispatch(now, []);
  }

  agent(id: string): Readonly<HuntAgent> | undefined {
    return this.agents.get(id);
  }

  allAgents(): ReadonlyArray<Readonly<HuntAgent>> {
    return [...this.agents.values()];
  }

  /**
   * An agent changes state. Going Ready starts their idle time; leaving Ready takes back an offer
   * they had not answered.
   */
  setState(agentId: string, state: AgentState, now: number): Dispatch {
    const agent = this.agents.get(agentId);
    if (!agent || agent.state === state) return { offers: [], withdrawn: [] };
    agent.state = state;
    if (state === 'ready') this.becameIdle(agent, now);
    const withdrawn: Offer[] = [];
    if (state !== 'ready') {
      const held = this.heldBy(agentId);
      if (held) withdrawn.push(this.takeBack(held));
    }
    return this.dispatch(now, withdrawn);
  }

  add(request: QueuedRequest, now: number): Dispatch {
    this.queue.push({ ...request, declinedBy: new Set(), offer: null });
    return this.dispatch(now, []);
  }

  /** The request leaves the queue (abandoned, scheduled); its offer, if any, is withdrawn. */
  remove(requestId: string, now: number): Dispatch {
    const i = this.queue.findIndex((r) => r.id === requestId);
    if (i < 0) return { offers: [], withdrawn: [] };
    const [request] = this.queue.splice(i, 1);
    const withdrawn = request?.offer ? [this.takeBack(request.offer)] : [];
    return this.dispatch(now, withdrawn);
  }

  /** The agent passes: the request goes to the next longest-idle agent and is never offered to them again. */
  decline(requestId: string, agentId: string, now: number): Dispatch {
    const offer = this.offerOf.get(requestId);
    if (!offer || offer.agentId !== agentId) return { offers: [], withdrawn: [] };
    this.findWaiting(requestId)?.declinedBy.add(agentId);
    return this.dispatch(now, [this.takeBack(offer)]);
  }

  /** Offers not answered in time pass on, like a decline; the agents who let them lapse are returned. */
  expire(now: number): Dispatch & { lapsed: string[] } {
    const late = [...this.offerOf.values()].filter((o) => o.expiresAt <= now);
    for (const o of late) this.findWaiting(o.requestId)?.declinedBy.add(o.agentId);
    const withdrawn = late.map((o) => this.takeBack(o));
    return { ...this.dispatch(now, withdrawn), lapsed: late.map((o) => o.agentId) };
  }

  /** The earliest time an offer lapses, so the caller knows when to call `expire`. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const o of this.offerOf.values()) if (next === null || o.expiresAt < next) next = o.expiresAt;
    return next;
  }

  /** Accepting takes the request out of the queue and puts the agent in a session. */
  accept(requestId: string, agentId: string, now: number): boolean {
    const offer = this.offerOf.get(requestId);
    if (!offer || offer.agentId !== agentId || offer.expiresAt <= now) return false;
    this.offerOf.delete(requestId);
    const i = this.queue.findIndex((r) => r.id === requestId);
    this.queue.splice(i, 1);
    this.sessionStarted(agentId);
    return true;
  }

  /** A session already under way when the desk (re)starts, or an agent brought into one. */
  sessionStarted(agentId: string, seat = true): void {
    const agent = this.agents.get(agentId);
    if (agent) agent.sessions++;
    if (seat) this.seatsInUse++;
  }

  /** An agent's part in a session is over: with no session left, they are idle from now. */
  sessionEnded(agentId: string, now: number, seat = true, lastedMs: number | null = null): Dispatch {
    const agent = this.agents.get(agentId);
    // An agent known to be in no session has none to end: no seat is freed either, or the count
    // would fall below the sessions under way and let the cap be passed. (An agent no longer known,
    // removed meanwhile, still gives back the seat.)
    if (agent?.sessions === 0) return this.dispatch(now, []);
    if (agent) {
      agent.sessions--;
      if (agent.sessions === 0) this.becameIdle(agent, now);
    }
    if (seat && this.seatsInUse > 0) this.seatsInUse--;
    if (lastedMs !== null) this.handleMs += HANDLE_SMOOTHING * (lastedMs - this.handleMs);
    return this.dispatch(now, []);
  }

  offerFor(requestId: string): Offer | undefined {
    return this.offerOf.get(requestId);
  }

  waiting(): ReadonlyArray<QueuedRequest> {
    return this.queue.map(({ id, skill, waitingSince }) => ({ id, skill, waitingSince }));
  }

  isQueued(requestId: string): boolean {
    return this.findWaiting(requestId) !== undefined;
  }

  /**
   * Whether a new request of this skill would find nobody: no Ready agent who could take it, or
   * the seat cap reached. The visitor is then given the overflow choices.
   */
  wouldOverflow(skill: string | null): boolean {
    if (this.seatsInUse >= this.settings.seatCap) return true;
    return ![...this.agents.values()].some((a) => a.state === 'ready' && hasSkill(a, skill));
  }

  /** 1 for the next to be served: requests of its skill ahead of it that no agent has been offered yet. */
  position(requestId: string): number | null {
    const i = this.queue.findIndex((r) => r.id === requestId);
    if (i < 0) return null;
    const skill = this.queue[i]?.skill ?? null;
    let ahead = 0;
    for (let j = 0; j < i; j++) {
      const r = this.queue[j];
      if (r?.skill === skill && r.offer === null) ahead++;
    }
    return ahead + 1;
  }

  /**
   * Position times how long sessions last, shared among the agents who serve this skill and are
   * at work (Ready or in a session); null when nobody is.
   */
  expectedWaitMs(requestId: string): number | null {
    const position = this.position(requestId);
    if (position === null) return null;
    const skill = this.findWaiting(requestId)?.skill ?? null;
    let serving = 0;
    for (const a of this.agents.values()) {
      if (hasSkill(a, skill) && (a.state === 'ready' || a.sessions > 0)) serving += a.maxSessions;
    }
    if (serving === 0) return null;
    const offered = this.offerOf.has(requestId);
    return offered ? 0 : Math.round((position * this.handleMs) / serving);
  }

  /**
   * Offers every request that can be offered, oldest first, each to the longest-idle eligible
   * agent: Ready, of the skill, under their session limit, holding no other offer, and not having
   * passed on it. Nothing is offered beyond the seat cap.
   */
  private dispatch(now: number, withdrawn: Offer[]): Dispatch {
    const offers: Offer[] = [];
    let seats = this.seatsInUse + this.offerOf.size;
    const holding = new Set<string>();
    for (const o of this.offerOf.values()) holding.add(o.agentId);
    const free = [...this.agents.values()]
      .filter((a) => a.state === 'ready' && a.sessions < a.maxSessions && !holding.has(a.id))
      .sort(
        (a, b) =>
          a.idleSince - b.idleSince || (this.idleOrder.get(a.id) ?? 0) - (this.idleOrder.get(b.id) ?? 0),
      );
    for (const request of this.queue) {
      if (seats >= this.settings.seatCap || free.length === 0) break;
      if (request.offer) continue;
      const i = free.findIndex((a) => hasSkill(a, request.skill) && !request.declinedBy.has(a.id));
      if (i < 0) continue;
      const [agent] = free.splice(i, 1) as [HuntAgent];
      const offer = {
        requestId: request.id,
        agentId: agent.id,
        expiresAt: now + this.settings.offerTimeoutMs,
      };
      request.offer = offer;
      this.offerOf.set(request.id, offer);
      offers.push(offer);
      seats++;
    }
    return { offers, withdrawn };
  }

  private becameIdle(agent: HuntAgent, now: number): void {
    agent.idleSince = now;
    this.idleOrder.set(agent.id, ++this.idleEvents);
  }

  private heldBy(agentId: string): Offer | undefined {
    for (const o of this.offerOf.values()) if (o.agentId === agentId) return o;
    return undefined;
  }

  private takeBack(offer: Offer): Offer {
    this.offerOf.delete(offer.requestId);
    const request = this.findWaiting(offer.requestId);
    if (request) request.offer = null;
    return offer;
  }

  private findWaiting(requestId: string): Waiting | undefined {
    return this.queue.find((r) => r.id === requestId);
  }
}

function hasSkill(agent: HuntAgent, skill: string | null): boolean {
  return skill === null || agent.skills.includes(skill);
}
