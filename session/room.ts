import type { Connection } from './connection.js';
import { History, type HistoryEntry } from './history.js';
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

export const MAIN_TAB = 't1';
/** A slow socket with more than this queued is closed; the client reconnects and resumes. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
const HISTORY_SIZE = 5000;
const CHAT_LINES_FOR_LATE_JOIN = 200;
/** rrweb's Meta event opens every full snapshot: a late joiner needs everything from the last one. */
const RRWEB_META = 4;

interface Member {
  info: ParticipantInfo;
  connections: Set<Connection>;
}

type Distributive<T> = T extends unknown ? Omit<T, keyof Ordered> : never;
type Unordered = Distributive<RelayedMessage>;

export interface RoomLog {
  warn(fields: object, message: string): void;
}

export interface ParticipantRecord {
  id: string;
  name: string;
  role: ParticipantRole;
}

/**
 * One live session on this node: who is in it, the tab and its owner, the baton, and the single
 * ordered stream every participant sees. All methods are synchronous so ordering is exactly the
 * order in which the event loop delivers frames.
 */
export class Room {
  private seq = 0;
  private readonly members = new Map<string, Member>();
  private readonly history = new History(HISTORY_SIZE);
  private readonly baton: BatonState = { holder: null, epoch: 0 };
  private readonly tab: TabInfo = { id: MAIN_TAB, owner: null, url: null, title: '' };
  /** Serialised recorder messages since the last full snapshot: the late-join checkpoint. */
  private checkpoint: HistoryEntry[] = [];

  constructor(
    readonly id: string,
    startUrl: string | null,
    private readonly log: RoomLog,
    private readonly now: () => number = Date.now,
  ) {
    this.tab.url = startUrl;
  }

  get tabOwner(): string | null {
    return this.tab.owner;
  }

  get batonState(): Readonly<BatonState> {
    return this.baton;
  }

  get currentUrl(): string | null {
    return this.tab.url;
  }

  /** Whether the participant's browser runs the live page (and so may go upstream). */
  isTabOwner(participantId: string): boolean {
    return this.tab.owner === participantId;
  }

  connect(p: ParticipantRecord, conn: Connection): void {
    let member = this.members.get(p.id);
    const first = !member || member.connections.size === 0;
    if (!member) {
      member = { info: { id: p.id, name: p.name, role: p.role, connected: true }, connections: new Set() };
      this.members.set(p.id, member);
    }
    member.connections.add(conn);
    member.info.connected = true;
    if (first) {
      this.relay(p.id, { type: 'joined', participant: { ...member.info } }, { except: conn });
      if (this.tab.owner === null && p.role === 'owner') this.assignTabOwner(p.id);
    }
    this.sendCheckpoint(member, conn);
  }

  disconnect(participantId: string, conn: Connection): void {
    const member = this.members.get(participantId);
    if (!member?.connections.delete(conn) || member.connections.size > 0) return;
    member.info.connected = false;
    this.relay(participantId, { type: 'left', participant: participantId });
    if (this.tab.owner === participantId) {
      const next = [...this.members.values()].find((m) => m.info.connected && m.info.role === 'owner');
      this.assignTabOwner(next ? next.info.id : null);
    }
    if (this.baton.holder === participantId) this.setBaton(participantId, this.tab.owner);
  }

  get connectedCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.info.connected) n++;
    return n;
  }

  closeAll(code: number, reason: string): void {
    for (const m of this.members.values()) for (const c of m.connections) c.close(code, reason);
  }

  /** Handles one validated message from an authenticated participant. */
  receive(from: string, conn: Connection, msg: ClientMessage): void {
    const member = this.members.get(from);
    if (!member) return this.reject(conn, 'unknown-participant', 'join the session first', msg.type);
    if (isControl(msg)) return this.control(member, conn, msg);
    switch (msg.type) {
      case 'chat':
        return void this.relay(from, { type: 'chat', text: msg.text });
      case 'resume':
        return this.resume(member, conn, msg.after);
      case 'baton.request':
        if (this.baton.holder === from) return;
        return void this.relay(from, { type: 'baton.request', tab: this.tab.id });
      case 'baton.give': {
        const mayGive = this.baton.holder === from || member.info.role === 'owner';
        if (!mayGive)
          return this.reject(conn, 'not-baton-holder', 'only the baton holder can give it', msg.type);
        const target = this.members.get(msg.to);
        if (!target?.info.connected) {
          return this.reject(conn, 'unknown-participant', 'that participant is not in the session', msg.type);
        }
        return this.setBaton(from, msg.to);
      }
      case 'baton.take':
        if (member.info.role !== 'owner') {
          return this.reject(conn, 'not-owner', 'ask for the baton; the host gives it', msg.type);
        }
        return this.setBaton(from, from);
      case 'rec': {
        if (this.tab.owner !== from)
          return this.reject(conn, 'not-owner', 'only the tab owner records', msg.type);
        const entry = this.relay(from, { type: 'rec', tab: msg.tab, events: msg.events }, { except: conn });
        if (msg.events.some((e) => e.type === RRWEB_META)) this.checkpoint = [];
        this.checkpoint.push(entry);
        return;
      }
      case 'location':
        if (this.tab.owner !== from)
          return this.reject(conn, 'not-owner', 'only the tab owner reports it', msg.type);
        this.tab.url = msg.url;
        this.tab.title = msg.title;
        return void this.relay(from, { type: 'location', tab: msg.tab, url: msg.url, title: msg.title });
    }
  }

  private control(member: Member, conn: Connection, msg: ControlMessage): void {
    if (this.baton.holder !== member.info.id) {
      this.log.warn(
        { room: this.id, from: member.info.id, type: msg.type },
        'control input without the baton dropped',
      );
      return this.reject(conn, 'not-baton-holder', 'you do not hold the baton', msg.type);
    }
    if (msg.type === 'nav') {
      const url = parseNavigableUrl(msg.url);
      if (!url) return this.reject(conn, 'bad-url', `"${msg.url}" is not an http or https address`, msg.type);
      return void this.relay(member.info.id, { ...msg, url });
    }
    this.relay(member.info.id, msg);
  }

  private setBaton(from: string, holder: string | null): void {
    if (this.baton.holder === holder) return;
    this.baton.holder = holder;
    this.baton.epoch++;
    this.relay(from, { type: 'baton', tab: this.tab.id, holder, epoch: this.baton.epoch });
  }

  private assignTabOwner(owner: string | null): void {
    this.tab.owner = owner;
    this.relay(owner ?? 'server', { type: 'tab', tab: { ...this.tab } });
    if (owner && this.baton.holder === null) this.setBaton(owner, owner);
  }

  private resume(member: Member, conn: Connection, after: number): void {
    const missed = this.history.since(after);
    if (missed === null) return this.sendCheckpoint(member, conn);
    for (const e of missed) if (e.skip !== member.info.id) this.sendTo(conn, e.text);
  }

  private sendCheckpoint(member: Member, conn: Connection): void {
    this.sendDirect(conn, {
      type: 'welcome',
      you: { ...member.info },
      session: this.id,
      participants: [...this.members.values()].map((m) => ({ ...m.info })),
      tabs: [{ ...this.tab }],
      baton: { ...this.baton },
      seq: this.seq,
      checkpoint: true,
    });
    const chat = this.history.lastOfType('chat', CHAT_LINES_FOR_LATE_JOIN);
    for (const e of chat) this.sendTo(conn, e.text);
    if (this.tab.owner !== member.info.id) for (const e of this.checkpoint) this.sendTo(conn, e.text);
  }

  /** Orders a message, keeps it for resume, and fans one serialisation out to every socket. */
  private relay(from: string, body: Unordered, options: { except?: Connection } = {}): HistoryEntry {
    const seq = ++this.seq;
    const message = { ...body, seq, at: this.now(), from } as RelayedMessage;
    const skip = body.type === 'rec' ? from : null;
    const entry: HistoryEntry = { seq, type: body.type, skip, text: JSON.stringify(message) };
    this.history.push(entry);
    for (const m of this.members.values()) {
      if (skip === m.info.id) continue;
      for (const c of m.connections) if (c !== options.except) this.sendTo(c, entry.text);
    }
    return entry;
  }

  private reject(conn: Connection, code: ErrorCode, message: string, ref: string): void {
    this.sendDirect(conn, { type: 'error', code, message, ref });
  }

  private sendDirect(conn: Connection, msg: DirectMessage): void {
    this.sendTo(conn, JSON.stringify(msg));
  }

  private sendTo(conn: Connection, text: string): void {
    if (conn.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn({ room: this.id }, 'closing a socket that cannot keep up');
      conn.close(1013, 'too far behind; reconnect to resume');
      return;
    }
    conn.send(text);
  }
}

/** Accepts what people type in an address bar: a full http(s) URL, or a host name with an optional path. */
export function parseNavigableUrl(input: string): string | null {
  const text = input.trim();
  const local = /^(localhost|[^/]*\.localhost|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?(\/|$)/i.test(text);
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `${local ? 'http' : 'https'}://${text}`;
  try {
    const url = new URL(candidate);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}
