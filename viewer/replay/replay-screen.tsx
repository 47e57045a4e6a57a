import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { TabStrip } from '../tab-strip.js';
import { ApiError, events, exportUrl, type SessionSummary } from './api.js';
import { AttendancePanel } from './attendance-panel.js';
import { ChatPane } from './chat-pane.js';
import { Controls } from './controls.js';
import type { NameOf } from './describe.js';
import { EventsList } from './events-list.js';
import { dateTime } from './format.js';
import { MarksLayer } from './marks-layer.js';
import { opening } from './opening.js';
import type { Players } from './players.js';
import { attendance, marksOn, SceneCursor, Timeline, viewedTab } from './timeline.js';
import { VerifyBadge } from './verify-badge.js';

const PAGE = 5000;
/** How often the screen follows the playing replay (the page itself plays at full frame rate). */
const FOLLOW_MS = 100;

const nextTask = () => new Promise((r) => setTimeout(r, 0));

/** The server time in `?t=`, if any: the replay opens paused there. */
function requestedTime(): number | null {
  const t = Number(new URLSearchParams(location.search).get('t') ?? '');
  return Number.isFinite(t) && t > 0 ? t : null;
}

type Phase = 'loading' | 'ready' | 'failed';

/**
 * One archived session, replayed as it happened, with its chat, events and attendance alongside. It
 * shows the tab those in control were looking at, moment by moment, unless the auditor pins another.
 */
export function ReplayScreen({ session, expired }: { session: string; expired: () => void }) {
  const timeline = useMemo(() => new Timeline(), [session]);
  const [summary, setSummary] = useState<SessionSummary | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [problem, setProblem] = useState<string | null>(null);
  const [player, setPlayer] = useState<Players | null>(null);
  /** The tab the auditor chose to watch instead of following the session; null follows it. */
  const [pinned, setPinned] = useState<string | null>(null);
  const pinnedRef = useRef<string | null>(null);
  pinnedRef.current = pinned;
  /** Bumped as pages arrive: the timeline is appended to in place. */
  const [read, setRead] = useState({ markers: 0, done: false });
  const [time, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [skip, setSkip] = useState(false);
  /** A time asked for that the archive has not been read up to yet. */
  const [waitingFor, setWaitingFor] = useState<number | null>(null);
  const stage = useRef<HTMLDivElement>(null);
  const waiting = useRef<number | null>(null);
  const playingRef = useRef(false);
  playingRef.current = playing;
  /** Played to the end: play starts over. */
  const ended = useRef(false);

  const start = summary?.createdAt ?? 0;
  const end = Math.max(start, summary?.endedAt ?? summary?.lastAt ?? start, timeline.lastAt ?? start);
  const loadedUntil = read.done ? end : (timeline.lastAt ?? start);

  const cursor = useMemo(() => new SceneCursor(timeline.sceneMessages), [timeline]);
  /** The tab to show at a time: the pinned one while it is open, else the one in use then. */
  const tabAt = useCallback(
    (at: number) => viewedTab(cursor.at(at), pinnedRef.current)?.id ?? 't1',
    [cursor],
  );

  const show = useCallback(
    (p: Players, at: number, play: boolean) => {
      ended.current = false;
      p.show(tabAt(at), at, play);
      setTime(at);
      setPlaying(play);
    },
    [tabAt],
  );

  useEffect(() => {
    let alive = true;
    let made: Players | null = null;
    const wanted = requestedTime();
    const begun = opening(session);
    const load = async () => {
      const [s, first] = await Promise.all([begun.summary, begun.first]);
      if (!alive) return;
      setSummary(s);
      timeline.add(first.events);
      let next = first.next;
      while (timeline.firstFrameAt === null && next !== null) {
        const page = await events(session, next, PAGE);
        if (!alive) return;
        timeline.add(page.events);
        next = page.next;
      }
      const { Players } = await begun.players;
      if (!alive || !stage.current) return;
      const spanEnd = Math.max(s.endedAt ?? s.lastAt ?? s.createdAt, timeline.lastAt ?? s.createdAt);
      const span = { start: s.createdAt, end: spanEnd };
      const p = new Players(
        stage.current,
        span,
        (tab) => timeline.recording(tab),
        () => {
          ended.current = true;
          setPlaying(false);
          setTime(p.now());
        },
      );
      made = p;
      setPlayer(p);
      const covered = (t: number) => next === null || (timeline.lastAt ?? 0) > t;
      show(p, timeline.firstFrameAt ?? s.createdAt, false);
      waiting.current = wanted;
      setWaitingFor(wanted);
      setPhase('ready');
      setRead({ markers: timeline.markers.length, done: next === null });
      const settle = async () => {
        const t = waiting.current;
        if (t === null || !covered(t)) return;
        // rrweb takes added events in a microtask; seek once it has them all.
        await nextTask();
        if (!alive || waiting.current !== t) return;
        waiting.current = null;
        setWaitingFor(null);
        show(p, t, playingRef.current);
      };
      await settle();
      while (next !== null) {
        const page = await events(session, next, PAGE);
        if (!alive) return;
        for (const [tab, recorded] of timeline.add(page.events)) p.add(tab, recorded);
        next = page.next;
        setRead({ markers: timeline.markers.length, done: next === null });
        await settle();
      }
    };
    load().catch((e: Error) => {
      if (!alive) return;
      if (e instanceof ApiError && e.status === 401) return expired();
      if (e instanceof ApiError && e.status === 404) setProblem('There is no archived session with this id.');
      else if (made) setProblem(`The rest of the session could not be loaded: ${e.message}`);
      else setProblem(`The session could not be loaded: ${e.message}`);
      // What is already shown stays: only the part not read yet is missing.
      setPhase(made ? 'ready' : 'failed');
    });
    return () => {
      alive = false;
      made?.destroy();
    };
  }, [session, timeline]);

  useEffect(() => {
    if (!playing || !player) return;
    let frame = 0;
    let last = 0;
    const follow = (now: number) => {
      if (now - last >= FOLLOW_MS) {
        last = now;
        setTime(player.now());
      }
      frame = requestAnimationFrame(follow);
    };
    frame = requestAnimationFrame(follow);
    return () => cancelAnimationFrame(frame);
  }, [playing, player]);

  const seek = useCallback(
    (to: number) => {
      if (!player) return;
      const t = Math.min(Math.max(to, start), end);
      if (t > loadedUntil) {
        waiting.current = t;
        setWaitingFor(t);
        return;
      }
      waiting.current = null;
      setWaitingFor(null);
      show(player, t, playingRef.current);
    },
    [player, start, end, loadedUntil, show],
  );

  const toggle = useCallback(() => {
    if (!player) return;
    if (playingRef.current) {
      player.pause();
      setTime(player.now());
      setPlaying(false);
    } else if (ended.current || time >= end) {
      show(player, timeline.firstFrameAt ?? start, true);
    } else {
      show(player, time, true);
    }
  }, [player, time, start, end, timeline, show]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== ' ' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      // Space belongs to whatever control has focus, except the timeline, where it means play.
      if (t?.closest('button, a, select, textarea, input:not([type="range"]), [contenteditable]')) return;
      e.preventDefault();
      toggle();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [toggle]);

  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of summary?.participants ?? []) m.set(p.id, p.name);
    return m;
  }, [summary]);
  const nameOf: NameOf = useCallback(
    (id) => (id === null ? 'nobody' : (timeline.names.get(id) ?? names.get(id) ?? 'someone')),
    [timeline, names, read.markers],
  );
  const people = useMemo(
    () => attendance(timeline.markers, summary?.participants ?? []),
    [timeline, summary, read.markers],
  );
  const scene = cursor.at(time);
  const viewed = viewedTab(scene, pinned);
  const marks = viewed ? marksOn(scene, viewed) : null;
  const firstFrame = viewed ? timeline.firstFrames.get(viewed.id) : undefined;
  const recordedYet = firstFrame !== undefined && time >= firstFrame;

  // Playing on into another tab's time, or pinning a tab, shows that tab's page at the same moment.
  useEffect(() => {
    if (player && viewed && player.tab !== null && player.tab !== viewed.id)
      player.show(viewed.id, player.now(), playingRef.current);
  }, [player, viewed?.id]);
  const markers = useMemo(() => timeline.markers.slice(0, read.markers), [timeline, read.markers]);
  const chat = timeline.chatUntil(time);

  return (
    <div class="replay">
      <header class="replay-head">
        <a href="/archive">← Archive</a>
        <h1>Session replay</h1>
        {summary && (
          <span class="meta">
            {dateTime(summary.createdAt)}
            {summary.startUrl ? ` · ${summary.startUrl}` : ''}
          </span>
        )}
        <span class="spacer" />
        <VerifyBadge session={session} ready={phase !== 'loading'} />
        <a class="button" href={exportUrl(session)} download data-testid="replay-export">
          Export
        </a>
      </header>
      <div class="replay-body">
        <main class="replay-stage" aria-label="Replayed page">
          {viewed && (
            <TabStrip
              tabs={scene.tabs}
              viewed={viewed.id}
              active={scene.activeTab}
              onView={(tab) => setPinned(tab === scene.activeTab ? null : tab)}
            />
          )}
          <div class="replay-view">
            <div class="replay-pages" ref={stage} />
            <MarksLayer player={player} marks={marks} nameOf={nameOf} />
            {phase === 'loading' && (
              <div class="placeholder" role="status">
                <p>Loading the session…</p>
              </div>
            )}
            {phase === 'failed' && (
              <div class="placeholder" role="alert">
                <p>{problem}</p>
              </div>
            )}
            {phase === 'ready' && timeline.firstFrameAt === null && read.done && (
              <div class="placeholder" role="status">
                <p>No page was recorded in this session.</p>
              </div>
            )}
            {phase === 'ready' && timeline.firstFrameAt !== null && !recordedYet && (
              <div class="placeholder covering" role="status">
                <p>The page was not being recorded yet at this point.</p>
              </div>
            )}
            {waitingFor !== null && phase === 'ready' && (
              <div class="banner" role="status">
                Reading the archive up to this point…
              </div>
            )}
            {phase === 'ready' && problem && (
              <div class="banner" role="alert">
                {problem}
              </div>
            )}
          </div>
        </main>
        <aside class="replay-side" aria-label="Session details">
          <EventsList
            markers={timeline.markers}
            count={read.markers}
            time={time}
            nameOf={nameOf}
            seek={seek}
          />
          <ChatPane lines={chat} nameOf={nameOf} />
          <AttendancePanel people={people} time={time} />
        </aside>
      </div>
      <Controls
        start={start}
        end={end}
        time={time}
        loadedUntil={loadedUntil}
        playing={playing}
        speed={speed}
        skip={skip}
        markers={markers}
        nameOf={nameOf}
        toggle={toggle}
        seek={seek}
        setSpeed={(s) => {
          setSpeed(s);
          player?.configure(s, skip);
        }}
        setSkip={(k) => {
          setSkip(k);
          player?.configure(speed, k);
        }}
      />
    </div>
  );
}
