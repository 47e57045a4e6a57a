import type {
  BatonState,
  ClientMessage,
  ParticipantInfo,
  RelayedMessage,
  ServerMessage,
  TabInfo,
} from '../session/protocol.js';
import { foldTabs, samePage } from '../session/tab-state.js';
import { type ChatLine, chatLineOf } from './chat-line.js';
import type { Status } from './connection.js';

export type { ChatLine };

/** A question no host has taken up yet: hosts see every one, an asker their own. */
export interface OpenQuestion {
  seq: number;
  from: string;
  name: string;
  text: string;
}

/** A line as typed here, before the server has ordered it. */
export interface Outgoing {
  text: string;
  to?: string[];
  /** A question for the hosts rather than a chat line. */
  question?: true;
}

/** What a line typed here is sent as. */
export function outgoingMessage(line: Outgoing): ClientMessage {
  return line.question
    ? { type: 'question', text: line.text }
    : { type: 'chat', text: line.text, ...(line.to ? { to: line.to } : {}) };
}

export interface SessionState {
  me: ParticipantInfo | null;
  participants: ParticipantInfo[];
  /** How many more follow a large session, counted but not listed. */
  audience: number;
  /** Every open tab, in the order they were opened. */
  tabs: TabInfo[];
  /** The tab those in control look at. */
  activeTab: string | null;
  /** The tab this person chose to look at instead of following; null follows `activeTab`. */
  chosenTab: string | null;
  /** The tab this viewer shows (the one `viewedTabId` names). */
  tab: TabInfo | null;
  /** That tab's baton. */
  baton: BatonState;
  batonPolicy: 'support' | 'collaboration';
  /** Whether this session shows chat lines as they are typed. */
  liveTyping: boolean;
  /** In such a session, each typist's line so far. */
  drafts: Record<string, string>;
  chat: ChatLine[];
  /** Lines typed here that the server has not ordered yet (shown as "sending"). */
  outbox: Outgoing[];
  status: Status;
  retryIn: number;
  /** Where each other participant points, anchored to an element. */
  pointers: Record<string, { node: number; x: number; y: number; laser?: boolean }>;
  /** When each participant last did anything the others saw (this browser's clock). */
  lastActive: Record<string, number>;
  /** Clicks the person in control made, shown to the others for a moment. */
  ripples: Array<{ seq: number; node: number; from: string }>;
  /** Participants typing a chat line right now. */
  typing: string[];
  /** Participants who asked for the baton and have not been answered. */
  requests: string[];
  /** The tab each of them asked for. */
  requestedTab: Record<string, string>;
  questions: OpenQuestion[];
  /** A host locked the session: the invite link lets nobody new in. */
  locked: boolean;
  /** How often the invite link was replaced while this viewer was open: the host's copy is fetched again. */
  inviteChanges: number;
  notice: string | null;
}

export const initialState: SessionState = {
  me: null,
  participants: [],
  audience: 0,
  tabs: [],
  activeTab: null,
  chosenTab: null,
  tab: null,
  baton: { holder: null, epoch: 0 },
  batonPolicy: 'support',
  liveTyping: false,
  drafts: {},
  ripples: [],
  lastActive: {},
  chat: [],
  outbox: [],
  status: 'connecting',
  retryIn: 0,
  pointers: {},
  typing: [],
  requests: [],
  requestedTab: {},
  questions: [],
  locked: false,
  inviteChanges: 0,
  notice: null,
};

export type Action =
  /** `receivedAt`: this browser's clock when it arrived (idle is judged on one clock). */
  | { kind: 'server'; msg: ServerMessage; receivedAt: number }
  | { kind: 'status'; status: Status; retryIn: number }
  | { kind: 'queue'; line: Outgoing }
  | { kind: 'dismiss-request'; id: string }
  | { kind: 'notice'; text: string | null }
  | { kind: 'ripple.done'; seq: number }
  /** Look at this tab; the active tab again means following those in control. */
  | { kind: 'view-tab'; tab: string };

const upsert = (list: ParticipantInfo[], p: ParticipantInfo) =>
  list.some((x) => x.id === p.id) ? list.map((x) => (x.id === p.id ? p : x)) : [...list, p];

/** Pure: how each message from the server changes what the viewer shows. */
export function reduce(state: SessionState, action: Action): SessionState {
  switch (action.kind) {
    case 'status':
      return { ...state, status: action.status, retryIn: action.retryIn };
    case 'queue':
      return { ...state, outbox: [...state.outbox, action.line] };
    case 'dismiss-request':
      return { ...state, requests: state.requests.filter((r) => r !== action.id) };
    case 'ripple.done':
      return { ...state, ripples: state.ripples.filter((r) => r.seq > action.seq) };
    case 'notice':
      return { ...state, notice: action.text };
    case 'view-tab':
      return viewing({ ...state, chosenTab: action.tab === state.activeTab ? null : action.tab });
    case 'server': {
      const next = viewing(onServer(state, action.msg));
      const msg = action.msg;
      // Anything a participant sent counts as activity; what the server sends on its own does not.
      if ('from' in msg && msg.type !== 'left' && msg.type !== 'removed' && msg.from !== 'server') {
        return { ...next, lastActive: { ...next.lastActive, [msg.from]: action.receivedAt } };
      }
      return next;
    }
  }
}

/** The id of the tab this viewer shows: the one chosen while it is open, else the active one. */
export function viewedTabId(state: SessionState): string | null {
  const open = (id: string | null) => id !== null && state.tabs.some((t) => t.id === id);
  if (open(state.chosenTab)) return state.chosenTab;
  return open(state.activeTab) ? state.activeTab : (state.tabs[0]?.id ?? null);
}

/**
 * Keeps `tab` and `baton` on the viewed tab; what is drawn on a page (pointers, ripples) belongs to
 * the page that was shown.
 */
function viewing(state: SessionState): SessionState {
  const id = viewedTabId(state);
  const tab = state.tabs.find((t) => t.id === id) ?? null;
  const chosenTab = state.chosenTab === id ? state.chosenTab : null;
  const baton = tab?.baton ?? state.baton;
  if (tab?.id === state.tab?.id) return { ...state, tab, chosenTab, baton };
  return { ...state, tab, chosenTab, baton, pointers: {}, ripples: [] };
}

const isViewed = (state: SessionState, tab: string) => state.tab?.id === tab;

function onServer(state: SessionState, msg: ServerMessage): SessionState {
  switch (msg.type) {
    case 'welcome':
      return {
        ...state,
        me: msg.you,
        participants: msg.participants,
        audience: msg.audience,
        tabs: msg.tabs,
        activeTab: msg.activeTab,
        baton: msg.baton,
        batonPolicy: msg.batonPolicy,
        liveTyping: msg.liveTyping,
        locked: msg.locked,
        requests: [],
        // The open ones follow the welcome again.
        questions: [],
      };
    case 'pointer':
      if (!isViewed(state, msg.tab)) return state;
      return {
        ...state,
        pointers: {
          ...state.pointers,
          [msg.from]: { node: msg.node, x: msg.x, y: msg.y, ...(msg.laser ? { laser: true } : {}) },
        },
      };
    case 'pointer.leave':
      return { ...state, pointers: without(state.pointers, msg.from) };
    case 'click':
      // Others see where the person in control clicked; their own click needs no ripple.
      if (msg.from === state.me?.id || !isViewed(state, msg.tab)) return state;
      return { ...state, ripples: [...state.ripples, { seq: msg.seq, node: msg.node, from: msg.from }] };
    case 'typing':
      return {
        ...state,
        typing: msg.active
          ? [...state.typing.filter((t) => t !== msg.from), msg.from]
          : state.typing.filter((t) => t !== msg.from),
        drafts:
          msg.active && msg.text !== undefined
            ? { ...state.drafts, [msg.from]: msg.text }
            : without(state.drafts, msg.from),
      };
    case 'chat': {
      if (state.chat.some((c) => c.seq === msg.seq)) return state;
      const line = chatLineOf(msg);
      const chat = [...state.chat, line].sort((a, b) => a.seq - b.seq);
      const mine =
        msg.from === state.me?.id ? state.outbox.findIndex((o) => !o.question && o.text === msg.text) : -1;
      const outbox = mine === -1 ? state.outbox : state.outbox.filter((_, i) => i !== mine);
      return {
        ...state,
        chat,
        outbox,
        questions: msg.question ? state.questions.filter((q) => q.seq !== msg.question) : state.questions,
        typing: state.typing.filter((t) => t !== msg.from),
        drafts: without(state.drafts, msg.from),
      };
    }
    case 'audience':
      return { ...state, audience: msg.count };
    case 'joined':
      return { ...state, participants: upsert(state.participants, msg.participant) };
    case 'left':
      return {
        ...state,
        participants: state.participants.map((p) =>
          p.id === msg.participant ? { ...p, connected: false } : p,
        ),
        requests: state.requests.filter((r) => r !== msg.participant),
      };
    case 'removed': {
      const { [msg.participant]: _gone, ...pointers } = state.pointers;
      return {
        ...state,
        participants: state.participants.filter((p) => p.id !== msg.participant),
        requests: state.requests.filter((r) => r !== msg.participant),
        typing: state.typing.filter((t) => t !== msg.participant),
        pointers,
        tabs: withTabs(state, msg).tabs,
      };
    }
    case 'baton':
      return { ...withTabs(state, msg), requests: state.requests.filter((r) => r !== msg.holder) };
    case 'baton.request':
      return {
        ...state,
        requests: state.requests.includes(msg.from) ? state.requests : [...state.requests, msg.from],
        requestedTab: { ...state.requestedTab, [msg.from]: msg.tab },
      };
    case 'tab.focus':
      // Where this person chose to look becoming the active tab means following again.
      return {
        ...withTabs(state, msg),
        chosenTab: state.chosenTab === msg.tab ? null : state.chosenTab,
      };
    case 'location': {
      const same = samePage(state.tabs.find((t) => t.id === msg.tab)?.url, msg);
      const next = withTabs(state, msg);
      // Pointers on the page that was shown go with it.
      return same || !isViewed(state, msg.tab) ? next : { ...next, pointers: {} };
    }
    case 'error':
      return { ...state, notice: msg.message };
    case 'snapshot.request':
      return state;
    case 'question': {
      if (state.questions.some((q) => q.seq === msg.seq)) return state;
      const mine =
        msg.from === state.me?.id ? state.outbox.findIndex((o) => o.question && o.text === msg.text) : -1;
      return {
        ...state,
        questions: [...state.questions, { seq: msg.seq, from: msg.from, name: msg.name, text: msg.text }],
        outbox: mine === -1 ? state.outbox : state.outbox.filter((_, i) => i !== mine),
      };
    }
    case 'question.dismissed': {
      const mine = state.questions.find((q) => q.seq === msg.question && q.from === state.me?.id);
      return {
        ...state,
        questions: state.questions.filter((q) => q.seq !== msg.question),
        notice: mine && state.me?.role !== 'owner' ? 'The host set your question aside.' : state.notice,
      };
    }
    case 'session.locked':
      return {
        ...state,
        locked: msg.locked,
        notice: msg.locked
          ? 'The session is locked: nobody new can join with the invite link.'
          : 'The session is open again: the invite link lets people in.',
      };
    case 'invite.changed':
      return {
        ...state,
        inviteChanges: state.inviteChanges + 1,
        notice:
          'The invite link has changed, so the person you removed cannot come back with it. Share the new link with anyone still to join.',
      };
    case 'tab':
      return { ...withTabs(state, msg), notice: handOverNotice(state, msg) ?? state.notice };
    default:
      return withTabs(state, msg);
  }
}

/** What this person is told when a tab's page moves between two browsers and one of them is theirs. */
function handOverNotice(state: SessionState, msg: Extract<RelayedMessage, { type: 'tab' }>): string | null {
  const before = state.tabs.find((t) => t.id === msg.tab.id)?.owner ?? null;
  const after = msg.tab.owner;
  const me = state.me?.id;
  if (!me || before === null || after === null || before === after) return null;
  const page = msg.tab.title || msg.tab.url || 'The page';
  if (after === me) return `${page} now runs in your browser, with the session's sign-ins.`;
  if (before === me) return `${page} now runs in ${nameOf(state, after)}'s browser.`;
  return null;
}

/** `state` with its tabs as `msg` leaves them. */
function withTabs(state: SessionState, msg: RelayedMessage): SessionState {
  const folded = foldTabs(state, msg);
  return folded === state ? state : { ...state, tabs: folded.tabs, activeTab: folded.activeTab };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}

export const nameOf = (state: SessionState, id: string | null) =>
  state.participants.find((p) => p.id === id)?.name ?? 'someone';

/** After this long without anything the others saw, a connected participant shows as idle. */
export const IDLE_AFTER_MS = 2 * 60_000;

/** Connected, but quiet for a while (this browser's clock, like `lastActive`); never seen active is not idle. */
export function isIdle(state: SessionState, id: string, now: number): boolean {
  const p = state.participants.find((x) => x.id === id);
  const last = state.lastActive[id];
  return !!p?.connected && last !== undefined && now - last > IDLE_AFTER_MS;
}
