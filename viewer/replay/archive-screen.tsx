import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Auditor, findSessions, type SessionQuery, type SessionSummary } from './api.js';
import { dateTime, dayStart, duration } from './format.js';
import { ImportForm } from './import-form.js';

const PAGE = 50;

interface Fields {
  from: string;
  to: string;
  participant: string;
  host: string;
  url: string;
  text: string;
}

const EMPTY: Fields = { from: '', to: '', participant: '', host: '', url: '', text: '' };

const queryOf = (f: Fields): SessionQuery => ({
  from: dayStart(f.from),
  to: dayStart(f.to, true),
  participant: f.participant.trim(),
  host: f.host.trim(),
  url: f.url.trim(),
  text: f.text.trim(),
});

/** The auditor's archive: find sessions by date, people, pages or chat, and bring in exported ones. */
export function ArchiveScreen({
  auditor,
  signOut,
  expired,
}: {
  auditor: Auditor;
  signOut: () => void;
  expired: () => void;
}) {
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [query, setQuery] = useState<SessionQuery>({});
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  const load = async (q: SessionQuery, older: SessionSummary[]) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const before = older.at(-1)?.createdAt;
      const { sessions: found } = await findSessions(before === undefined ? q : { ...q, before }, PAGE);
      if (mine !== generation.current) return;
      setSessions([...older, ...found]);
      setMore(found.length === PAGE);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return expired();
      if (mine === generation.current) setError((e as Error).message);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  useEffect(() => void load({}, []), []);

  const field = (name: keyof Fields, label: string, type = 'text', placeholder = '') => (
    <label>
      {label}
      <input
        type={type}
        name={name}
        placeholder={placeholder}
        value={fields[name]}
        onInput={(e) => setFields({ ...fields, [name]: e.currentTarget.value })}
      />
    </label>
  );

  return (
    <div class="archive">
      <header class="archive-head">
        <h1>Tandem archive</h1>
        <span class="who">
          Signed in as <strong>{auditor.name}</strong> ({auditor.tenant})
        </span>
        <button type="button" onClick={signOut} data-testid="archive-signout">
          Sign out
        </button>
      </header>
      <main>
        <form
          class="search"
          data-testid="archive-search"
          aria-label="Find sessions"
          onSubmit={(e) => {
            e.preventDefault();
            const q = queryOf(fields);
            setQuery(q);
            void load(q, []);
          }}
        >
          {field('from', 'From date', 'date')}
          {field('to', 'To date', 'date')}
          {field('participant', 'Participant', 'text', 'any name')}
          {field('host', 'Host', 'text', 'host’s name')}
          {field('url', 'Page address', 'text', 'part of a URL')}
          {field('text', 'Chat text', 'text', 'words said')}
          <div class="search-actions">
            <button class="primary" type="submit">
              Search
            </button>
            <button
              type="button"
              onClick={() => {
                setFields(EMPTY);
                setQuery({});
                void load({}, []);
              }}
            >
              Clear
            </button>
          </div>
        </form>
        <section aria-labelledby="results-title">
          <h2 id="results-title">Sessions</h2>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {sessions.length > 0 && <SessionTable sessions={sessions} />}
          <p class="status-line" role="status">
            {loading
              ? 'Loading sessions…'
              : sessions.length === 0 && !error
                ? 'No sessions match. Try fewer or different search terms.'
                : ''}
          </p>
          {more && !loading && (
            <button type="button" onClick={() => void load(query, sessions)}>
              Show older sessions
            </button>
          )}
        </section>
        <ImportForm imported={() => void load(query, [])} expired={expired} />
      </main>
    </div>
  );
}

/** Hosts first, then everyone in the order they joined. */
const hostsFirst = (people: SessionSummary['participants']) =>
  [...people].sort((a, b) => (a.role === b.role ? a.joinedAt - b.joinedAt : a.role === 'owner' ? -1 : 1));

function SessionTable({ sessions }: { sessions: SessionSummary[] }) {
  return (
    <table class="sessions">
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col">Participants</th>
          <th scope="col">Start address</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((s) => {
          const end = s.endedAt ?? s.lastAt ?? s.createdAt;
          return (
            <tr key={s.id} data-testid="archive-session-row" data-session={s.id}>
              <td>
                <a href={`/archive/${encodeURIComponent(s.id)}`}>{dateTime(s.createdAt)}</a>
              </td>
              <td>
                {duration(end - s.createdAt)}
                {s.endedAt === null && <span class="open"> (not closed)</span>}
              </td>
              <td>
                {s.participants.length === 0
                  ? '—'
                  : hostsFirst(s.participants).map((p, i) => (
                      <span key={p.id}>
                        {i > 0 && ', '}
                        {p.name}
                        {p.role === 'owner' && <span class="role"> (host)</span>}
                      </span>
                    ))}
              </td>
              <td class="url">{s.startUrl ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
