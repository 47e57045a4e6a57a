/**
 * The wire protocol between browsers and the server (docs/protocol.md describes every message).
 * This module is shared by the server and the browser bundles: the zod schemas validate what a
 * browser sends; the TypeScript types describe what the server sends.
 */
import { z } from 'zod';

import type { Point, Stroke, StrokeShape } from './drawing.js';
import { MAX_CHAT_LENGTH, MAX_CHAT_RECIPIENTS, MAX_STROKE_OFFSET, MAX_STROKE_POINTS } from './limits.js';
import type { Visit } from './visited.js';

export { MAX_CHAT_LENGTH, MAX_CONTROL_FRAME_BYTES, MAX_FRAME_BYTES } from './limits.js';

const tab = z.string().min(1).max(64);
const nodeId = z.number().int().min(0);
const coordinate = z.number().finite().min(-1e7).max(1e7);
const fraction = z.number().finite().min(0).max(1);
const strokeOffset = z.number().finite().min(-MAX_STROKE_OFFSET).max(MAX_STROKE_OFFSET);
/** The baton epoch the sender acted under; input from an earlier tenure is refused, not replayed. */
const epoch = z.number().int().min(0).optional();

/** rrweb events are validated for shape here; their payload is rrweb's own format. */
const recorderEvent = z.looseObject({ type: z.number().int().min(0).max(10), timestamp: z.number() });

export const clientMessage = z.discriminatedUnion('type', [
  // `to`: a private line (a sidebar) to these participants; the sender always sees it too.
  z.strictObject({
    type: z.literal('chat'),
    text: z.string().trim().min(1).max(MAX_CHAT_LENGTH),
    to: z.array(z.string().min(1).max(64)).min(1).max(MAX_CHAT_RECIPIENTS).optional(),
  }),
  // A question for the hosts to take up: only they and the asker see it until a host shows it.
  z.strictObject({ type: z.literal('question'), text: z.string().trim().min(1).max(MAX_CHAT_LENGTH) }),
  // A host shows an open question to everyone (as the asker's chat line), or sets it aside.
  z.strictObject({ type: z.literal('question.show'), question: z.number().int().min(1) }),
  z.strictObject({ type: z.literal('question.dismiss'), question: z.number().int().min(1) }),
  z.strictObject({ type: z.literal('resume'), after: z.number().int().min(0) }),
  // For this connection: `ownLocation: false` stops the tab owner's own `location` coming back to it.
  z.strictObject({ type: z.literal('prefs'), ownLocation: z.boolean() }),
  // `text`: the line so far, relayed only in sessions that show lines as they are typed.
  z.strictObject({
    type: z.literal('typing'),
    active: z.boolean(),
    text: z.string().max(MAX_CHAT_LENGTH).optional(),
  }),
  // A problem in this browser worth an operator's attention (the recorder failing); logged, not relayed.
  z.strictObject({
    type: z.literal('report'),
    kind: z.enum(['recorder-error']),
    message: z.string().max(2000),
  }),
  // Pointers and highlights are anchored to a page element (rrweb node id), at a position given as
  // fractions of its box, so they land on the same thing in viewers of any size and scroll.
  // `laser`: drawn as a laser dot instead of a named pointer.
  z.strictObject({
    type: z.literal('pointer'),
    tab,
    node: nodeId,
    x: fraction,
    y: fraction,
    laser: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('pointer.leave'), tab }),
  z.strictObject({ type: z.literal('highlight'), tab, node: nodeId }),
  z.strictObject({ type: z.literal('highlight.clear'), tab, all: z.boolean().optional() }),
  // A free-hand stroke or an arrow, anchored to the element under its first point; points are page
  // pixels from that element's corner. Sent again as it grows (same id), with `done` when finished.
  z.strictObject({
    type: z.literal('stroke'),
    tab,
    id: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
    node: nodeId,
    shape: z.enum(['free', 'arrow']),
    points: z
      .array(z.tuple([strokeOffset, strokeOffset]))
      .min(1)
      .max(MAX_STROKE_POINTS),
    done: z.boolean(),
  }),
  z.strictObject({ type: z.literal('stroke.clear'), tab, all: z.boolean().optional() }),
  z.strictObject({ type: z.literal('baton.request'), tab: tab.optional() }),
  z.strictObject({ type: z.literal('baton.give'), to: z.string().min(1).max(64), tab: tab.optional() }),
  z.strictObject({ type: z.literal('baton.take'), tab: tab.optional() }),
  // A new tab beside `tab` (the first tab when absent), loaded by the browser that runs that one.
  z.strictObject({ type: z.literal('tab.open'), url: z.string().min(1).max(8192), tab: tab.optional() }),
  z.strictObject({ type: z.literal('tab.close'), tab }),
  // The tab's page moves to `to`'s browser, which loads it again there with the session's cookies.
  z.strictObject({ type: z.literal('tab.give'), tab, to: z.string().min(1).max(64) }),
  // The tab those in control look at now: followers' viewers go there unless they look elsewhere.
  z.strictObject({ type: z.literal('tab.focus'), tab }),
  // The host sends a follower out of the session for good.
  z.strictObject({ type: z.literal('participant.remove'), participant: z.string().min(1).max(64) }),
  // A host closes the invite link to newcomers (`locked: true`) or opens it again.
  z.strictObject({ type: z.literal('session.lock'), locked: z.boolean() }),
  z.strictObject({ type: z.literal('rec'), tab, events: z.array(recorderEvent).min(1).max(10000) }),
  z.strictObject({
    type: z.literal('location'),
    tab,
    url: z.url({ protocol: /^https?$/ }).max(8192),
    title: z.string().max(1000),
    // The first report of a newly loaded document, even at the same URL (a reload).
    load: z.literal(true).optional(),
  }),
  z.strictObject({ type: z.literal('nav'), tab, url: z.string().min(1).max(8192), epoch }),
  z.strictObject({
    type: z.literal('scroll'),
    tab,
    x: coordinate,
    y: coordinate,
    node: nodeId.optional(),
    epoch,
  }),
  z.strictObject({
    type: z.literal('click'),
    tab,
    epoch,
    node: nodeId,
    x: coordinate.optional(),
    y: coordinate.optional(),
  }),
  z.strictObject({
    type: z.literal('input'),
    tab,
    epoch,
    node: nodeId,
    value: z.string().max(100_000).optional(),
    checked: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('history'), tab, epoch, action: z.enum(['back', 'forward', 'reload']) }),
  z.strictObject({
    type: z.literal('key'),
    tab,
    epoch,
    node: nodeId.optional(),
    key: z.enum(['Enter', 'Tab', 'Escape', 'Backspace', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']),
  }),
]);

export type ClientMessage = z.infer<typeof clientMessage>;
export type ClientMessageType = ClientMessage['type'];

/** Input and navigation: accepted only from the baton holder, executed by the tab owner's runtime. */
export const CONTROL_TYPES = ['nav', 'history', 'scroll', 'click', 'input', 'key'] as const;
export type ControlMessage = Extract<ClientMessage, { type: (typeof CONTROL_TYPES)[number] }>;
export const isControl = (m: ClientMessage): m is ControlMessage =>
  (CONTROL_TYPES as readonly string[]).includes(m.type);

export type ParticipantRole = 'owner' | 'follower';

export interface ParticipantInfo {
  id: string;
  name: string;
  role: ParticipantRole;
  connected: boolean;
  /** Only in a hidden monitor's own view of themselves: nobody else knows they are there. */
  hidden?: true;
}

export interface TabInfo {
  id: string;
  owner: string | null;
  url: string | null;
  title: string;
  /** Element highlights on the current page, by author. */
  highlights: Array<{ author: string; node: number }>;
  /** Free-hand strokes and arrows on the current page, oldest first. */
  strokes: Stroke[];
  /** Pages visited in this tab, oldest first (the last 50). */
  visited: Visit[];
  /** Who holds this tab's baton, and the epoch of that hand-over. */
  baton: BatonState;
}

export interface BatonState {
  holder: string | null;
  epoch: number;
}

/** Fields the server adds to every message it relays. */
export interface Ordered {
  seq: number;
  at: number;
  from: string;
}

type Relayed<T> = T & Ordered;

export type RelayedMessage =
  /** `question`, `shownBy`: an asker's question that a host showed to everyone (its seq, and who). */
  | Relayed<{ type: 'chat'; text: string; to?: string[]; question?: number; shownBy?: string }>
  /** To the hosts and the asker; `name` because an asker in the audience is not announced. */
  | Relayed<{ type: 'question'; text: string; name: string }>
  | Relayed<{ type: 'question.dismissed'; question: number }>
  | Relayed<{ type: 'typing'; active: boolean; text?: string }>
  | Relayed<{ type: 'pointer'; tab: string; node: number; x: number; y: number; laser?: boolean }>
  | Relayed<{ type: 'pointer.leave'; tab: string }>
  | Relayed<{ type: 'highlight'; tab: string; node: number }>
  | Relayed<{ type: 'highlight.clear'; tab: string; all?: boolean }>
  | Relayed<{
      type: 'stroke';
      tab: string;
      id: number;
      node: number;
      shape: StrokeShape;
      points: Point[];
      done: boolean;
    }>
  | Relayed<{ type: 'stroke.clear'; tab: string; all?: boolean }>
  | Relayed<{ type: 'joined'; participant: ParticipantInfo }>
  | Relayed<{ type: 'left'; participant: string }>
  /** How many follow a large session without being listed one by one (see `welcome.audience`). */
  | Relayed<{ type: 'audience'; count: number }>
  | Relayed<{ type: 'removed'; participant: string }>
  /** To the hosts: the invite link was replaced (see `removed`); the old one lets nobody in any more. */
  | Relayed<{ type: 'invite.changed' }>
  | Relayed<{ type: 'session.locked'; locked: boolean }>
  | Relayed<{ type: 'baton'; tab: string; holder: string | null; epoch: number }>
  | Relayed<{ type: 'baton.request'; tab: string }>
  /** A tab opened, or its owner changed. */
  | Relayed<{ type: 'tab'; tab: TabInfo }>
  | Relayed<{ type: 'tab.closed'; tab: string }>
  | Relayed<{ type: 'tab.focus'; tab: string }>
  | Relayed<{ type: 'rec'; tab: string; events: unknown[] }>
  | Relayed<{ type: 'location'; tab: string; url: string; title: string; load?: true }>
  | Relayed<ControlMessage>;

export type DirectMessage =
  | {
      type: 'welcome';
      you: ParticipantInfo;
      session: string;
      /** The stage: everyone announced one by one (and you). */
      participants: ParticipantInfo[];
      /** How many more are connected in the audience of a large session, counted but not listed. */
      audience: number;
      /** Every open tab, in the order they were opened. */
      tabs: TabInfo[];
      /** The tab those in control look at. */
      activeTab: string;
      /** The first tab's baton (each tab carries its own in `tabs`). */
      baton: BatonState;
      /** `support`: the host gives the baton; `collaboration`: anyone may take it. */
      batonPolicy: 'support' | 'collaboration';
      /** Whether chat lines are shown to others as they are typed. */
      liveTyping: boolean;
      /** Whether a host locked the session: the invite link lets nobody new in. */
      locked: boolean;
      /** Last seq before the replay that follows; `checkpoint` when it is a fresh state, not a resume. */
      seq: number;
      checkpoint: boolean;
    }
  | { type: 'error'; code: ErrorCode; message: string; ref?: string }
  /** To the tab owner: the recording since the last full snapshot has grown long; take a new one. */
  | { type: 'snapshot.request'; tab: string };

export type ServerMessage = RelayedMessage | DirectMessage;

export type ErrorCode =
  | 'bad-json'
  | 'bad-message'
  | 'too-big'
  | 'not-baton-holder'
  | 'stale-epoch'
  | 'mask-violation'
  | 'not-owner'
  | 'unknown-participant'
  | 'unknown-tab'
  | 'too-many-tabs'
  | 'last-tab'
  | 'bad-url'
  | 'rate-limited'
  /** A question that is not open (shown or dismissed already, or never asked). */
  | 'unknown-question'
  /** A hidden monitor may only whisper (private lines) until they barge in. */
  | 'watching';

/**
 * postMessage bridge between the runtime in the owner's live frame and the viewer that holds the
 * socket. Both ends check the other's origin and window before trusting a message.
 */
export type BridgeFromPage =
  | { tandem: 'rec'; events: unknown[] }
  | { tandem: 'error'; message: string }
  | { tandem: 'picked'; node: number }
  /** The owner draws on the live page with a drawing tool: the stroke so far, and when it is done. */
  | { tandem: 'stroke'; id: number; node: number; shape: StrokeShape; points: Point[]; done: boolean }
  | { tandem: 'location'; url: string; title: string; load?: true }
  /** The page asked for a new window (`window.open`, a link or form with a target): a tab of the session. */
  | { tandem: 'open'; url: string };

/**
 * A pointer, a highlight or a click ripple to draw on the page, anchored to an element (see the
 * pointer message), or a stroke (see the stroke message).
 */
export type Mark =
  | {
      kind: 'pointer' | 'highlight' | 'ripple';
      /** A pointer drawn as a laser dot. */
      laser?: boolean;
      node: number;
      x: number;
      y: number;
      label: string;
      colour: string;
    }
  | {
      kind: 'stroke';
      /** The stroke's id: the copy being drawn in this window replaces the room's older one. */
      id: number;
      node: number;
      shape: StrokeShape;
      points: Point[];
      label: string;
      colour: string;
    };

/** What a click on the page does while a tool is chosen: pick an element, or draw from it. */
export type Tool = 'highlight' | StrokeShape;

export type BridgeToPage =
  | { tandem: 'control'; message: ControlMessage & { from: string } }
  /** Everything others point at or highlight, to draw over the live page. */
  | { tandem: 'marks'; marks: Mark[] }
  /** With a tool active, the owner's next click or drag on the page picks or draws instead of acting. */
  /** `colour`: the owner's own, for the stroke they are drawing. */
  | { tandem: 'tool'; tool: Tool | null; colour: string }
  /** Sent after the viewer (re)connects: a fresh full snapshot replaces whatever was lost meanwhile. */
  | { tandem: 'snapshot' };
