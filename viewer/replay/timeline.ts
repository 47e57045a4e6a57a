/**
 * The archive's time base, without a browser: rrweb events carry the tab owner's clock, every other
 * message the server's `at`. Everything the replay screen shows is placed on server time, so the
 * recording, chat, pointers and attendance line up with each other and with what participants saw.
 */
import type { RelayedMessage } from '../../session/protocol.js';
import type { ChatLine } from '../state.js';

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
  | 'joined'
  | 'left'
  | 'removed';

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
export type { ChatLine } from '../state.js';

export interface Pointer {
  node: number;
  x: number;
  y: number;
}

export interface Marks {
  pointers: Map<string, Pointer>;
  highlights: Array<{ author: string; node: number }>;
}

/** What a marker looks like for one message, or null when it is not worth one. */
function markerOf(m: RelayedMessage, tabOwner: string | null): Marker | null {
  const base = { seq: m.seq, at: m.at };
  switch (m.type) {
    case 'location':
      return { ...base, kind: 'location', who: m.from, detail: m.url };
    case 'chat':
      return { ...base, kind: 'chat', who: m.from, detail: m.text };
    case 'baton':
      // The baton leaving the owner hands their page to someone else: that is a grant of control.
      return {
        ...base,
        kind: m.holder !== null && m.holder !== tabOwner ? 'control' : 'baton',
        who: m.holder,
        detail: '',
      };
    case 'highlight':
      return { ...base, kind: 'highlight', who: m.from, detail: '' };
    case 'joined':
      return { ...base, kind: 'joined', who: m.participant.id, detail: m.participant.name };
    case 'left':
      return { ...base, kind: 'left', who: m.participant, detail: '' };
    case 'removed':
      return { ...base, kind: 'removed', who: m.participant, detail: '' };
    default:
      return null;
  }
}

/** Whether a message changes what is pointed at or highlighted. */
const MARK_TYPES = new Set([
  'pointer',
  'pointer.leave',
  'highlight',
  'highlight.clear',
  'location',
  'tab',
  'left',
  'removed',
]);

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
 * A session's archive as it arrives, page by page: the replayed tab's recording on server time, and
 * everything else kept for markers, chat, marks and attendance.
 */
export class Timeline {
  /** The tab whose recording is replayed: the first one recorded (the others are not shown yet). */
  tab: string | null = null;
  /** Server time of the first full snapshot of the replayed tab: the first frame there is to show. */
  firstFrameAt: number | null = null;
  /** Server time of the last message added. */
  lastAt: number | null = null;
  readonly markers: Marker[] = [];
  readonly chat: ChatLine[] = [];
  /** Messages that change pointers and highlights, in order. */
  readonly markMessages: RelayedMessage[] = [];
  readonly names = new Map<string, string>();
  private readonly base = new TimeBase();
  private tabOwner: string | null = null;
  /** Each tab's address as last reported. */
  private readonly urls = new Map<string, string>();

  /** Takes the next page of messages; answers the replayed tab's rrweb events in it, on server time. */
  add(page: readonly RelayedMessage[]): RecordedEvent[] {
    const recorded: RecordedEvent[] = [];
    for (const m of page) {
      this.lastAt = m.at;
      if (m.type === 'rec') {
        this.tab ??= m.tab;
        if (m.tab !== this.tab) continue;
        const shifted = this.base.shift(m.at, m.events as RecordedEvent[]);
        if (this.firstFrameAt === null) {
          const snapshot = shifted.find((e) => e.type === RRWEB_FULL_SNAPSHOT);
          if (snapshot) this.firstFrameAt = snapshot.timestamp;
        }
        for (const e of shifted) recorded.push(e);
        continue;
      }
      if (m.type === 'joined') this.names.set(m.participant.id, m.participant.name);
      if (m.type === 'tab') this.tabOwner = m.tab.owner;
      if (m.type === 'chat') {
        this.chat.push({ seq: m.seq, at: m.at, from: m.from, text: m.text, ...(m.to ? { to: m.to } : {}) });
      }
      if (MARK_TYPES.has(m.type)) this.markMessages.push(m);
      // A page reports itself again when it finishes loading: one navigation, not two.
      if (m.type === 'location' && this.urls.get(m.tab) === m.url) continue;
      if (m.type === 'location') this.urls.set(m.tab, m.url);
      const marker = markerOf(m, this.tabOwner);
      if (marker) this.markers.push(marker);
    }
    return recorded;
  }

  /** Chat lines said by `time`. */
  chatUntil(time: number): ChatLine[] {
    return this.chat.slice(0, countUntil(this.chat, time));
  }
}

/**
 * Pointers and highlights on the replayed tab at a time, folded forward from the last answer while
 * time only moves on (as it does while playing) and from the start after a seek back.
 */
export class MarksCursor {
  private index = 0;
  private time = Number.NEGATIVE_INFINITY;
  private url: string | null = null;
  private marks: Marks = { pointers: new Map(), highlights: [] };

  constructor(
    private readonly messages: readonly RelayedMessage[],
    private readonly tab: string,
  ) {}

  at(time: number): Marks {
    if (time < this.time) {
      this.index = 0;
      this.url = null;
      this.marks = { pointers: new Map(), highlights: [] };
    }
    this.time = time;
    let changed = false;
    while (this.index < this.messages.length) {
      const m = this.messages[this.index] as RelayedMessage;
      if (m.at > time) break;
      this.index++;
      changed = this.apply(m) || changed;
    }
    if (changed)
      this.marks = { pointers: new Map(this.marks.pointers), highlights: [...this.marks.highlights] };
    return this.marks;
  }

  /** Applies one message in place; answers whether anything changed. */
  private apply(m: RelayedMessage): boolean {
    const { pointers } = this.marks;
    if ('tab' in m && typeof m.tab === 'string' && m.tab !== this.tab) return false;
    switch (m.type) {
      case 'pointer':
        pointers.set(m.from, { node: m.node, x: m.x, y: m.y });
        return true;
      case 'pointer.leave':
      case 'left':
      case 'removed': {
        const who = m.type === 'pointer.leave' ? m.from : m.participant;
        return pointers.delete(who);
      }
      case 'highlight':
        this.marks.highlights = [
          ...this.marks.highlights.filter((h) => h.author !== m.from),
          { author: m.from, node: m.node },
        ];
        return true;
      case 'highlight.clear':
        this.marks.highlights = m.all ? [] : this.marks.highlights.filter((h) => h.author !== m.from);
        return true;
      case 'tab':
        if (m.tab.id !== this.tab) return false;
        this.marks.highlights = [...m.tab.highlights];
        this.url = m.tab.url;
        return true;
      case 'location': {
        // A new page: element ids start over, so marks anchored to the old page go.
        const samePage = this.url === m.url;
        this.url = m.url;
        if (samePage) return false;
        this.marks.highlights = [];
        pointers.clear();
        return true;
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
