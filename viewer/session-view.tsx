import { render } from 'preact';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { ClientMessage, Mark, Tool } from '../session/protocol.js';
import { type Joined, joinSession, translate } from './api.js';
import { BrandMark } from './brand.js';
import { Chat } from './chat.js';
import type { ViewerConfig } from './config.js';
import { Connection } from './connection.js';
import { CLOSED_CHECK_MS, type Floating, floatMirror, floatPage } from './float.js';
import { FormFooter } from './form-footer.js';
import { Help } from './help.js';
import { HistoryPanel } from './history-panel.js';
import { LiveFrame } from './live-frame.js';
import { loadMacros, type Macro, saveMacros } from './macros.js';
import { MacrosMenu } from './macros-menu.js';
import type { DrawnStroke } from './mirror.js';
import { Notifier } from './notify.js';
import { colourFor, People } from './people.js';
import { sidebarKey, sidebarsOf } from './rooms.js';
import { RoomsPanel } from './rooms-panel.js';
import { ShareLink } from './share.js';
import type { Outgoing } from './state.js';
import { initialState, nameOf, outgoingMessage, reduce } from './state.js';
import { Stream } from './stream.js';
import { TabStrip } from './tab-strip.js';
import { WhoPanel } from './who-panel.js';

const storageKey = (session: string) => `tandem:${session}`;

function remembered(session: string): Joined | null {
  try {
    return JSON.parse(sessionStorage.getItem(storageKey(session)) ?? 'null') as Joined | null;
  } catch {
    return null;
  }
}

/** How long a click ripple shows. */
const RIPPLE_MS = 900;

/** The server's error messages are lower-case clauses; the join form shows them as a sentence. */
const asSentence = (message: string) =>
  `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`;

/** Joins the session (asking for a name unless the link carries one), then shows the room. */
export function SessionView({ config, session }: { config: ViewerConfig; session: string }) {
  const params = new URLSearchParams(location.search);
  const key = params.get('key') ?? '';
  const [joined, setJoined] = useState<Joined | null>(() => remembered(session));
  const [name, setName] = useState(params.get('name') ?? '');
  const [error, setError] = useState<string | null>(
    key || joined ? null : 'This link is missing its key. Ask for the link again.',
  );
  const [busy, setBusy] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);

  const join = useCallback(
    async (who: string) => {
      setBusy(true);
      setError(null);
      try {
        const j = await joinSession(session, who, key);
        sessionStorage.setItem(storageKey(session), JSON.stringify(j));
        setJoined(j);
      } catch (e) {
        setError(asSentence((e as Error).message));
      } finally {
        setBusy(false);
      }
    },
    [session, key],
  );

  useEffect(() => {
    if (!joined && key && params.get('name')) void join(params.get('name') ?? '');
    else nameInput.current?.focus();
  }, []);

  if (joined) return <Room config={config} session={session} joined={joined} />;
  return (
    <main class="landing">
      <h1>Join the session</h1>
      <p>You are about to browse together. Your name is shown to the others in the session.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void join(name.trim());
        }}
      >
        <label>
          Your name
          <input
            data-testid="name-input"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            required
            maxLength={80}
            autocomplete="name"
            ref={nameInput}
          />
        </label>
        <FormFooter
          label="Join"
          busyLabel="Joining…"
          busy={busy}
          disabled={!key}
          testid="join"
          error={error}
        />
      </form>
    </main>
  );
}

const NO_MARKS: Mark[] = [];

type MirrorComponent = typeof import('./mirror.js').Mirror;

/**
 * rrweb's replayer is the largest part of the viewer and only followers need it: load it on demand.
 * `into`: an element of the window the mirror floats in, rendered there instead of here.
 */
function LazyMirror({ into, ...props }: Parameters<MirrorComponent>[0] & { into: HTMLElement | null }) {
  const [Mirror, setMirror] = useState<MirrorComponent | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./mirror.js').then(
      (m) => setMirror(() => m.Mirror),
      () => setFailed(true),
    );
  }, []);
  useEffect(() => {
    if (into && Mirror) render(<Mirror {...props} />, into);
  });
  useEffect(() => {
    if (into) return () => render(null, into);
  }, [into]);
  if (into) return null;
  if (failed) {
    return (
      <div class="placeholder" role="alert">
        <p>The page view could not be loaded. Check your connection and reload this page.</p>
      </div>
    );
  }
  if (!Mirror) {
    return (
      <div class="placeholder" role="status">
        <p>Loading the shared page…</p>
      </div>
    );
  }
  return <Mirror {...props} />;
}

function Room({ config, session, joined }: { config: ViewerConfig; session: string; joined: Joined }) {
  const [state, dispatch] = useReducer(reduce, initialState);
  const stream = useMemo(() => new Stream(), []);
  const notifier = useMemo(() => new Notifier(), []);
  const [muted, setMuted] = useState(() => notifier.muted);
  const [speaking, setSpeaking] = useState(() => notifier.speaking);
  const meRef = useRef<string | null>(null);
  const namesRef = useRef(new Map<string, string>());
  const conn = useRef<Connection | null>(null);
  const unsent = useRef<Outgoing[]>([]);
  const chatInput = useRef<HTMLInputElement>(null);
  const [address, setAddress] = useState('');
  const [editing, setEditing] = useState(false);
  const [leaving, setLeaving] = useState<'asking' | 'left' | null>(null);
  const [tool, setTool] = useState<Tool | null>(null);
  const [laser, setLaser] = useState(false);
  const [panel, setPanel] = useState<'history' | 'who' | 'rooms' | null>(null);
  const togglePanel = (which: 'history' | 'who' | 'rooms') => setPanel(panel === which ? null : which);
  /** The sidebar shown in the Rooms panel, the last seq read in each, and those started here. */
  const [openRoom, setOpenRoom] = useState<string | null>(null);
  const [seen, setSeen] = useState<Record<string, number>>({});
  const [started, setStarted] = useState<string[][]>([]);
  /** The window the page area floats in, and for a follower the element the mirror renders into. */
  const [floating, setFloating] = useState<Floating | null>(null);
  // Idleness changes with time alone: a slow tick re-renders the people who show it.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(tick);
  }, []);
  /** People whose chat lines this person chose to hide on this screen. */
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const chooseRecipient = useRef<((participant: string) => void) | null>(null);
  const [showHelp, setShowHelp] = useState(false);

  const send = useCallback((msg: ClientMessage) => conn.current?.send(msg) ?? false, []);

  useEffect(() => {
    const c = new Connection(session, joined.token, {
      message: (msg) => {
        dispatch({ kind: 'server', msg, receivedAt: Date.now() });
        stream.emit(msg);
        if (msg.type === 'welcome') {
          meRef.current = msg.you.id;
          for (const p of msg.participants) namesRef.current.set(p.id, p.name);
        } else if (msg.type === 'joined') {
          namesRef.current.set(msg.participant.id, msg.participant.name);
        }
        const who = 'from' in msg ? (namesRef.current.get(msg.from) ?? 'Someone') : '';
        if (msg.type === 'chat' && msg.from !== meRef.current)
          notifier.alert(`${who}: ${msg.text}`, `Incoming chat from ${who}`);
        if (msg.type === 'baton.request' && msg.from !== meRef.current)
          notifier.alert(`${who} asks to take control`, `${who} asks to take control`);
      },
      status: (status, retryIn) => {
        dispatch({ kind: 'status', status, retryIn });
        if (status === 'live') {
          const lines = unsent.current;
          unsent.current = [];
          for (const line of lines) if (!c.send(outgoingMessage(line))) unsent.current.push(line);
        }
      },
    });
    conn.current = c;
    c.start();
    return () => c.stop();
  }, [session, joined.token, stream, notifier]);

  useEffect(() => {
    const refocus = () => chatInput.current?.focus();
    addEventListener('focus', refocus);
    return () => removeEventListener('focus', refocus);
  }, []);

  useEffect(() => {
    if (!state.notice) return;
    const t = setTimeout(() => dispatch({ kind: 'notice', text: null }), 5000);
    return () => clearTimeout(t);
  }, [state.notice]);

  const me = state.me;
  const tab = state.tab;
  const holder = state.baton.holder;
  const iHold = !!me && holder === me.id;
  const isOwner = !!me && tab?.owner === me.id;
  const hostRole = me?.role === 'owner';
  const ownerHere = state.participants.some((p) => p.id === tab?.owner && p.connected);

  useEffect(() => {
    if (!editing) setAddress(tab?.url ?? '');
  }, [tab?.url, editing]);

  const say = (line: Outgoing) => {
    dispatch({ kind: 'queue', line });
    if (!send(outgoingMessage(line))) unsent.current.push(line);
  };

  const navigate = (e: Event) => {
    e.preventDefault();
    if (!iHold || !tab || !address.trim()) return;
    setEditing(false);
    send({ type: 'nav', tab: tab.id, url: address.trim(), epoch: state.baton.epoch });
  };

  const connText =
    state.status === 'live'
      ? 'live'
      : state.status === 'connecting'
        ? 'connecting…'
        : `${state.status === 'offline' ? 'offline' : 'reconnecting'}${state.retryIn ? ` in ${state.retryIn}s` : '…'}`;

  const marks = useMemo((): Mark[] => {
    const out: Mark[] = [];
    for (const [id, p] of Object.entries(state.pointers)) {
      if (id !== state.me?.id)
        out.push({ kind: 'pointer', ...p, label: nameOf(state, id), colour: colourFor(id) });
    }
    for (const h of state.tab?.highlights ?? []) {
      out.push({
        kind: 'highlight',
        node: h.node,
        x: 0,
        y: 0,
        label: nameOf(state, h.author),
        colour: colourFor(h.author),
      });
    }
    for (const s of state.tab?.strokes ?? []) {
      const { author, done: _done, ...stroke } = s;
      out.push({ kind: 'stroke', ...stroke, label: nameOf(state, author), colour: colourFor(author) });
    }
    for (const r of state.ripples) {
      out.push({
        kind: 'ripple',
        node: r.node,
        x: 0.5,
        y: 0.5,
        label: nameOf(state, r.from),
        colour: colourFor(r.from),
      });
    }
    return out;
    // Only what marks are made of: pointers arrive many times a second, and other changes (chat,
    // typing) should not re-send the marks to the page.
  }, [
    state.pointers,
    state.tab?.highlights,
    state.tab?.strokes,
    state.ripples,
    state.participants,
    state.me?.id,
  ]);

  // Ripples show for a moment after the last click; older ones go with it.
  useEffect(() => {
    const latest = state.ripples.at(-1);
    if (!latest) return;
    const t = setTimeout(() => dispatch({ kind: 'ripple.done', seq: latest.seq }), RIPPLE_MS);
    return () => clearTimeout(t);
  }, [state.ripples]);
  const tabId = state.tab?.id;
  const pick = useCallback(
    (node: number) => {
      if (tabId) send({ type: 'highlight', tab: tabId, node });
      setTool(null);
    },
    [send, tabId],
  );
  const draw = useCallback(
    (stroke: DrawnStroke) => {
      if (tabId) send({ type: 'stroke', tab: tabId, ...stroke });
      if (stroke.done) setTool(null);
    },
    [send, tabId],
  );

  const sidebars = useMemo(
    () => (state.me ? sidebarsOf(state.chat, state.me.id, seen, started) : []),
    [state.chat, state.me, seen, started],
  );
  const unread = sidebars.reduce((n, s) => n + s.unread, 0);
  // What the open sidebar shows is read.
  const shownRoom = panel === 'rooms' ? sidebars.find((s) => s.key === openRoom) : undefined;
  const lastShown = shownRoom?.lines.at(-1)?.seq ?? 0;
  useEffect(() => {
    if (shownRoom && lastShown > (seen[shownRoom.key] ?? 0)) setSeen({ ...seen, [shownRoom.key]: lastShown });
  }, [shownRoom?.key, lastShown]);

  // A floating window closed by the person brings the page area back.
  useEffect(() => {
    if (!floating) return;
    const check = setInterval(() => {
      if (floating.win.closed) setFloating(null);
    }, CLOSED_CHECK_MS);
    const closeWithViewer = () => floating.win.close();
    addEventListener('pagehide', closeWithViewer);
    return () => {
      clearInterval(check);
      removeEventListener('pagehide', closeWithViewer);
    };
  }, [floating]);
  // What floats is the live page or the mirror: when this person stops or starts being the tab's
  // owner, the floating window holds the wrong one.
  useEffect(() => {
    floating?.win.close();
    setFloating(null);
  }, [isOwner]);
  // Escape puts a chosen tool down, so the page can be used again without reaching for the button.
  useEffect(() => {
    if (!tool) return;
    const putDown = (e: KeyboardEvent) => e.key === 'Escape' && setTool(null);
    addEventListener('keydown', putDown);
    return () => removeEventListener('keydown', putDown);
  }, [tool]);
  const bringBack = () => {
    floating?.win.close();
    setFloating(null);
    chatInput.current?.focus();
  };

  const [macros, setMacros] = useState(() => loadMacros(localStorage));
  const changeMacros = (next: Macro[]) => {
    setMacros(next);
    saveMacros(localStorage, next);
  };
  const insertIntoChat = useRef<((text: string) => void) | null>(null);
  const cannotOpen = iHold ? null : 'Ask for control to lead everyone to a saved page';
  const runMacro = (m: Macro) => {
    if (m.kind === 'text') return insertIntoChat.current?.(m.value);
    if (cannotOpen || !tab) return dispatch({ kind: 'notice', text: cannotOpen });
    send({ type: 'nav', tab: tab.id, url: m.value, epoch: state.baton.epoch });
  };
  const runMacroRef = useRef(runMacro);
  runMacroRef.current = runMacro;
  useEffect(() => {
    // Alt with the digit's physical key: on some layouts Alt+1 types a character instead.
    const onKey = (e: KeyboardEvent) => {
      const n = e.altKey && !e.ctrlKey && !e.metaKey ? /^Digit([1-9])$/.exec(e.code)?.[1] : undefined;
      const m = n ? macros[Number(n) - 1] : undefined;
      if (!m) return;
      e.preventDefault();
      runMacroRef.current(m);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [macros]);

  const floatOut = () => {
    const opened = isOwner ? (tab?.url ? floatPage(session, tab.url) : null) : floatMirror(session);
    if (!opened)
      return dispatch({ kind: 'notice', text: 'The window could not open: allow pop-ups for this site.' });
    setFloating(opened);
  };

  const leave = () => {
    floating?.win.close();
    conn.current?.stop();
    sessionStorage.removeItem(storageKey(session));
    setLeaving('left');
  };

  if (state.status === 'removed') {
    return (
      <main class="landing" aria-live="polite">
        <h1>The host removed you from this session</h1>
        <p>
          Nothing more is shared from or to this window. If this is a mistake, ask the host for a new link.
        </p>
      </main>
    );
  }

  if (state.status === 'ended') {
    return (
      <main class="landing" aria-live="polite">
        <h1>The session has ended</h1>
        <p>Thank you. Nothing more is shared from or to this window.</p>
      </main>
    );
  }

  if (leaving === 'left') {
    return (
      <main class="landing" aria-live="polite">
        <h1>You have left the session</h1>
        <p>Nothing more is shared from or to this window. You can close it.</p>
        <button type="button" class="primary" onClick={() => location.reload()}>
          Join again
        </button>
      </main>
    );
  }

  if (!me || !tab) {
    return (
      <div id="boot" style="display:grid" role="status">
        <div>
          <div class="spin" />
          {state.status === 'connecting' ? 'Connecting you to the session…' : connText}
        </div>
      </div>
    );
  }

  return (
    <div class="viewer">
      <div class="bar">
        <BrandMark brand={config.brand} />
        <TabStrip
          tabs={state.tabs}
          viewed={tab.id}
          active={state.activeTab}
          canClose={(t) => t.owner === me.id || hostRole}
          onView={(id) => {
            // The person in control of that tab takes everyone there; anyone else just looks.
            const there = state.tabs.find((t) => t.id === id);
            if (there?.baton.holder === me.id && id !== state.activeTab) send({ type: 'tab.focus', tab: id });
            dispatch({ kind: 'view-tab', tab: id });
          }}
          onOpen={
            iHold && tab.url
              ? () => tab.url && send({ type: 'tab.open', tab: tab.id, url: tab.url })
              : undefined
          }
          onClose={(id) => send({ type: 'tab.close', tab: id })}
        />
        <fieldset class="nav-buttons" aria-label="Page history">
          {(['back', 'forward', 'reload'] as const).map((action) => (
            <button
              type="button"
              key={action}
              data-testid={`history-${action}`}
              disabled={!iHold}
              aria-label={action === 'back' ? 'Back' : action === 'forward' ? 'Forward' : 'Reload'}
              title={iHold ? undefined : 'Only the person in control can do this'}
              onClick={() => send({ type: 'history', tab: tab.id, action, epoch: state.baton.epoch })}
            >
              {action === 'back' ? '←' : action === 'forward' ? '→' : '⟳'}
            </button>
          ))}
        </fieldset>
        <form class="address-form" onSubmit={navigate} aria-label="Navigate">
          <input
            class="address"
            data-testid="address-bar"
            aria-label="Page address"
            value={address}
            readOnly={!iHold}
            title={
              iHold
                ? 'Type an address and press Enter'
                : `${nameOf(state, holder)} is leading; ask for control to navigate`
            }
            placeholder={iHold ? 'Type an address and press Enter' : 'Waiting for the leader to open a page'}
            onFocus={() => iHold && setEditing(true)}
            onBlur={() => setEditing(false)}
            onInput={(e) => setAddress(e.currentTarget.value)}
            inputMode="url"
          />
        </form>
        <div class="controls">
          {!iHold && !hostRole && state.batonPolicy === 'support' && (
            <button
              type="button"
              data-testid="baton-request"
              disabled={state.requests.includes(me.id)}
              onClick={() => tab && send({ type: 'baton.request', tab: tab.id })}
            >
              {state.requests.includes(me.id) ? 'Asked for control…' : 'Ask for control'}
            </button>
          )}
          {!iHold && (hostRole || state.batonPolicy === 'collaboration') && (
            <button
              type="button"
              data-testid="baton-take"
              onClick={() => send({ type: 'baton.take', tab: tab.id })}
            >
              Take control
            </button>
          )}
          {iHold && !isOwner && tab.owner && (
            <button
              type="button"
              onClick={() => tab.owner && send({ type: 'baton.give', to: tab.owner, tab: tab.id })}
            >
              Give control back
            </button>
          )}
          {hostRole && <ShareLink session={session} token={joined.token} changes={state.inviteChanges} />}
          <fieldset class="panels" aria-label="Side panel">
            {(
              [
                ['history', 'History'],
                ['who', 'Who'],
                ['rooms', 'Rooms'],
              ] as const
            ).map(([which, label]) => (
              <button
                type="button"
                key={which}
                data-testid={`${which}-toggle`}
                aria-expanded={panel === which}
                onClick={() => togglePanel(which)}
              >
                {label}
                {which === 'rooms' && unread > 0 && (
                  <span class="badge" data-testid="rooms-unread">
                    {' '}
                    {unread} new
                  </span>
                )}
              </button>
            ))}
          </fieldset>
          <fieldset class="tools" aria-label="Annotation tools">
            {(
              [
                [
                  'highlight',
                  'Highlight',
                  'Highlight an element for everyone: choose this, then click the element',
                ],
                ['free', 'Circle', 'Draw free-hand for everyone: choose this, then drag over the page'],
                [
                  'arrow',
                  'Arrow',
                  'Draw an arrow for everyone: choose this, then drag from its start to its tip',
                ],
              ] as const
            ).map(([which, label, title]) => (
              <button
                type="button"
                key={which}
                data-testid={`tool-${which}`}
                aria-pressed={tool === which}
                title={title}
                onClick={() => setTool(tool === which ? null : which)}
              >
                {label}
              </button>
            ))}
            {!isOwner && (
              <button
                type="button"
                data-testid="tool-laser"
                aria-pressed={laser}
                title="Point with a laser dot instead of your name"
                onClick={() => setLaser(!laser)}
              >
                Laser
              </button>
            )}
            <button
              type="button"
              data-testid="tool-clear"
              title={
                iHold || hostRole ? 'Clear all highlights and drawings' : 'Clear your highlight and drawings'
              }
              onClick={() => {
                const all = iHold || hostRole;
                send({ type: 'highlight.clear', tab: tab.id, all });
                send({ type: 'stroke.clear', tab: tab.id, all });
              }}
            >
              Clear
            </button>
          </fieldset>
          <button
            type="button"
            data-testid="float"
            aria-pressed={!!floating}
            disabled={isOwner && !tab.url && !floating}
            title={
              floating
                ? 'Bring the page back into this window'
                : 'Open the page in its own window; the chat stays here'
            }
            onClick={() => (floating ? bringBack() : floatOut())}
          >
            {floating ? 'Bring back' : 'Float'}
          </button>
          <button
            type="button"
            data-testid="mute"
            aria-pressed={muted}
            title={muted ? 'Sounds are off' : 'Sounds are on'}
            onClick={() => {
              notifier.setMuted(!muted);
              setMuted(!muted);
            }}
          >
            {muted ? 'Sound off' : 'Sound on'}
          </button>

          <button type="button" data-testid="help" aria-label="Help" onClick={() => setShowHelp(true)}>
            ?
          </button>
        </div>
        <button type="button" data-testid="exit" onClick={() => setLeaving('asking')}>
          {isOwner ? 'Stop sharing' : 'Leave'}
        </button>
        {hostRole ? (
          <button
            type="button"
            data-testid="lock"
            aria-pressed={state.locked}
            title={state.locked ? 'Let people join with the invite link again' : 'Let nobody new join'}
            onClick={() => send({ type: 'session.lock', locked: !state.locked })}
          >
            {state.locked ? 'Locked' : 'Lock'}
          </button>
        ) : (
          state.locked && (
            <span class="locked" data-testid="locked" title="Nobody new can join">
              Locked
            </span>
          )
        )}
        <span class={`conn ${state.status}`} data-testid="connection" role="status">
          {connText}
        </span>
      </div>
      <section class="stage" aria-label="Shared page">
        {state.tabs
          .filter((t) => t.owner === me.id)
          .map((t) => {
            // Every page this person's browser runs keeps running; only the one shown is marked up.
            const shown = t.id === tab.id;
            return (
              <LiveFrame
                key={`${t.id}:${shown && floating ? 'floating' : 'here'}`}
                session={session}
                me={me.id}
                tab={t.id}
                initialUrl={t.url}
                contentDomain={config.contentDomain}
                stream={stream}
                send={send}
                marks={shown ? marks : NO_MARKS}
                tool={shown ? tool : null}
                colour={colourFor(me.id)}
                onPick={pick}
                onStroke={draw}
                popup={shown ? (floating?.win ?? null) : null}
                hidden={!shown}
              />
            );
          })}
        {!isOwner && (
          <LazyMirror
            into={floating?.root ?? null}
            tab={tab.id}
            holdsBaton={iHold}
            epoch={state.baton.epoch}
            stream={stream}
            send={send}
            marks={marks}
            tool={tool}
            laser={laser}
            onPick={pick}
            onStroke={draw}
            colour={colourFor(me.id)}
          />
        )}
        {floating && (
          <div class="placeholder floating" data-testid="float-placeholder">
            <div>
              <p>The page is open in its own window. The chat stays here.</p>
              <button type="button" class="primary" data-testid="float-back" onClick={bringBack}>
                Bring back
              </button>
            </div>
          </div>
        )}
        {!floating && !isOwner && !tab.url && (
          <div class="placeholder">
            <p>Waiting for {nameOf(state, tab.owner)} to open a page…</p>
          </div>
        )}
        {(state.status === 'reconnecting' || state.status === 'offline') && (
          <div class="banner bottom" data-testid="connection-banner">
            {state.status === 'offline' ? 'You are offline' : 'The connection was lost'};{' '}
            {state.retryIn ? `trying again in ${state.retryIn} s` : 'reconnecting…'}. Chat you type meanwhile
            is sent when you are back.
          </div>
        )}
        {isOwner && holder && holder !== me.id && (
          <div class="banner" role="status">
            {nameOf(state, holder)} is in control of your page. Use “Take control” to take it back.
          </div>
        )}
        {!isOwner && tab.url && !ownerHere && (
          <div class="banner" role="status">
            {tab.owner ? `${nameOf(state, tab.owner)} has lost connection` : 'The host has left'}; the page is
            paused until they are back.
          </div>
        )}
        {(iHold || hostRole) &&
          state.requests
            .filter((id) => id !== me.id)
            .slice(0, 1)
            .map((id) => (
              <div class="banner" role="alertdialog" aria-label="Control request" key={id}>
                {nameOf(state, id)} asks to take control.
                <button
                  type="button"
                  class="primary"
                  onClick={() => send({ type: 'baton.give', to: id, tab: state.requestedTab[id] ?? tab.id })}
                >
                  Allow
                </button>
                <button type="button" onClick={() => dispatch({ kind: 'dismiss-request', id })}>
                  Deny
                </button>
              </div>
            ))}
        {showHelp && (
          <Help
            isOwner={isOwner}
            isHost={hostRole}
            close={() => setShowHelp(false)}
            speech={
              notifier.canSpeak
                ? {
                    on: speaking,
                    set: (on) => {
                      notifier.setSpeaking(on);
                      setSpeaking(on);
                    },
                  }
                : null
            }
          />
        )}
        {panel === 'who' && (
          <WhoPanel
            state={state}
            canGive={iHold || hostRole}
            give={(to) => send({ type: 'baton.give', to, tab: tab.id })}
            messagePrivately={(id) => chooseRecipient.current?.(id)}
            muted={hidden}
            toggleMute={(id) => {
              const next = new Set(hidden);
              if (!next.delete(id)) next.add(id);
              setHidden(next);
            }}
            remove={hostRole ? (participant) => send({ type: 'participant.remove', participant }) : null}
            handOver={
              isOwner || hostRole
                ? { tabOwner: tab.owner, to: (to) => send({ type: 'tab.give', tab: tab.id, to }) }
                : null
            }
            close={() => setPanel(null)}
            now={now}
          />
        )}
        {panel === 'history' && (
          <HistoryPanel
            tab={tab}
            canLead={iHold}
            lead={(url) => send({ type: 'nav', tab: tab.id, url, epoch: state.baton.epoch })}
            close={() => setPanel(null)}
          />
        )}
        {panel === 'rooms' && (
          <RoomsPanel
            state={state}
            sidebars={sidebars}
            open={openRoom}
            setOpen={setOpenRoom}
            start={(members) => {
              setStarted([...started, members]);
              setOpenRoom(sidebarKey(members));
            }}
            say={say}
            close={() => setPanel(null)}
          />
        )}
        {leaving === 'asking' && (
          <div class="banner" role="alertdialog" aria-label="Leave the session">
            {isOwner ? 'Stop sharing your page and leave?' : 'Leave the session?'}
            <button type="button" class="primary" data-testid="exit-confirm" onClick={leave}>
              Leave
            </button>
            <button type="button" onClick={() => setLeaving(null)}>
              Stay
            </button>
          </div>
        )}
        {state.notice && (
          <div class="notice" role="alert">
            {state.notice}
          </div>
        )}
      </section>
      <People
        state={state}
        canGive={iHold || hostRole}
        give={(to) => send({ type: 'baton.give', to, tab: tab.id })}
        remove={hostRole ? (participant) => send({ type: 'participant.remove', participant }) : null}
        now={now}
      />
      <Chat
        state={state}
        input={chatInput}
        say={say}
        settle={(action, question) => send({ type: action, question })}
        onTyping={(active, text) => send({ type: 'typing', active, ...(text === undefined ? {} : { text }) })}
        insert={insertIntoChat}
        choose={chooseRecipient}
        muted={hidden}
        translate={
          config.translation
            ? (text) => translate(session, text, navigator.language).then((r) => r.text)
            : null
        }
      >
        <MacrosMenu
          macros={macros}
          change={changeMacros}
          run={runMacro}
          canOpen={cannotOpen}
          currentUrl={tab.url}
        />
      </Chat>
    </div>
  );
}
