import { useEffect, useState } from 'preact/hooks';
import { FormFooter } from '../form-footer.js';
import {
  ApiError,
  abandonRequest,
  chooseOverflow,
  createRequest,
  getRequest,
  me,
  type RequestView,
  setQuestion,
} from './api.js';
import type { WaitConfig } from './config.js';
import { ErrorLine, Field } from './field.js';
import { describeRequest, parseLocalDateTime } from './format.js';
import { useLive } from './live.js';
import { SignIn } from './sign-in.js';
import { useAction } from './use-action.js';

interface Held {
  id: string;
  requestKey: string;
  name: string;
}

const storeKey = (config: WaitConfig) => `tandem:request:${config.key}`;

/** A request this tab already made (a reload), one the server made from the plain form, or one in the link. */
function heldRequest(config: WaitConfig): Held | null {
  if (config.request) return { ...config.request, name: '' };
  const q = new URLSearchParams(location.search);
  const id = q.get('request');
  const requestKey = q.get('requestKey');
  if (id && requestKey) return { id, requestKey, name: '' };
  const kept = sessionStorage.getItem(storeKey(config));
  return kept ? (JSON.parse(kept) as Held) : null;
}

/** `/help/<key>`: the visitor asks for help, then waits here with their place in line, live. */
export function WaitPage({ config }: { config: WaitConfig }) {
  const [held, setHeld] = useState<Held | null>(() => heldRequest(config));
  const [farewell, setFarewell] = useState<string | null>(null);
  const title = config.company ? `Help from ${config.company}` : 'Get help';
  return (
    <main class="wait">
      <h1>{title}</h1>
      {farewell ? (
        <p role="status" data-testid="wait-status">
          {farewell}
        </p>
      ) : held ? (
        <Waiting
          held={held}
          done={(message) => {
            sessionStorage.removeItem(storeKey(config));
            setHeld(null);
            setFarewell(message);
          }}
        />
      ) : (
        <Ask
          config={config}
          onAsked={(h) => {
            sessionStorage.setItem(storeKey(config), JSON.stringify(h));
            setHeld(h);
          }}
        />
      )}
    </main>
  );
}

/**
 * A collaboration link first needs the visitor signed in to this company's desk: `undefined` while
 * asked, then the signed-in name, or null with the sign-in form shown.
 */
function useMember(config: WaitConfig): { member: string | null | undefined; recheck: () => void } {
  const [member, setMember] = useState<string | null | undefined>(undefined);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (config.scenario !== 'collaboration') return;
    me().then(
      (m) => setMember(m.tenant.publicKey === config.key ? m.user.name : null),
      () => setMember(null),
    );
  }, [asked]);
  return { member, recheck: () => setAsked((n) => n + 1) };
}

function Ask({ config, onAsked }: { config: WaitConfig; onAsked: (h: Held) => void }) {
  const { member, recheck } = useMember(config);
  if (config.scenario !== 'collaboration') return <AskForm config={config} member={null} onAsked={onAsked} />;
  if (member === undefined) return <p role="status">Checking your sign-in…</p>;
  if (member === null) return <SignIn member={{ company: config.company, onSignedIn: recheck }} />;
  return <AskForm config={config} member={member} onAsked={onAsked} />;
}

function AskForm({
  config,
  member,
  onAsked,
}: {
  config: WaitConfig;
  /** The signed-in collaborator's name, which the request takes instead of a typed one. */
  member: string | null;
  onAsked: (h: Held) => void;
}) {
  const [name, setName] = useState(member ?? '');
  const [question, setQuestionText] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const made = await createRequest({
        key: config.key,
        from: config.from,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(question.trim() ? { question: question.trim() } : {}),
        ...(config.skill ? { skill: config.skill } : {}),
        ...(member ? { scenario: 'collaboration' as const } : {}),
      });
      onAsked({ id: made.id, requestKey: made.requestKey, name: name.trim() });
    });
  };
  return (
    <form onSubmit={submit} data-testid="wait-ask">
      <p>An agent will join you on the page you were looking at and can show you around it.</p>
      {member ? (
        <p data-testid="visitor-member">Signed in as {member}.</p>
      ) : (
        <Field id="visitor-name" label="Your name (optional)">
          <input
            id="visitor-name"
            autocomplete="name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            data-testid="visitor-name"
          />
        </Field>
      )}
      <Field id="visitor-question" label="How can we help? (optional)">
        <textarea
          id="visitor-question"
          rows={3}
          value={question}
          onInput={(e) => setQuestionText(e.currentTarget.value)}
          data-testid="visitor-question"
        />
      </Field>
      <FormFooter
        label="Get help"
        busyLabel="Asking…"
        busy={action.busy}
        testid="visitor-ask"
        error={action.error}
      />
    </form>
  );
}

/** `done` ends the wait: with a closing message, or with none to ask again (a stale request). */
function Waiting({ held, done }: { held: Held; done: (farewell: string | null) => void }) {
  const [view, setView] = useState<RequestView | null>(null);
  const action = useAction();
  const query = `?request=${encodeURIComponent(held.id)}&requestKey=${encodeURIComponent(held.requestKey)}`;

  const mode = useLive(
    query,
    (frame) => {
      if (frame.type === 'request') setView(frame as unknown as RequestView);
    },
    async () => {
      try {
        setView(await getRequest(held.id, held.requestKey));
      } catch (e) {
        // A request that no longer exists (a stale link) cannot be waited on; start again.
        if (e instanceof ApiError && e.status === 404) done(null);
        else throw e;
      }
    },
  );

  useEffect(() => {
    if (view?.status !== 'placed' || !view.joinUrl) return;
    const url = new URL(view.joinUrl, location.href);
    if (held.name) url.searchParams.set('name', held.name);
    else if (!url.searchParams.has('name')) url.searchParams.set('name', 'Visitor');
    location.assign(url.href);
  }, [view?.status, view?.joinUrl]);

  if (!view) return <p role="status">Checking your place in line…</p>;

  const comeBack = `${location.origin}${location.pathname}${query}`;
  return (
    <>
      <p class="status" role="status" aria-live="polite" data-testid="wait-status" data-status={view.status}>
        {describeRequest(view)}
      </p>
      {view.monitorNotice && <p class="mode">Your session may be monitored to help us serve you better.</p>}
      {view.status === 'overflow' && (
        <Overflow
          busy={action.busy}
          choose={(choice, at) =>
            void action.run(async () => {
              const next = await chooseOverflow(held.id, held.requestKey, choice, at);
              if (choice === 'later') {
                done('Thank you. Come back any time: the “Get help” button is on every page.');
              } else setView(next);
            })
          }
        />
      )}
      {view.status === 'scheduled' && view.scheduledAt && (
        <p data-testid="scheduled">
          Booked for{' '}
          <time dateTime={new Date(view.scheduledAt).toISOString()}>
            {new Date(view.scheduledAt).toLocaleString()}
          </time>
          . Keep this link to join then: <a href={view.joinUrl ?? comeBack}>{view.joinUrl ?? comeBack}</a>
        </p>
      )}
      {(view.status === 'waiting' || view.status === 'offered') && (
        <>
          <QuestionBox held={held} />
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                await abandonRequest(held.id, held.requestKey);
                done('You left the line. Come back any time.');
              })
            }
            data-testid="wait-leave"
          >
            Stop waiting
          </button>
        </>
      )}
      <ErrorLine error={action.error} />
      {view.status !== 'scheduled' && (
        <p class="mode" data-testid="wait-mode" data-mode={mode}>
          {mode === 'polling' ? 'Checking every few seconds.' : 'This page updates by itself.'} You may keep
          browsing in the other window; come back here to see your place.
        </p>
      )}
    </>
  );
}

/** When nobody can take the request now: keep waiting, book a time, or leave and try later. */
function Overflow({
  busy,
  choose,
}: {
  busy: boolean;
  choose: (choice: 'wait' | 'schedule' | 'later', at?: number) => void;
}) {
  const [when, setWhen] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <fieldset data-testid="overflow">
      <legend>What would you like to do?</legend>
      <div class="actions">
        <button
          class="primary"
          type="button"
          disabled={busy}
          onClick={() => choose('wait')}
          data-testid="overflow-wait"
        >
          Keep waiting
        </button>
        <button type="button" disabled={busy} onClick={() => choose('later')} data-testid="overflow-later">
          Try later
        </button>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const at = parseLocalDateTime(when, Date.now());
          if (at === null) {
            setError('Choose a day and time in the future.');
            return;
          }
          setError(null);
          choose('schedule', at);
        }}
      >
        <Field id="schedule-at" label="Or book a session for">
          <input
            id="schedule-at"
            type="datetime-local"
            value={when}
            onInput={(e) => setWhen(e.currentTarget.value)}
            data-testid="overflow-when"
          />
        </Field>
        <button type="submit" disabled={busy} data-testid="overflow-schedule">
          Book this time
        </button>
        <ErrorLine error={error} />
      </form>
    </fieldset>
  );
}

/** The visitor tells what they need while they wait; the agent sees it with the offer. */
function QuestionBox({ held }: { held: Held }) {
  const [text, setText] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(() => setQuestion(held.id, held.requestKey, text.trim())).then(setSent);
      }}
    >
      <Field id="waiting-question" label="While you wait, tell us what you need">
        <textarea
          id="waiting-question"
          rows={3}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setSent(false);
          }}
          data-testid="waiting-question"
        />
      </Field>
      <FormFooter
        label={sent ? 'Sent' : 'Send to the agent'}
        busyLabel="Sending…"
        busy={action.busy}
        disabled={!text.trim() || sent}
        testid="waiting-question-send"
        error={action.error}
      />
    </form>
  );
}
