import type { ArchivedEvent, BatonPolicy } from '../store/types.js';
import { type Connection, Outgoing } from './connection.js';
import { keepStroke, type Stroke } from './drawing.js';
import { History, type HistoryEntry } from './history.js';
import { REMOVED_CLOSE_CODE } from './limits.js';
import { MaskCheck } from './mask-check.js';
import {
  type BatonState,
  type ClientMessage,
  type ControlMessage,
  type DirectMessage,
  type ErrorCode,
  isControl,
  type Ordered,
  type ParticipantInfo,
  type ParticipantRole,
  type RelayedMessage,
  type TabInfo,
} from './protocol.js';
import { TokenBucket } from './rate-limit.js';
import { firstTab, type RestoredTabs, restoreTabs, samePage } from './tab-state.js';
import { addVisit } from './visited.js';

export const MAIN_TAB = 't1';
/** A slow socket with more than this queued is closed; the client reconnects and resumes. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/**
 * A socket with more than this queued is lagging: of the messages a later one supersedes (pointers,
 * scrolls, typing) it is sent only the latest of each person's, once it has caught up, so what it still gets
 * is what matters and the others do not wait for it.
 */
const LAGGING_BYTES = 1024 * 1024;
/**
 * Which messages supersede each other: a pointer move is superseded by the next move or leave, a
 * scroll by the next scroll (each gives the whole position).
 */
const SUPERSEDED: ReadonlyMap<string, string> = new Map([
  ['pointer', 'pointer'],
  ['pointer.leave', 'pointer'],
  ['typing', 'typing'],
  ['scroll', 'scroll'],
]);
/**
 * What participants say to everyone (as opposed to the leader's page) costs one write per person in
 * the session, so a session shares a budget of such deliveries: a pair never notices it, a class of
 * thousands gets a few lines a second in total rather than a flood it could not read anyway.
 */
const SOCIAL_DELIVERIES_PER_SECOND = 200_000;
const SOCIAL_BURST = 2 * SOCIAL_DELIVERIES_PER_SECOND;
const SOCIAL = new Set([
  'chat',
  'typing',
  'pointer',
  'pointer.leave',
  'highlight',
  'highlight.clear',
  'stroke',
  'stroke.clear',
  'baton.request',
]);
/** Of those, what is superseded soon anyway is dropped quietly when over budget. */
const EPHEMERAL = new Set(['typing', 'pointer', 'pointer.leave']);
/**
 * Messages that keep an audience member in the audience: nobody else hears of them, or only the
 * hosts (a question carries the asker's name for them).
 */
const KEEPS_AUDIENCE = new Set(['resume', 'report', 'prefs', 'question']);
/** Open questions a room holds (every host gets them all on connecting), and one asker may have. */
const MAX_OPEN_QUESTIONS = 1000;
const MAX_OPEN_QUESTIONS_EACH = 5;
/** How often lagging sockets are checked for having caught up. */
const CATCH_UP_CHECK_MS = 100;
/** Chat lines kept for resuming; a socket that missed an older one gets a checkpoint instead. */
const HISTORY_SIZE = 5000;
/** Followers announced one by one before the rest join the audience (counted, not named). */
const STAGE_SIZE = 50;
/** The audience's size is told at most this often. */
const AUDIENCE_UPDATE_MS = 1000;
const CHAT_LINES_FOR_LATE_JOIN = 200;
/** rrweb's Meta event opens every full snapshot: a late joiner needs everything from the last one. */
const RRWEB_META = 4;
/** Past this much recording since the last full snapshot, the owner is asked for a fresh one. */
const CHECKPOINT_SNAPSHOT_BYTES = 4 * 1024 * 1024;
/** More tabs than this in one session is a page opening windows in a loop, not people browsing. */
const MAX_TABS = 20;

/** One tab: what everyone is told of it, and what the server keeps to bring a late joiner up to date. */
interface Tab {
  info: TabInfo;
  /** Serialised recorder messages since the last full snapshot: the late-join checkpoint. */
  checkpoint: HistoryEntry[];
  checkpointBytes: number;
  maskCheck: MaskCheck;
  snapshotRequested: boolean;
}

function newTab(id: string, owner: string | null, url: string | null, baton: BatonState): Tab {
  return tabOf({ ...firstTab(id, url), owner, baton });
}

/** A tab as the room keeps it; its recording starts with the owner's next full snapshot. */
function tabOf(info: TabInfo): Tab {
  return {
    info,
    checkpoint: [],
    checkpointBytes: 0,
    maskCheck: new MaskCheck(),
    snapshotRequested: false,
  };
}

interface Member {
  info: ParticipantInfo;
  connections: Set<Connection>;
  /** In the audience of a large room: present, but not announced to everyone one by one. */
  audience: boolean;
  /** A monitor watching silently: not announced, not listed, and limited to private lines. */
  hidden: boolean;
  /** While connected: since when their connected time has not been counted for the ledger. */
  countedUntil: number | null;
}

interface RoomSocket {
  id: string;
  conn: Connection;
}

/** Archived but delivered to no one: an audience member's or a monitor's arrival or departure. */
const NOBODY: ReadonlySet<string> = new Set();

/** What a hidden monitor may send: whispers, and what keeps their own connection going. */
const HIDDEN_MAY_SEND: ReadonlySet<string> = new Set(['chat', 'resume', 'report']);

type Distributive<T> = T extends unknown ? Omit<T, keyof Ordered> : never;
type Unordered = Distributive<RelayedMessage>;

export interface RoomLog {
  warn(fields: object, message: string): void;
}

/** One ordered event as the journal keeps it (`body` is the exact text participants receive); the journal adds the hash. */
export type JournalEvent = Omit<ArchivedEvent, 'hash'>;

/**
 * Where ordered events become durable. Nothing is delivered before everything appended ahead of it
 * is committed, so a sender's echo is its acknowledgement and no one sees an event a crash can lose.
 */
export interface RoomJournal {
  append(event: JournalEvent): void;
  /**
   * Runs `deliver` once everything appended so far is committed (at once when nothing is waiting);
   * never, if the session's events could not be committed.
   */
  after(deliver: () => void, sessionId: string): void;
}

/** For rooms without an archive (unit tests): delivery is immediate. */
export const UNJOURNALED: RoomJournal = { append() {}, after: (deliver) => deliver() };

/** What a room makes last beyond itself: removals and the lock. */
export interface SessionRecords {
  /** Answers whether the session's invite link had to be replaced to keep them out. */
  remove(participantId: string): Promise<{ inviteReplaced: boolean }>;
  setLocked(sessionId: string, locked: boolean): Promise<void>;
  /** Spans of time (epoch ms, from and to) participants were connected, for the ledger. */
  attended(sessionId: string, spans: ReadonlyArray<readonly [number, number]>): Promise<void>;
}

export interface RoomOptions {
  startUrl: string | null;
  log: RoomLog;
  now?: () => number;
  /** The last seq the session used before this room (from the archive after a restart). */
  lastSeq?: number;
  journal?: RoomJournal;
  batonPolicy?: BatonPolicy;
  records?: SessionRecords;
  /** Locked by a host: nobody new comes in with the invite link. */
  locked?: boolean;
  /** Relay the line being typed with each typing message. */
  liveTyping?: boolean;
  /** The tabs as the session left them (after a restart); a new session has one, `t1`. */
  tabs?: RestoredTabs;
  /** Chat lines archived before this room opened, oldest first, as participants received them. */
  chat?: ReadonlyArray<{ seq: number; body: string }>;
  /** How many people are announced one by one; followers beyond them join the audience. */
  stageSize?: number;
}

export interface ParticipantRecord {
  id: string;
  name: string;
  role: ParticipantRole;
  /** Joins as a hidden monitor (the desk's silent watch). */
  hidden?: boolean;
}

/**
 * One live session on this node: who is in it, the tab and its owner, the baton, and the single
 * ordered stream every participant sees. All methods are synchronous so ordering is exactly the
 * order in which the event loop delivers frames.
 */
export class Room {
  private seq = 0;
  private readonly members = new Map<string, Member>();
  /** Everyone announced one by one, connected or not: what a welcome lists. */
  private readonly stage = new Set<Member>();
  private stageConnected = 0;
  private audienceConnected = 0;
  private audienceAnnounced = 0;
  private audienceTimer: NodeJS.Timeout | null = null;
  private readonly stageSize: number;
  private readonly socialBudget: TokenBucket;
  private readonly history = new History(HISTORY_SIZE);
  /** Questions no host has shown or dismissed yet, by seq: hosts and the asker get them on connect. */
  private readonly questions = new Map<number, { asker: string; text: string; entry: HistoryEntry }>();
  /** Open tabs in the order they were opened; the first one is what a message without `tab` means. */
  private readonly tabs = new Map<string, Tab>();
  /** Tab ids are `t<n>` and never reused: the highest n so far. */
  private tabsOpened: number;
  /** The tab the people in control are looking at: where followers' viewers go unless they look elsewhere. */
  private activeTab: string;
  /**
   * Per connection, the seq its checkpoint was taken at (what it got as state, not as messages) and
   * the first chat line the checkpoint carried.
   */
  private readonly checkpointOf = new WeakMap<Connection, { seq: number; chatFrom: number }>();
  /** For each lagging socket, the latest superseding message held per kind and person. */
  private readonly held = new Map<Connection, Map<string, Outgoing>>();
  /** Every open socket with its participant; null once someone connects or leaves, until needed. */
  private sockets: readonly RoomSocket[] | null = null;
  private catchUp: NodeJS.Timeout | null = null;
  private readonly log: RoomLog;
  private readonly now: () => number;
  private readonly journal: RoomJournal;
  private readonly batonPolicy: BatonPolicy;
  private readonly records: SessionRecords | null;
  private locked: boolean;
  /** Connected time counted and not yet handed to the ledger. */
  private uncountedSpans: Array<[number, number]> = [];
  private readonly liveTyping: boolean;
  /** Connections that asked not to get their own `location` back. */
  private readonly quietLocation = new WeakSet<Connection>();
  /** Removed by the host: their sockets are turned away even before the store knows. */
  private readonly removed = new Set<string>();

  constructor(
    readonly id: string,
    options: RoomOptions,
  ) {
    const restored = options.tabs ?? restoreTabs(options.startUrl, []);
    for (const info of restored.tabs) this.tabs.set(info.id, tabOf(info));
    this.activeTab = restored.activeTab;
    this.tabsOpened = restored.opened;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.seq = options.lastSeq ?? 0;
    this.journal = options.journal ?? UNJOURNALED;
    this.batonPolicy = options.batonPolicy ?? 'support';
    this.records = options.records ?? null;
    this.locked = options.locked ?? false;
    this.liveTyping = options.liveTyping ?? false;
    this.stageSize = options.stageSize ?? STAGE_SIZE;
    this.socialBudget = new TokenBucket(SOCIAL_BURST, SOCIAL_DELIVERIES_PER_SECOND, this.now());
    for (const line of options.chat ?? []) {
      const { from, to } = JSON.parse(line.body) as { from: string; to?: string[] };
      const only = to ? new Set([from, ...to]) : null;
      this.history.push({ seq: line.seq, type: 'chat', skip: null, only, forOne: null, text: line.body });
    }
  }

  /** The first tab: what messages without a `tab` are about. */
  private get firstTab(): Tab {
    const first = this.tabs.values().next().value;
    if (!first) throw new Error('a room always has a tab');
    return first;
  }

  /** The first tab's owner. */
  get tabOwner(): string | null {
    return this.firstTab.info.owner;
  }

  /** The first tab's baton. */
  get batonState(): Readonly<BatonState> {
    return this.firstTab.info.baton;
  }

  /** The first tab's address. */
  get currentUrl(): string | null {
    return this.firstTab.info.url;
  }

  get tabIds(): string[] {
    return [...this.tabs.keys()];
  }

  tabInfo(id: string): Readonly<TabInfo> | undefined {
    return this.tabs.get(id)?.info;
  }

  /** Whether the participant's browser runs a live page of this session (and so may go upstream). */
  isTabOwner(participantId: string): boolean {
    for (const t of this.tabs.values()) if (t.info.owner === participantId) return true;
    return false;
  }

  connect(p: ParticipantRecord, conn: Connection): void {
    if (this.removed.has(p.id))
      return conn.close(REMOVED_CLOSE_CODE, 'the host removed you from this session');
    let member = this.members.get(p.id);
    const first = !member || member.connections.size === 0;
    if (!member) {
      // A class of thousands would otherwise send everyone thousands of arrivals and a welcome
      // listing them all: past the stage, followers are counted, not announced.
      const hidden = p.hidden === true;
      const audience = !hidden && p.role === 'follower' && this.stageConnected >= this.stageSize;
      member = {
        info: { id: p.id, name: p.name, role: p.role, connected: true },
        connections: new Set(),
        audience,
        hidden,
        countedUntil: null,
      };
      this.members.set(p.id, member);
      if (!audience && !hidden) this.stage.add(member);
    }
    member.connections.add(conn);
    this.sockets = null;
    member.info.connected = true;
    if (first) member.countedUntil = this.now();
    // Everyone else hears of the change first; the newcomer's welcome then already contains it, so
    // the welcome is always the first thing a connection receives.
    if (first) {
      this.countPresence(member, 1);
      this.relay(
        p.id,
        { type: 'joined', participant: { ...member.info } },
        member.audience || member.hidden ? { only: NOBODY } : { except: conn },
      );
      if (!member.hidden && p.role === 'owner') {
        for (const t of this.tabs.values()) if (t.info.owner === null) this.assignTabOwner(t, p.id, conn);
      }
    }
    this.sendCheckpoint(member, conn);
  }

  disconnect(participantId: string, conn: Connection): void {
    this.held.delete(conn);
    const member = this.members.get(participantId);
    if (!member?.connections.delete(conn)) return;
    this.sockets = null;
    if (member.connections.size > 0) return;
    this.countAttendanceOf([member]);
    member.countedUntil = null;
    member.info.connected = false;
    this.countPresence(member, -1);
    this.relay(
      participantId,
      { type: 'left', participant: participantId },
      member.audience || member.hidden ? { only: NOBODY } : {},
    );
    if (member.hidden) return;
    const next = [...this.stage].find((m) => m.info.connected && m.info.role === 'owner');
    for (const t of this.tabs.values()) {
      if (t.info.owner === participantId) this.assignTabOwner(t, next ? next.info.id : null);
      if (t.info.baton.holder === participantId) this.setBaton(t, participantId, t.info.owner);
    }
  }

  /** Hidden monitors count with the stage: they are few, and keep the room open while they watch. */
  private countPresence(member: Member, change: 1 | -1): void {
    if (!member.audience) {
      this.stageConnected += change;
      return;
    }
    this.audienceConnected += change;
    if (this.audienceTimer) return;
    this.audienceTimer = setTimeout(() => {
      this.audienceTimer = null;
      if (this.audienceConnected === this.audienceAnnounced) return;
      this.audienceAnnounced = this.audienceConnected;
      this.relay('server', { type: 'audience', count: this.audienceConnected });
    }, AUDIENCE_UPDATE_MS);
    this.audienceTimer.unref();
  }

  /** Someone in the audience speaks up or is handed the baton: from now on everyone knows them. */
  private promote(member: Member): void {
    if (!member.audience) return;
    this.countPresence(member, -1);
    member.audience = false;
    this.stage.add(member);
    this.countPresence(member, 1);
    this.relay(member.info.id, { type: 'joined', participant: { ...member.info } }, { skip: member.info.id });
  }

  isConnected(participantId: string): boolean {
    return this.members.get(participantId)?.info.connected === true;
  }

  /** A hidden monitor barges in: from now on everyone sees them and they may do what a follower does. */
  reveal(participantId: string): void {
    const member = this.members.get(participantId);
    if (!member?.hidden) return;
    member.hidden = false;
    this.stage.add(member);
    if (member.info.connected) this.relay(participantId, { type: 'joined', participant: { ...member.info } });
  }

  /**
   * Hands the ledger everyone's connected time not handed over yet; the node does this every
   * minute, so a crash loses at most that much. Those who left meanwhile are in it too: a class of
   * thousands leaving at once costs one write, not one each.
   */
  countAttendance(): void {
    this.countAttendanceOf(this.members.values());
    const spans = this.uncountedSpans;
    if (spans.length === 0 || !this.records) return;
    this.uncountedSpans = [];
    this.records.attended(this.id, spans).catch((err: Error) => {
      this.log.warn({ room: this.id, err: err.message }, 'connected time could not be counted');
    });
  }

  private countAttendanceOf(members: Iterable<Member>): void {
    const now = this.now();
    for (const m of members) {
      if (m.countedUntil === null || m.countedUntil >= now) continue;
      this.uncountedSpans.push([m.countedUntil, now]);
      m.countedUntil = now;
    }
  }

  get connectedCount(): number {
    return this.stageConnected + this.audienceConnected;
  }

  closeAll(code: number, reason: string): void {
    // Before anyone is closed out: a clean stop loses none of their time, and counts it once.
    this.countAttendance();
    for (const m of this.members.values()) m.countedUntil = null;
    if (this.catchUp) clearInterval(this.catchUp);
    this.catchUp = null;
    if (this.audienceTimer) clearTimeout(this.audienceTimer);
    this.audienceTimer = null;
    this.held.clear();
    for (const m of this.members.values()) for (const c of m.connections) c.close(code, reason);
  }

  /** Handles one validated message from an authenticated participant. */
  receive(from: string, conn: Connection, msg: ClientMessage): void {
    const member = this.members.get(from);
    if (!member) return this.reject(conn, 'unknown-participant', 'join the session first', msg.type);
    const tabId = 'tab' in msg && msg.tab !== undefined ? msg.tab : this.firstTab.info.id;
    const tab = this.tabs.get(tabId);
    if (!tab) return this.reject(conn, 'unknown-tab', `there is no tab "${tabId}" in this session`, msg.type);
    if (member.hidden && (!HIDDEN_MAY_SEND.has(msg.type) || (msg.type === 'chat' && !msg.to)))
      return this.reject(conn, 'watching', 'you are watching silently; whisper or barge in', msg.type);
    if (SOCIAL.has(msg.type) && !('to' in msg && msg.to) && this.overBudget(conn, msg.type)) return;
    if (member.audience && !KEEPS_AUDIENCE.has(msg.type)) this.promote(member);
    if (isControl(msg)) return this.control(member, conn, tab, msg);
    switch (msg.type) {
      case 'chat': {
        if (!msg.to) return void this.relay(from, { type: 'chat', text: msg.text });
        const to = [...new Set(msg.to)].filter((id) => id !== from);
        const unknown = to.find((id) => !this.members.has(id));
        if (unknown !== undefined || to.length === 0) {
          return this.reject(
            conn,
            'unknown-participant',
            'a private line needs people in this session',
            msg.type,
          );
        }
        return void this.relay(from, { type: 'chat', text: msg.text, to }, { only: new Set([from, ...to]) });
      }
      case 'pointer':
        return void this.relay(
          from,
          {
            type: 'pointer',
            tab: msg.tab,
            node: msg.node,
            x: msg.x,
            y: msg.y,
            ...(msg.laser ? { laser: true } : {}),
          },
          { skip: from },
        );
      case 'pointer.leave':
        return void this.relay(from, { type: 'pointer.leave', tab: msg.tab }, { skip: from });
      case 'highlight':
        // One highlight per author: a new one replaces the author's previous one.
        tab.info.highlights = [
          ...tab.info.highlights.filter((h) => h.author !== from),
          { author: from, node: msg.node },
        ];
        return void this.relay(from, { type: 'highlight', tab: msg.tab, node: msg.node });
      case 'highlight.clear': {
        const all = this.mayClearAll(member, conn, tab, msg);
        if (all === null) return;
        tab.info.highlights = all ? [] : tab.info.highlights.filter((h) => h.author !== from);
        return void this.relay(from, { type: 'highlight.clear', tab: msg.tab, ...(all ? { all } : {}) });
      }
      case 'stroke': {
        // An arrow is its two ends, whatever else was sent.
        const points = msg.shape === 'arrow' ? [msg.points[0], msg.points.at(-1)] : msg.points;
        const stroke = {
          author: from,
          id: msg.id,
          node: msg.node,
          shape: msg.shape,
          points: points as Stroke['points'],
          done: msg.done,
        };
        tab.info.strokes = keepStroke(tab.info.strokes, stroke);
        const { author: _author, ...fields } = stroke;
        return void this.relay(from, { type: 'stroke', tab: msg.tab, ...fields });
      }
      case 'stroke.clear': {
        const all = this.mayClearAll(member, conn, tab, msg);
        if (all === null) return;
        tab.info.strokes = all ? [] : tab.info.strokes.filter((s) => s.author !== from);
        return void this.relay(from, { type: 'stroke.clear', tab: msg.tab, ...(all ? { all } : {}) });
      }
      case 'report':
        this.log.warn(
          { room: this.id, from, kind: msg.kind, detail: msg.message },
          'browser reported a problem',
        );
        return;
      case 'typing':
        return void this.relay(
          from,
          {
            type: 'typing',
            active: msg.active,
            ...(this.liveTyping && msg.active && msg.text !== undefined ? { text: msg.text } : {}),
          },
          { skip: from },
        );
      case 'resume':
        return this.resume(member, conn, msg.after);
      case 'prefs':
        if (msg.ownLocation) this.quietLocation.delete(conn);
        else this.quietLocation.add(conn);
        return;
      case 'baton.request':
        if (tab.info.baton.holder === from) return;
        return void this.relay(from, { type: 'baton.request', tab: tabId });
      case 'baton.give': {
        const mayGive = tab.info.baton.holder === from || member.info.role === 'owner';
        if (!mayGive)
          return this.reject(conn, 'not-baton-holder', 'only the baton holder can give it', msg.type);
        const target = this.members.get(msg.to);
        if (!target?.info.connected) {
          return this.reject(conn, 'unknown-participant', 'that participant is not in the session', msg.type);
        }
        return this.setBaton(tab, from, msg.to);
      }
      case 'participant.remove':
        return this.remove(member, conn, msg.participant);
      case 'session.lock':
        return this.lock(member, conn, msg.locked);
      case 'question': {
        const waiting = [...this.questions.values()].filter((q) => q.asker === from).length;
        if (waiting >= MAX_OPEN_QUESTIONS_EACH || this.questions.size >= MAX_OPEN_QUESTIONS) {
          const why =
            waiting >= MAX_OPEN_QUESTIONS_EACH
              ? `you have ${waiting} questions waiting for the host already`
              : 'the host has too many questions waiting; try again later';
          return this.reject(conn, 'rate-limited', why, msg.type);
        }
        const entry = this.relay(
          from,
          { type: 'question', text: msg.text, name: member.info.name },
          { only: new Set([from, ...this.hostIds()]) },
        );
        this.questions.set(entry.seq, { asker: from, text: msg.text, entry });
        return;
      }
      case 'question.show':
      case 'question.dismiss':
        return this.settleQuestion(member, conn, msg.type, msg.question);
      case 'baton.take':
        if (member.info.role !== 'owner' && this.batonPolicy !== 'collaboration') {
          return this.reject(conn, 'not-owner', 'ask for the baton; the host gives it', msg.type);
        }
        return this.setBaton(tab, from, from);
      case 'tab.open':
        return this.openTab(member, conn, tab, msg.url);
      case 'tab.close':
        return this.closeTab(member, conn, tab);
      case 'tab.give':
        return this.giveTab(member, conn, tab, msg.to);
      case 'tab.focus':
        if (tab.info.baton.holder !== from && member.info.role !== 'owner') {
          return this.reject(conn, 'not-baton-holder', 'only the person in control of that tab', msg.type);
        }
        if (this.activeTab === tabId) return;
        this.activeTab = tabId;
        return void this.relay(from, { type: 'tab.focus', tab: tabId });
      case 'rec': {
        if (tab.info.owner !== from)
          return this.reject(conn, 'not-owner', 'only the tab owner records', msg.type);
        const checked = tab.maskCheck.apply(msg.events);
        if (checked.violations > 0) {
          this.log.warn(
            { room: this.id, violations: checked.violations },
            'clear-text private values removed',
          );
          this.reject(
            conn,
            'mask-violation',
            `${checked.violations} clear-text private value(s) removed`,
            msg.type,
          );
        }
        if (checked.events.length === 0) return;
        const entry = this.relay(from, { type: 'rec', tab: msg.tab, events: checked.events }, { skip: from });
        if (msg.events.some((e) => e.type === RRWEB_META)) {
          tab.checkpoint = [];
          tab.checkpointBytes = 0;
          tab.snapshotRequested = false;
        }
        tab.checkpoint.push(entry);
        tab.checkpointBytes += entry.text.length;
        if (tab.checkpointBytes > CHECKPOINT_SNAPSHOT_BYTES && !tab.snapshotRequested) {
          // A late joiner would otherwise have to replay an ever longer recording.
          tab.snapshotRequested = true;
          this.reply(conn, { type: 'snapshot.request', tab: tabId });
        }
        return;
      }
      case 'location':
        if (tab.info.owner !== from)
          return this.reject(conn, 'not-owner', 'only the tab owner reports it', msg.type);
        if (!samePage(tab.info.url, msg)) {
          tab.info.highlights = [];
          tab.info.strokes = [];
        }
        tab.info.url = msg.url;
        tab.info.title = msg.title;
        tab.info.visited = addVisit(tab.info.visited, msg.url, msg.title, this.now());
        return void this.relay(from, {
          type: 'location',
          tab: msg.tab,
          url: msg.url,
          title: msg.title,
          ...(msg.load ? { load: true as const } : {}),
        });
    }
  }

  /**
   * Whether a clear takes everyone's annotations (the baton holder's or an owner's `all`) or only
   * the sender's own; null when `all` was refused.
   */
  private mayClearAll(
    member: Member,
    conn: Connection,
    tab: Tab,
    msg: { type: 'highlight.clear' | 'stroke.clear'; all?: boolean },
  ): boolean | null {
    const all =
      msg.all === true && (tab.info.baton.holder === member.info.id || member.info.role === 'owner');
    if (msg.all && !all) {
      this.reject(conn, 'not-baton-holder', 'only the person in control clears everyone’s', msg.type);
      return null;
    }
    return all;
  }

  private control(member: Member, conn: Connection, tab: Tab, msg: ControlMessage): void {
    if (tab.info.baton.holder !== member.info.id) {
      this.log.warn(
        { room: this.id, from: member.info.id, type: msg.type },
        'control input without the baton dropped',
      );
      return this.reject(conn, 'not-baton-holder', 'you do not hold the baton', msg.type);
    }
    if (msg.epoch !== undefined && msg.epoch !== tab.info.baton.epoch) {
      return this.reject(conn, 'stale-epoch', 'sent under an earlier hand-over of the baton', msg.type);
    }
    if (msg.type === 'nav') {
      const url = parseNavigableUrl(msg.url);
      if (!url) return this.reject(conn, 'bad-url', `"${msg.url}" is not an http or https address`, msg.type);
      return void this.relay(member.info.id, { ...msg, url });
    }
    if (msg.type === 'input') {
      // Only the owner's runtime needs what was typed; everyone else sees the result in the recording,
      // masked where the field is private, so the value itself is never fanned out.
      const { value: _value, checked: _checked, ...redacted } = msg;
      const owner = tab.info.owner;
      this.relay(member.info.id, redacted, owner ? { forOne: { participant: owner, body: msg } } : {});
      return;
    }
    this.relay(member.info.id, msg);
  }

  /**
   * The host sends a follower away: everyone hears of it, their highlights and any baton go, their
   * sockets close once they have been told, and their token stops opening the session.
   */
  private remove(host: Member, conn: Connection, participantId: string): void {
    if (host.info.role !== 'owner') {
      return this.reject(conn, 'not-owner', 'only the host removes participants', 'participant.remove');
    }
    const target = this.members.get(participantId);
    if (!target || target.info.role === 'owner') {
      return this.reject(
        conn,
        'unknown-participant',
        'there is no follower by that id here',
        'participant.remove',
      );
    }
    this.removed.add(participantId);
    for (const t of this.tabs.values()) {
      t.info.highlights = t.info.highlights.filter((h) => h.author !== participantId);
      t.info.strokes = t.info.strokes.filter((s) => s.author !== participantId);
      if (t.info.baton.holder === participantId) this.setBaton(t, host.info.id, t.info.owner);
    }
    this.relay(host.info.id, { type: 'removed', participant: participantId });
    for (const [seq, q] of this.questions) {
      if (q.asker !== participantId) continue;
      this.questions.delete(seq);
      this.relay(host.info.id, { type: 'question.dismissed', question: seq }, { only: this.hostIds() });
    }
    if (target.info.connected) this.countPresence(target, -1);
    this.countAttendanceOf([target]);
    this.members.delete(participantId);
    this.sockets = null;
    this.stage.delete(target);
    for (const c of target.connections) {
      this.held.delete(c);
      this.journal.after(
        () => c.close(REMOVED_CLOSE_CODE, 'the host removed you from this session'),
        this.id,
      );
    }
    this.records?.remove(participantId).then(
      ({ inviteReplaced }) => {
        if (inviteReplaced) this.relay('server', { type: 'invite.changed' }, { only: this.hostIds() });
      },
      (err: Error) => {
        this.log.warn(
          { room: this.id, participant: participantId, err: err.message },
          'could not record a removal',
        );
      },
    );
  }

  /**
   * A host shows an open question to everyone, as the asker's own chat line (the asker steps onto
   * the stage first, so nobody reads a line from someone unknown), or sets it aside, which only the
   * hosts and the asker hear of.
   */
  private settleQuestion(
    host: Member,
    conn: Connection,
    action: 'question.show' | 'question.dismiss',
    seq: number,
  ): void {
    if (host.info.role !== 'owner')
      return this.reject(conn, 'not-owner', 'only a host takes up questions', action);
    const question = this.questions.get(seq);
    if (!question) {
      return this.reject(conn, 'unknown-question', 'that question has been taken up already', action);
    }
    if (action === 'question.show' && this.overBudget(conn, action)) return;
    this.questions.delete(seq);
    if (action === 'question.dismiss') {
      return void this.relay(
        host.info.id,
        { type: 'question.dismissed', question: seq },
        { only: new Set([question.asker, ...this.hostIds()]) },
      );
    }
    const asker = this.members.get(question.asker);
    if (asker) this.promote(asker);
    this.relay(question.asker, { type: 'chat', text: question.text, question: seq, shownBy: host.info.id });
  }

  /**
   * Whether what everyone would hear of this message is over the session's budget (and so it is
   * dropped: quietly when it is superseded soon anyway, else with a refusal).
   */
  private overBudget(conn: Connection, type: string): boolean {
    if (this.socialBudget.take(this.now(), this.connectedCount)) return false;
    if (!EPHEMERAL.has(type))
      this.reject(conn, 'rate-limited', 'the session is busy; try again in a moment', type);
    return true;
  }

  /** A host closes the invite link to newcomers, or opens it again; everyone sees which. */
  private lock(host: Member, conn: Connection, locked: boolean): void {
    if (host.info.role !== 'owner') {
      return this.reject(conn, 'not-owner', 'only a host locks the session', 'session.lock');
    }
    // Counted only once a host asks: a follower's refused attempts cost the session nothing.
    if (this.locked === locked || this.overBudget(conn, 'session.lock')) return;
    this.locked = locked;
    this.relay(host.info.id, { type: 'session.locked', locked });
    this.records?.setLocked(this.id, locked).catch((err: Error) => {
      this.log.warn({ room: this.id, err: err.message }, 'could not record the session’s lock');
    });
  }

  private setBaton(tab: Tab, from: string, holder: string | null, except?: Connection): void {
    const baton = tab.info.baton;
    if (baton.holder === holder) return;
    const member = holder === null ? undefined : this.members.get(holder);
    if (member) this.promote(member);
    tab.info.baton = { holder, epoch: baton.epoch + 1 };
    this.relay(from, { type: 'baton', tab: tab.info.id, holder, epoch: baton.epoch + 1 }, { except });
  }

  private assignTabOwner(tab: Tab, owner: string | null, except?: Connection): void {
    tab.info.owner = owner;
    this.relay(owner ?? 'server', { type: 'tab', tab: { ...tab.info } }, { except });
    if (owner && tab.info.baton.holder === null) this.setBaton(tab, owner, owner, except);
  }

  /**
   * A new tab beside `source`: its page runs in the same browser as the source's (that is where the
   * window was asked for, and where the session's cookies are), the sender holds its baton, and it
   * becomes the tab everyone follows. The source's owner may open one too: that is their page calling
   * `window.open`, or a link with a target, clicked by the owner or on the holder's behalf.
   */
  private openTab(member: Member, conn: Connection, source: Tab, input: string): void {
    const from = member.info.id;
    if (source.info.baton.holder !== from && source.info.owner !== from) {
      return this.reject(conn, 'not-baton-holder', 'only the person in control opens a tab', 'tab.open');
    }
    const url = parseNavigableUrl(input);
    if (!url) return this.reject(conn, 'bad-url', `"${input}" is not an http or https address`, 'tab.open');
    if (this.tabs.size >= MAX_TABS) {
      return this.reject(conn, 'too-many-tabs', `a session has at most ${MAX_TABS} tabs`, 'tab.open');
    }
    const id = `t${++this.tabsOpened}`;
    const holder = source.info.baton.holder ?? from;
    const tab = newTab(id, source.info.owner, url, { holder, epoch: 1 });
    this.tabs.set(id, tab);
    this.relay(from, { type: 'tab', tab: { ...tab.info } });
    this.activeTab = id;
    this.relay(from, { type: 'tab.focus', tab: id });
  }

  /**
   * The tab's page moves to another person's browser: theirs loads it again from the same address,
   * with the session's cookie jar, so a signed-in site stays signed in. They run it, so they also
   * get its baton; what was typed into the page and not yet sent is left behind with the old copy.
   */
  private giveTab(member: Member, conn: Connection, tab: Tab, to: string): void {
    const from = member.info.id;
    if (tab.info.owner !== from && member.info.role !== 'owner') {
      return this.reject(conn, 'not-owner', 'only the tab owner or a host hands a tab over', 'tab.give');
    }
    const target = this.members.get(to);
    if (!target?.info.connected || target.hidden) {
      return this.reject(conn, 'unknown-participant', 'that participant is not in the session', 'tab.give');
    }
    if (tab.info.owner === to) return;
    this.promote(target);
    this.assignTabOwner(tab, to);
    this.setBaton(tab, from, to);
  }

  /** The tab's owner or a host closes it; the last tab stays, the session's page has to be somewhere. */
  private closeTab(member: Member, conn: Connection, tab: Tab): void {
    const from = member.info.id;
    if (tab.info.owner !== from && member.info.role !== 'owner') {
      return this.reject(conn, 'not-owner', 'only the tab’s owner or a host closes it', 'tab.close');
    }
    if (this.tabs.size === 1) {
      return this.reject(conn, 'last-tab', 'the session’s last tab stays open', 'tab.close');
    }
    this.tabs.delete(tab.info.id);
    this.relay(from, { type: 'tab.closed', tab: tab.info.id });
    if (this.activeTab !== tab.info.id) return;
    this.activeTab = this.firstTab.info.id;
    this.relay(from, { type: 'tab.focus', tab: this.activeTab });
  }

  /**
   * Every connection starts from a checkpoint (state, recent chat, the recording since the last full
   * snapshot), so what a reconnecting client can still be missing is older chat. Messages after the
   * checkpoint arrive live; a client further back than the kept history gets a fresh checkpoint.
   */
  private resume(member: Member, conn: Connection, after: number): void {
    const missed = this.history.since(after);
    if (missed === null) return this.sendCheckpoint(member, conn);
    const given = this.checkpointOf.get(conn) ?? { seq: this.seq, chatFrom: Number.POSITIVE_INFINITY };
    for (const e of missed) {
      if (e.seq > given.seq) break;
      if (e.type === 'chat' && e.seq < given.chatFrom && this.visibleTo(e, member.info.id))
        this.sendTo(conn, e.text);
    }
  }

  private visibleTo(e: HistoryEntry, participantId: string): boolean {
    return e.skip !== participantId && (e.only === null || e.only.has(participantId));
  }

  private sendCheckpoint(member: Member, conn: Connection): void {
    this.reply(conn, {
      type: 'welcome',
      you: { ...member.info, ...(member.hidden ? { hidden: true as const } : {}) },
      session: this.id,
      participants: [...this.stage, ...(member.audience || member.hidden ? [member] : [])].map((m) => ({
        ...m.info,
      })),
      audience: this.audienceAnnounced,
      tabs: [...this.tabs.values()].map((t) => ({ ...t.info })),
      activeTab: this.activeTab,
      baton: { ...this.firstTab.info.baton },
      batonPolicy: this.batonPolicy,
      liveTyping: this.liveTyping,
      locked: this.locked,
      seq: this.seq,
      checkpoint: true,
    });
    const chat = this.history
      .lastOfType('chat', CHAT_LINES_FOR_LATE_JOIN)
      .filter((e) => this.visibleTo(e, member.info.id));
    this.checkpointOf.set(conn, { seq: this.seq, chatFrom: chat[0]?.seq ?? Number.POSITIVE_INFINITY });
    for (const e of chat) this.sendTo(conn, e.text);
    const host = member.info.role === 'owner';
    for (const q of this.questions.values())
      if (host || q.asker === member.info.id) this.sendTo(conn, q.entry.text);
    for (const t of this.tabs.values()) {
      if (t.info.owner !== member.info.id) for (const e of t.checkpoint) this.sendTo(conn, e.text);
    }
  }

  /**
   * Orders a message, keeps it for resume, and fans one serialisation out. `skip` leaves out one
   * participant (the recorder's own stream), `only` limits it to some (a private chat line),
   * `forOne` gives one participant a fuller version under the same seq, `except` leaves out one
   * socket (a newcomer that gets the change in its welcome).
   */
  private relay(
    from: string,
    body: Unordered,
    options: {
      except?: Connection;
      skip?: string;
      only?: ReadonlySet<string>;
      forOne?: { participant: string; body: Unordered };
    } = {},
  ): HistoryEntry {
    const seq = this.nextSeq();
    const at = this.now();
    const entry: HistoryEntry = {
      seq,
      type: body.type,
      skip: options.skip ?? null,
      only: options.only ?? null,
      forOne: options.forOne
        ? {
            participant: options.forOne.participant,
            text: serialise(options.forOne.body, seq, at, from),
          }
        : null,
      text: serialise(body, seq, at, from),
    };
    // A resume re-sends only chat lines: everything else a reconnecting socket needs is in the
    // checkpoint it gets on connecting, so nothing else is held (a busy node's rooms would otherwise
    // keep thousands of recorder batches each, for the garbage collector to walk).
    if (entry.type === 'chat') this.history.push(entry);
    // The archive files each event under its tab; a `tab` message carries the whole tab.
    const tab = 'tab' in body ? (typeof body.tab === 'string' ? body.tab : body.tab.id) : null;
    this.journal.append({ sessionId: this.id, seq, at, actor: from, tab, type: body.type, body: entry.text });
    // Who gets it is decided now; a socket that joins before the commit has it in its checkpoint.
    // A broadcast takes the room's list of sockets as it stands (a list that is replaced, never
    // changed, when someone connects or leaves), so a room of thousands copies nothing per event.
    const sockets = entry.only ? this.socketsOf(entry.only) : this.allSockets();
    const quiet = entry.type === 'location';
    const excluded = (s: RoomSocket) =>
      s.conn === options.except ||
      s.id === entry.skip ||
      (quiet && s.id === from && this.quietLocation.has(s.conn));
    const kind = SUPERSEDED.get(entry.type);
    const key = kind && `${kind}\n${from}`;
    const plain = new Outgoing(entry.text);
    const fuller = entry.forOne && { id: entry.forOne.participant, message: new Outgoing(entry.forOne.text) };
    this.journal.after(() => this.deliver(sockets, excluded, plain, fuller, key), this.id);
    return entry;
  }

  private hostIds(): Set<string> {
    return new Set([...this.members.values()].filter((m) => m.info.role === 'owner').map((m) => m.info.id));
  }

  private allSockets(): readonly RoomSocket[] {
    this.sockets ??= [...this.members.values()].flatMap((m) =>
      [...m.connections].map((conn) => ({ id: m.info.id, conn })),
    );
    return this.sockets;
  }

  private socketsOf(ids: ReadonlySet<string>): RoomSocket[] {
    const sockets: RoomSocket[] = [];
    for (const id of ids)
      for (const conn of this.members.get(id)?.connections ?? []) sockets.push({ id, conn });
    return sockets;
  }

  /**
   * Everyone gets the same bytes but the one participant a `forOne` names, and each text is encoded
   * once however many get it. A lagging socket is held only the latest of what supersedes itself;
   * everything else it is sent.
   */
  private deliver(
    sockets: readonly RoomSocket[],
    excluded: (s: RoomSocket) => boolean,
    plain: Outgoing,
    fuller: { id: string; message: Outgoing } | null,
    key: string | undefined,
  ): void {
    for (const s of sockets) {
      if (excluded(s)) continue;
      const message = s.id === fuller?.id ? fuller.message : plain;
      const buffered = s.conn.bufferedAmount;
      if (key) {
        if (buffered > LAGGING_BYTES) {
          this.hold(s.conn, key, message);
          continue;
        }
        if (this.held.size > 0) this.held.get(s.conn)?.delete(key);
      }
      this.write(s.conn, message, buffered);
    }
  }

  private hold(conn: Connection, key: string, message: Outgoing): void {
    let held = this.held.get(conn);
    if (!held) {
      held = new Map();
      this.held.set(conn, held);
    }
    held.set(key, message);
    if (this.catchUp) return;
    this.catchUp = setInterval(() => this.releaseHeld(), CATCH_UP_CHECK_MS);
    this.catchUp.unref();
  }

  /** Sockets that have caught up get the latest of what was held for them. */
  private releaseHeld(): void {
    for (const [conn, held] of this.held) {
      if (conn.bufferedAmount > LAGGING_BYTES) continue;
      this.held.delete(conn);
      for (const message of held.values()) this.write(conn, message);
    }
    if (this.held.size === 0 && this.catchUp) {
      clearInterval(this.catchUp);
      this.catchUp = null;
    }
  }

  private nextSeq(): number {
    return ++this.seq;
  }

  private reject(conn: Connection, code: ErrorCode, message: string, ref: string): void {
    this.reply(conn, { type: 'error', code, message, ref });
  }

  /** A message to one socket, queued behind what it is still to receive, so it never overtakes it. */
  reply(conn: Connection, msg: DirectMessage): void {
    this.sendTo(conn, JSON.stringify(msg));
  }

  /** Queued behind whatever is still being committed, so each socket gets everything in seq order. */
  private sendTo(conn: Connection, text: string): void {
    this.journal.after(() => this.write(conn, new Outgoing(text)), this.id);
  }

  private write(conn: Connection, message: Outgoing, buffered = conn.bufferedAmount): void {
    if (buffered > MAX_BUFFERED_BYTES) {
      this.log.warn({ room: this.id }, 'closing a socket that cannot keep up');
      conn.close(1013, 'too far behind; reconnect to resume');
      return;
    }
    conn.send(message);
  }
}

/** Field order as the contract writes it: type, seq, at, from, then the message's own fields. */
function serialise(body: Unordered, seq: number, at: number, from: string): string {
  // Every body is written type first, so the ordering fields go in after it as text: copying each
  // body into a new object to put them there cost more than serialising it.
  const json = JSON.stringify(body);
  const head = `{"type":${JSON.stringify(body.type)}`;
  const ordered = `,"seq":${seq},"at":${at},"from":${JSON.stringify(from)}`;
  if (json.startsWith(head)) return head + ordered + json.slice(head.length);
  const { type, ...rest } = body;
  return JSON.stringify({ type, seq, at, from, ...rest } as RelayedMessage);
}

/** Accepts what people type in an address bar: a full http(s) URL, or a host name with an optional path. */
export function parseNavigableUrl(input: string): string | null {
  const text = input.trim();
  // "host:port" looks like a scheme; anything else with a scheme must spell out "scheme://".
  const hostAndPort = /^[^/:?#]+:\d+([/?#]|$)/.test(text);
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !hostAndPort && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    return null;
  const local = /^(localhost|[^/?#]*\.localhost|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?([/?#]|$)/i.test(
    text,
  );
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `${local ? 'http' : 'https'}://${text}`;
  try {
    const url = new URL(candidate);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}
