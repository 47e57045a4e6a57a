import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AgentFrame } from '../../desk/agent-frame.js';
import {
  type AgentState,
  acceptOffer,
  type CalendarEntry,
  declineOffer,
  getCalendar,
  getMyState,
  getOffers,
  type Invite,
  type Me,
  type Offer,
  type StateView,
  setState,
} from './api.js';
import { ErrorLine } from './field.js';
import { describeStateChange, formatDuration, pageText, STATE_LABELS, secondsLeft } from './format.js';
import { useLive, useNow } from './live.js';
import { Pager } from './paging.js';
import { pendingWindow } from './pending-window.js';
import { useAction } from './use-action.js';

const SESSIONS_KEY = 'tandem:desk-sessions';

interface MySession {
  sessionId: string;
  viewerUrl: string;
  visitor: string;
  at: number;
}

/** `/desk/agent`: the agent's state, the offer they are paged with, their sessions and calendar. */
export function AgentConsole({ me }: { me: Me }) {
  const pager = useMemo(() => new Pager(), []);
  const now = useNow();
  const [state, setLocalState] = useState<StateView | null>(null);
  const [stateNote, setStateNote] = useState<string | null>(null);
  const [offer, setOffer] = useState<Offer | null>(null);
  const [invites, setInvites] = useState<Invite[]>([]);
  const [calendar, setCalendar] = useState<CalendarEntry[]>([]);
  const [sessions, setSessions] = useState<MySession[]>(() =>
    JSON.parse(sessionStorage.getItem(SESSIONS_KEY) ?? '[]'),
  );
  const stateAction = useAction();
  const offerAction = useAction();

  // The same offer comes again from every poll and on reconnecting; it is paged once.
  const paged = useRef<string | null>(null);
  const showOffer = (o: Offer) => {
    setOffer(o);
    if (paged.current === o.request.id) return;
    paged.current = o.request.id;
    pager.start(o.request.id, pageText(o.request.name, o.request.question));
  };

  const refresh = async () => {
    const [s, c, offers] = await Promise.all([getMyState(), getCalendar(), getOffers()]);
    setLocalState(s);
    setCalendar(c);
    if (offers[0]) showOffer(offers[0]);
  };

  const mode = useLive(
    '',
    (received) => {
      // The agent's channel carries only the desk's agent frames.
      const frame = received as AgentFrame;
      if (frame.type === 'offer') showOffer(frame);
      else if (frame.type === 'offer-withdrawn') {
        setOffer((o) => (o && o.request.id === frame.id ? null : o));
      } else if (frame.type === 'calendar') void getCalendar().then(setCalendar);
      else if (frame.type === 'state') {
        setLocalState({ state: frame.state, since: frame.since });
        setStateNote(describeStateChange(frame.state, frame.reason));
      } else if (frame.type === 'invite') {
        setInvites((list) => [...list.filter((x) => x.sessionId !== frame.sessionId), frame]);
        pager.start(frame.sessionId, inviteText(frame));
      }
    },
    refresh,
  );

  useEffect(() => {
    if (!offer && invites.length === 0) pager.stop();
  }, [offer, invites.length, pager]);
  useEffect(() => () => pager.stop(), [pager]);
  // An agent paged while typing elsewhere on the page answers with Enter or Space, no pointer needed.
  const acceptButton = useRef<HTMLButtonElement>(null);
  useEffect(() => acceptButton.current?.focus(), [offer?.request.id]);

  const left = offer ? secondsLeft(offer.expiresAt, now) : 0;
  useEffect(() => {
    if (offer && left === 0) setOffer(null);
  }, [offer, left]);

  const pick = (next: AgentState) =>
    void stateAction.run(async () => {
      setLocalState(await setState(next));
      setStateNote(null);
    });

  const accept = (o: Offer) => {
    const win = pendingWindow();
    void offerAction
      .run(async () => {
        const placed = await acceptOffer(o.request.id);
        const mine: MySession = {
          sessionId: placed.sessionId,
          viewerUrl: placed.viewerUrl,
          visitor: o.request.name ?? 'Visitor',
          at: Date.now(),
        };
        setSessions((list) => {
          const next = [mine, ...list.filter((s) => s.sessionId !== mine.sessionId)].slice(0, 20);
          sessionStorage.setItem(SESSIONS_KEY, JSON.stringify(next));
          return next;
        });
        win.go(placed.viewerUrl);
      })
      .then((ok) => {
        if (!ok) win.cancel();
        setOffer(null);
      });
  };

  const decline = (o: Offer) =>
    void offerAction.run(() => declineOffer(o.request.id)).then(() => setOffer(null));

  return (
    <>
      <section class="card" aria-labelledby="state-title">
        <h2 id="state-title">Your state</h2>
        <fieldset class="states" disabled={stateAction.busy}>
          <legend class="visually-hidden">Your state</legend>
          {(Object.keys(STATE_LABELS) as AgentState[]).map((s) => (
            <label key={s}>
              <input
                type="radio"
                name="agent-state"
                value={s}
                checked={state?.state === s}
                onChange={() => pick(s)}
                data-testid={`state-${s}`}
              />
              {STATE_LABELS[s]}
            </label>
          ))}
        </fieldset>
        <p class="in-state" data-testid="time-in-state" aria-live="off">
          {state?.since != null
            ? `${STATE_LABELS[state.state]} for ${formatDuration(now - state.since)}`
            : 'Choose Ready to receive visitors.'}
        </p>
        {stateNote && (
          <p role="status" data-testid="state-note">
            {stateNote}
          </p>
        )}
        <ErrorLine error={stateAction.error} />
        <p class="in-state" data-testid="live-mode">
          {mode === 'live' ? 'Connected: you are paged as visitors arrive.' : 'Reconnecting to the desk…'}
        </p>
      </section>

      {offer && (
        <section class="card offer" role="alertdialog" aria-labelledby="offer-title" data-testid="offer">
          <h2 id="offer-title">A visitor is waiting</h2>
          <p class="question">{pageText(offer.request.name, offer.request.question)}</p>
          {offer.request.userId && (
            <p data-testid="offer-member">{offer.request.name} is signed in to your company’s desk.</p>
          )}
          <p class="from">
            From <span data-testid="offer-from">{offer.request.from}</span>, waiting{' '}
            {formatDuration(now - offer.request.waitingSince)}
          </p>
          <div class="actions">
            <button
              class="primary"
              type="button"
              ref={acceptButton}
              disabled={offerAction.busy}
              onClick={() => accept(offer)}
              data-testid="offer-accept"
            >
              Accept ({left} s)
            </button>
            <button
              type="button"
              disabled={offerAction.busy}
              onClick={() => decline(offer)}
              data-testid="offer-decline"
            >
              Pass to someone else
            </button>
          </div>
        </section>
      )}
      <ErrorLine error={offerAction.error} />

      {invites.map((i) => (
        <section class="card offer" key={i.sessionId} aria-label="Invitation" data-testid="invite">
          <p class="question">{inviteText(i)}</p>
          <div class="actions">
            <a
              class="button primary"
              href={i.viewerUrl}
              target="_blank"
              rel="noopener"
              onClick={() => setInvites((list) => list.filter((x) => x !== i))}
            >
              Join the session
            </a>
            <button type="button" onClick={() => setInvites((list) => list.filter((x) => x !== i))}>
              Dismiss
            </button>
          </div>
        </section>
      ))}

      <PagingSettings pager={pager} />

      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Your sessions</h2>
        {sessions.length === 0 ? (
          <p class="empty">Sessions you accept open in a new window and are listed here.</p>
        ) : (
          <ul data-testid="my-sessions">
            {sessions.map((s) => (
              <li key={s.sessionId}>
                <a href={s.viewerUrl} target="_blank" rel="noopener">
                  {s.visitor}
                </a>{' '}
                <span class="empty">accepted {new Date(s.at).toLocaleTimeString()}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="calendar-title">
        <h2 id="calendar-title">Calendar</h2>
        {calendar.length === 0 ? (
          <p class="empty">No scheduled sessions.</p>
        ) : (
          <ul data-testid="calendar">
            {calendar.map((c) => (
              <li key={c.id} data-testid="calendar-entry">
                <time dateTime={new Date(c.scheduledAt).toISOString()}>
                  {new Date(c.scheduledAt).toLocaleString()}
                </time>{' '}
                — {pageText(c.name, c.question)} <span class="empty">({c.from})</span>{' '}
                <a href={c.viewerUrl} target="_blank" rel="noopener">
                  Open
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p class="empty">Signed in as {me.user.email}.</p>
    </>
  );
}

const inviteText = (i: Invite) =>
  i.mode === 'transfer'
    ? `${i.from} is handing a session over to you.`
    : `${i.from} asks you to join a session.`;

/** The agent's choice of how to be paged; notifications need the browser's permission, asked on a click. */
function PagingSettings({ pager }: { pager: Pager }) {
  const [muted, setMuted] = useState(pager.muted);
  const [speaks, setSpeaks] = useState(pager.speaks);
  const [permission, setPermission] = useState(pager.notifications);
  return (
    <section class="card" aria-labelledby="paging-title">
      <h2 id="paging-title">When a visitor is waiting</h2>
      <label class="check">
        <input
          type="checkbox"
          checked={!muted}
          onChange={(e) => {
            pager.setMuted(!e.currentTarget.checked);
            setMuted(!e.currentTarget.checked);
          }}
        />
        Play a sound
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={speaks}
          onChange={(e) => {
            pager.setSpeaks(e.currentTarget.checked);
            setSpeaks(e.currentTarget.checked);
          }}
        />
        Say who is waiting out loud
      </label>
      {permission === 'default' && (
        <button
          type="button"
          onClick={() => void pager.askForNotifications().then(() => setPermission(pager.notifications))}
        >
          Show desktop notifications
        </button>
      )}
      {permission === 'denied' && (
        <p class="empty">Desktop notifications are blocked for this site in your browser’s settings.</p>
      )}
      {permission === 'granted' && <p class="empty">Desktop notifications are on.</p>}
    </section>
  );
}
