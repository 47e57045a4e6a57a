/**
 * The archive's time base, without a browser: rrweb events carry the tab owner's clock, every other
 * message the server's `at`. Everything the replay screen shows is placed on server time, so the
 * recording, chat, pointers and attendance line up with each other and with what participants saw.
 */
import type { RelayedMessage, TabInfo } from '../../session/protocol.js';
import { firstTab, foldTabs, TAB_STATE_TYPES, type TabsState } from '../../session/tab-state.js';
import { type ChatLine, chatLineOf } from '../chat-line.js';

/** An rrweb event as recorded (`eventWithTime`): only its type and time matter here. */
export interface RecordedEvent {
  type: number;
  timestamp: number;
  [field: string]: unknown;
}

/** rrweb's event types: a Meta event starts each recording of a page, a full snapshot follows it. */
export const RRWEB_FULL_SNAPSHOT = 2;
export const RRWEB_META = 4;

/**
 * Maps one tab's recording onto server time. Each segment (from one Meta event to the next) takes
 * its offset from its first record: the latest event in it happened when the server relayed it.
 * Shifted times never go back (rrweb replays in order) and never pass their own record's `at`, so
 * nothing shows before the server had relayed it.
 */
export class TimeBase {
  private offset: number | null = null;
  private floor = Number.NEGATIVE_INFINITY;

  shift(at: number, events: readonly RecordedEvent[]): RecordedEvent[] {
    let latest = Number.NEGATIVE_INFINITY;
    for (const e of events) latest = Math.max(latest, e.timestamp);
    const segmentOffset = at - latest;
    return events.map((e) => {
      if (this.offset === null || e.type === RRWEB_META) this.offset = segmentOffset;
      const timestamp = Math.max(this.floor, Math.min(e.timestamp + this.offset, at));
      this.floor = timestamp;
      return { ...e, timestamp };
    });
  }
}

export type MarkerKind =
  | 'location'
  | 'chat'
  | 'baton'
  | 'control'
  | 'highlight'
  | 'tab'
  | 'joined'
  | 'left'
  | 'removed'
  | 'invite'
  | 'question';

/** Something worth finding again on the timeline or in the list of events. */
export interface Marker {
  seq: number;
  at: number;
  kind: MarkerKind;
  /** Who did it (for `baton` and `control`, who holds the baton now; null when nobody does). */
  who: string | null;
  /** The URL, chat text or page title that describes it. */
  detail: string;
}

/** A chat line as the live viewer keeps it. */
export type { ChatLine } from '../chat-line.js';

export interface Pointer {
  node: number;
  x: number;
  y: number;
}

/** What is drawn over one tab's page: pointers, highlights and strokes. */
export interface Marks {
  pointers: ReadonlyMap<string, Pointer>;
  highlights: TabInfo['highlights'];
  strokes: TabInfo['strokes'];
}

/** What a marker looks like for one message (the tabs as it left them), or null when it is not worth one. */
function markerOf(m: RelayedMessage, tabs: TabsState): Marker | null {
  const base = { seq: m.seq, at: m.at };
  const tab = 'tab' in m && typeof m.tab === 'string' ? tabs.tabs.find((t) => t.id === m.tab) : undefined;
  switch (m.type) {
    case 'location':
      return { ...base, kind: 'location', who: m.from, detail: m.url };
    case 'chat':
      return { ...base, kind: 'chat', who: m.from, detail: m.text };
    case 'baton':
      // The baton leaving the owner hands their page to someone else: that is a grant of control.
      return {
        ...base,
        kind: m.holder !== null && m.holder !== tab?.owner ? 'control' : 'baton',
        who: m.holder,
        detail: '',
      };
    case 'highlight':
      return { ...base, kind: 'highlight', who: m.from, detail: '' };
    case 'tab.focus':
      return { ...base, kind: 'tab', who: m.from, detail: tab?.title || tab?.url || m.tab };
    case 'joined':
      return { ...base, kind: 'joined', who: m.participant.id, detail: m.participant.name };
    case 'left':
      return { ...base, kind: 'left', who: m.participant, detail: '' };
    case 'removed':
      return { ...base, kind: 'removed', who: m.participant, detail: '' };
    case 'question':
      return { ...base, kind: 'question', who: m.from, detail: m.text };
    case 'invite.changed':
      return { ...base, kind: 'invite', who: null, detail: '' };
    default:
      return null;
  }
}

/** Whether a message changes the tabs or what is pointed at. */
const isSceneMessage = (m: RelayedMessage) =>
  TAB_STATE_TYPES.has(m.type) || m.type === 'pointer' || m.type === 'pointer.leave' || m.type === 'left';

/** A session's tabs before anything is archived: the one it starts with. */
const START: TabsState = { tabs: [firstTab('t1', null)], activeTab: 't1' };

/** The index of the first item whose `at` is after `time` (items in time order). */
export function countUntil(items: readonly { at: number }[], time: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as { at: number }).at <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A session's archive as it arrives, page by page: each tab's recording on server time, and
 * everything else kept for markers, chat, tabs, marks and attendance.
 */
export class Timeline {
  /** Server time of each tab's first full snapshot: the first frame there is to show of it. */
  readonly firstFrames = new Map<string, number>();
  /** Server time of the first full snapshot of any tab. */
  firstFrameAt: number | null = null;
  /** Server time of the last message added. */
  lastAt: number | null = null;
  readonly markers: Marker[] = [];
  readonly chat: ChatLine[] = [];
  /** Messages that change the tabs or what is pointed at, in order. */
  readonly sceneMessages: RelayedMessage[] = [];
  readonly names = new Map<string, string>();
  /** Each tab's recording so far, on server time. */
  private readonly recordings = new Map<string, RecordedEvent[]>();
  private readonly bases = new Map<string, TimeBase>();
  /** The tabs as of the last message added. */
  private tabs: TabsState = START;
  /** Each tab's address as its page last reported it. */
  private readonly reported = new Map<string, string>();

  /** Takes the next page of messages; answers each tab's rrweb events in it, on server time. */
  add(page: readonly RelayedMessage[]): Map<string, RecordedEvent[]> {
    const recorded = new Map<string, RecordedEvent[]>();
    for (const m of page) {
      this.lastAt = m.at;
      if (m.type === 'rec') {
        const shifted = this.record(m.tab, m.at, m.events as RecordedEvent[]);
        const fresh = recorded.get(m.tab);
        if (fresh) for (const e of shifted) fresh.push(e);
        else recorded.set(m.tab, shifted);
        continue;
      }
      if (m.type === 'joined') this.names.set(m.participant.id, m.participant.name);
      if (m.type === 'chat') {
        this.chat.push(chatLineOf(m));
      }
      if (isSceneMessage(m)) this.sceneMessages.push(m);
      this.tabs = foldTabs(this.tabs, m);
      // A page reports itself again when it finishes loading: one navigation, not two.
      if (m.type === 'location' && this.reported.get(m.tab) === m.url) continue;
      if (m.type === 'location') this.reported.set(m.tab, m.url);
      const marker = markerOf(m, this.tabs);
      if (marker) this.markers.push(marker);
    }
    return recorded;
  }

  /** A tab's recording so far, on server time. */
  recording(tab: string): readonly RecordedEvent[] {
    return this.recordings.get(tab) ?? [];
  }

  /** Chat lines said by `time`. */
  chatUntil(time: number): ChatLine[] {
    return this.chat.slice(0, countUntil(this.chat, time));
  }

  private record(tab: string, at: number, events: readonly RecordedEvent[]): RecordedEvent[] {
    let base = this.bases.get(tab);
    if (!base) {
      base = new TimeBase();
      this.bases.set(tab, base);
    }
    const shifted = base.shift(at, events);
    if (!this.firstFrames.has(tab)) {
      const snapshot = shifted.find((e) => e.type === RRWEB_FULL_SNAPSHOT);
      if (snapshot) {
        this.firstFrames.set(tab, snapshot.timestamp);
        this.firstFrameAt = Math.min(this.firstFrameAt ?? snapshot.timestamp, snapshot.timestamp);
      }
    }
    const kept = this.recordings.get(tab);
    if (kept) for (const e of shifted) kept.push(e);
    else this.recordings.set(tab, [...shifted]);
    return shifted;
  }
}

/** The session at a moment: its tabs (addresses, highlights, strokes, the active one) and who points where. */
export interface Scene extends TabsState {
  /** Per tab, where each person points. */
  pointers: ReadonlyMap<string, ReadonlyMap<string, Pointer>>;
}

/** The tab to show: the one pinned while it is open, else the active one (else the first). */
export function viewedTab(scene: Scene, pinned: string | null): TabInfo | null {
  const open = (id: string | null) => scene.tabs.find((t) => t.id === id);
  return open(pinned) ?? open(scene.activeTab) ?? scene.tabs[0] ?? null;
}

const NO_POINTERS: ReadonlyMap<string, Pointer> = new Map();

/** What is drawn over a tab's page at a moment. */
export function marksOn(scene: Scene, tab: TabInfo): Marks {
  return {
    pointers: scene.pointers.get(tab.id) ?? NO_POINTERS,
    highlights: tab.highlights,
    strokes: tab.strokes,
  };
}

/**
 * The scene at a time, folded forward from the last answer while time only moves on (as it does
 * while playing) and from the start after a seek back. Unchanged, it is the same object.
 */
export class SceneCursor {
  private index = 0;
  private time = Number.NEGATIVE_INFINITY;
  private tabs: TabsState = START;
  private pointers = new Map<string, Map<string, Pointer>>();
  private scene: Scene = { ...START, pointers: new Map() };

  constructor(private readonly messages: readonly RelayedMessage[]) {}

  at(time: number): Scene {
    if (time < this.time) {
      this.index = 0;
      this.tabs = START;
      this.pointers = new Map();
      this.scene = { ...START, pointers: new Map() };
    }
    this.time = time;
    let changed = false;
    while (this.index < this.messages.length) {
      const m = this.messages[this.index] as RelayedMessage;
      if (m.at > time) break;
      this.index++;
      const before = this.tabs;
      this.tabs = foldTabs(before, m);
      changed = this.point(m, before) || this.tabs !== before || changed;
    }
    if (changed) {
      const pointers = new Map([...this.pointers].map(([tab, p]) => [tab, new Map(p)] as const));
      this.scene = { ...this.tabs, pointers };
    }
    return this.scene;
  }

  /** Applies one message to the pointers in place; answers whether any moved. */
  private point(m: RelayedMessage, before: TabsState): boolean {
    const on = (tab: string) => {
      let p = this.pointers.get(tab);
      if (!p) {
        p = new Map();
        this.pointers.set(tab, p);
      }
      return p;
    };
    switch (m.type) {
      case 'pointer':
        on(m.tab).set(m.from, { node: m.node, x: m.x, y: m.y });
        return true;
      case 'pointer.leave':
        return on(m.tab).delete(m.from);
      case 'left':
      case 'removed': {
        let gone = false;
        for (const p of this.pointers.values()) gone = p.delete(m.participant) || gone;
        return gone;
      }
      case 'tab.closed':
        return this.pointers.delete(m.tab);
      case 'location': {
        // A new page: element ids start over, so pointers on the old page go.
        const samePage = before.tabs.find((t) => t.id === m.tab)?.url === m.url;
        return !samePage && this.pointers.delete(m.tab);
      }
      default:
        return false;
    }
  }
}

export interface Presence {
  id: string;
  name: string;
  role: 'owner' | 'follower' | null;
  /** Connected stretches; `to` is null while still connected at the end of the archive. */
  spans: Array<{ from: number; to: number | null }>;
}

/**
 * Who was present from when to when: connected stretches from joined and left, and every participant
 * the session knows of, including those who never connected (last). In order of first arrival.
 */
export function attendance(
  markers: readonly Marker[],
  participants: ReadonlyArray<{ id: string; name: string; role: 'owner' | 'follower' }>,
): Presence[] {
  const people = new Map<string, Presence>();
  const personOf = (id: string, name: string) => {
    let p = people.get(id);
    if (!p) {
      p = { id, name, role: null, spans: [] };
      people.set(id, p);
    }
    return p;
  };
  for (const p of participants) personOf(p.id, p.name).role = p.role;
  for (const m of markers) {
    if (m.kind === 'joined' && m.who) {
      const spans = personOf(m.who, m.detail).spans;
      const last = spans.at(-1);
      if (!last || last.to !== null) spans.push({ from: m.at, to: null });
    } else if ((m.kind === 'left' || m.kind === 'removed') && m.who) {
      const open = people.get(m.who)?.spans.at(-1);
      if (open && open.to === null) open.to = m.at;
    }
  }
  const firstSeen = (p: Presence) => p.spans[0]?.from ?? Number.POSITIVE_INFINITY;
  return [...people.values()].sort((a, b) => firstSeen(a) - firstSeen(b));
}
