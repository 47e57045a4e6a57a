/**
 * A session's tabs as its ordered stream tells them: which are open, each one's address, marks and
 * baton, and which one is active. Pure, without zod: the viewer keeps its tab strip with it, the
 * room rebuilds its tabs from the archive with it after a restart, and the replay follows the
 * session's tabs over time with it, so all three read the stream by the same rules.
 */
import { keepStroke } from './drawing.js';
import type { RelayedMessage, TabInfo } from './protocol.js';
import { addVisit } from './visited.js';

export interface TabsState {
  /** Open tabs in the order they were opened. */
  tabs: TabInfo[];
  /** The tab those in control look at. */
  activeTab: string | null;
}

/**
 * The message types that change `TabsState`. The archive indexes exactly these
 * (`archive_events_tabs`), so a room can be rebuilt without reading the recording.
 */
export const TAB_STATE_TYPES: ReadonlySet<string> = new Set([
  'tab',
  'tab.closed',
  'tab.focus',
  'location',
  'highlight',
  'highlight.clear',
  'stroke',
  'stroke.clear',
  'baton',
  'removed',
]);

/** The tab a session starts with, before anyone runs its page. */
export const firstTab = (id: string, url: string | null): TabInfo => ({
  id,
  owner: null,
  url,
  title: '',
  highlights: [],
  strokes: [],
  visited: [],
  baton: { holder: null, epoch: 0 },
});

/** `state` with the tab `id` changed by `change` (unchanged when there is no such tab). */
function onTab(state: TabsState, id: string, change: (tab: TabInfo) => TabInfo): TabsState {
  return { ...state, tabs: state.tabs.map((t) => (t.id === id ? change(t) : t)) };
}

/** Annotations after a clear: everyone's, or only the sender's. */
function cleared<T extends { author: string }>(list: T[], msg: { from: string; all?: boolean }): T[] {
  return msg.all ? [] : list.filter((a) => a.author !== msg.from);
}

/** How one relayed message changes the tabs; the same state for any message that does not. */
/**
 * Whether a tab at `url` is still on the same page after this location report. A new page, or the
 * same one loaded again, numbers its elements afresh, so what is anchored to the old page's
 * elements (marks, pointers) goes.
 */
export function samePage(url: string | null | undefined, report: { url: string; load?: true }): boolean {
  return url === report.url && !report.load;
}

export function foldTabs(state: TabsState, msg: RelayedMessage): TabsState {
  switch (msg.type) {
    case 'tab': {
      // Archived by an earlier build, a tab may lack fields added since (its baton, its strokes).
      const tab = { ...firstTab(msg.tab.id, msg.tab.url), ...msg.tab };
      return state.tabs.some((t) => t.id === tab.id)
        ? onTab(state, tab.id, () => tab)
        : { ...state, tabs: [...state.tabs, tab] };
    }
    case 'tab.closed':
      return { ...state, tabs: state.tabs.filter((t) => t.id !== msg.tab) };
    case 'tab.focus':
      return { ...state, activeTab: msg.tab };
    case 'location':
      return onTab(state, msg.tab, (t) => {
        const same = samePage(t.url, msg);
        return {
          ...t,
          url: msg.url,
          title: msg.title,
          highlights: same ? t.highlights : [],
          strokes: same ? t.strokes : [],
          visited: addVisit(t.visited, msg.url, msg.title, msg.at),
        };
      });
    case 'highlight':
      // One highlight per author: a new one replaces the author's previous one.
      return onTab(state, msg.tab, (t) => ({
        ...t,
        highlights: [
          ...t.highlights.filter((h) => h.author !== msg.from),
          { author: msg.from, node: msg.node },
        ],
      }));
    case 'highlight.clear':
      return onTab(state, msg.tab, (t) => ({ ...t, highlights: cleared(t.highlights, msg) }));
    case 'stroke': {
      const { seq: _seq, at: _at, from, type: _type, tab, ...fields } = msg;
      return onTab(state, tab, (t) => ({
        ...t,
        strokes: keepStroke(t.strokes, { author: from, ...fields }),
      }));
    }
    case 'stroke.clear':
      return onTab(state, msg.tab, (t) => ({ ...t, strokes: cleared(t.strokes, msg) }));
    case 'baton':
      // A late baton message (from before a welcome that already had a newer one) changes nothing.
      return onTab(state, msg.tab, (t) =>
        msg.epoch < t.baton.epoch ? t : { ...t, baton: { holder: msg.holder, epoch: msg.epoch } },
      );
    case 'removed':
      return {
        ...state,
        tabs: state.tabs.map((t) => ({
          ...t,
          highlights: t.highlights.filter((h) => h.author !== msg.participant),
          strokes: t.strokes.filter((s) => s.author !== msg.participant),
        })),
      };
    default:
      return state;
  }
}

/** What a room continues from after a restart: its tabs as they were, and how many were ever opened. */
export interface RestoredTabs extends TabsState {
  activeTab: string;
  /** Tab ids are `t<n>` and never reused: the highest n so far. */
  opened: number;
}

/**
 * A session's tabs rebuilt from its archived tab events (`TAB_STATE_TYPES`, in `seq` order). Nobody
 * runs a page or holds a baton in a room that has just opened: owners are whoever connects with the
 * owner role, as in any room, and each baton continues its epoch so input sent under an older
 * hand-over is still refused.
 */
export function restoreTabs(startUrl: string | null, events: Iterable<RelayedMessage>): RestoredTabs {
  let state: TabsState = { tabs: [firstTab('t1', startUrl)], activeTab: 't1' };
  let opened = 1;
  for (const msg of events) {
    state = foldTabs(state, msg);
    if (msg.type === 'tab') opened = Math.max(opened, Number(/^t(\d+)$/.exec(msg.tab.id)?.[1] ?? 0));
  }
  const tabs = state.tabs.map((t) => ({ ...t, owner: null, baton: { holder: null, epoch: t.baton.epoch } }));
  const first = tabs[0] ?? firstTab('t1', startUrl);
  const activeTab = tabs.some((t) => t.id === state.activeTab) ? (state.activeTab as string) : first.id;
  return { tabs: tabs.length > 0 ? tabs : [first], activeTab, opened };
}
