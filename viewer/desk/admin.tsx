import { useEffect, useState } from 'preact/hooks';
import { FormFooter } from '../form-footer.js';
import {
  type Alert,
  type AuditEntry,
  confirmTotp,
  getAlerts,
  getAudit,
  getUsage,
  type Me,
  startTotp,
  type UsageReport,
} from './api.js';
import { ErrorLine, Field, TableWrap } from './field.js';
import { describeDetail } from './format.js';
import { SettingsForm } from './settings-form.js';
import { AlertList } from './supervisor.js';
import { useAction } from './use-action.js';
import { Users } from './users.js';

const TABS = {
  settings: 'Settings',
  users: 'Users',
  button: 'Your button',
  audit: 'Audit log',
  alerts: 'Alerts',
  usage: 'Usage',
  security: 'Two-step sign-in',
} as const;
type Tab = keyof typeof TABS;

/**
 * `/desk/admin`: the company's settings, staff, the snippet for its site, usage, audit log, alerts,
 * own TOTP.
 */
export function Admin({ me }: { me: Me }) {
  const [tab, setTab] = useState<Tab>(() => {
    const asked = location.hash.slice(1);
    return asked in TABS ? (asked as Tab) : 'settings';
  });
  const choose = (t: Tab) => {
    setTab(t);
    history.replaceState(null, '', `#${t}`);
  };
  const keys = Object.keys(TABS) as Tab[];
  const onKey = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = keys[(keys.indexOf(tab) + step + keys.length) % keys.length] as Tab;
    choose(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label="Administration" onKeyDown={onKey}>
        {keys.map((t) => (
          <button
            key={t}
            id={`tab-${t}`}
            type="button"
            role="tab"
            aria-selected={t === tab}
            aria-controls="tab-panel"
            tabIndex={t === tab ? 0 : -1}
            onClick={() => choose(t)}
            data-testid={`tab-${t}`}
          >
            {TABS[t]}
          </button>
        ))}
      </div>
      <section id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`} class="card">
        {tab === 'settings' && <SettingsForm />}
        {tab === 'users' && <Users />}
        {tab === 'button' && <Snippet me={me} />}
        {tab === 'usage' && <Usage />}
        {tab === 'audit' && <AuditLog />}
        {tab === 'alerts' && <Alerts />}
        {tab === 'security' && <Totp me={me} />}
      </section>
    </>
  );
}

function Snippet({ me }: { me: Me }) {
  const key = encodeURIComponent(me.tenant.publicKey);
  const script = `<script src="${location.origin}/embed.js" data-tandem-key="${me.tenant.publicKey}" async></script>`;
  const link = `<a href="${location.origin}/help/${key}">Get help</a>`;
  return (
    <>
      <h2>Put the “Get help” button on your site</h2>
      <p>
        Paste this before <code>&lt;/body&gt;</code> on every page. The button shows whether an agent is
        available and opens the help window; the page the visitor is on is where the session starts.
      </p>
      <pre data-testid="snippet">{script}</pre>
      <p>Where scripts are not allowed, a plain link works too:</p>
      <pre>{link}</pre>
      <p>Only pages on the sites listed under Settings can open your desk.</p>
    </>
  );
}

function useList<T>(load: () => Promise<T[]>) {
  const [items, setItems] = useState<T[] | null>(null);
  const action = useAction();
  useEffect(() => void action.run(async () => setItems(await load())), []);
  return { items, error: action.error };
}

/** What the company used, per UTC day, for the month so far or a period the admin picks. */
function Usage() {
  const [report, setReport] = useState<UsageReport | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const action = useAction();
  const load = (period?: { from: string; to: string }) =>
    action.run(async () => {
      const r = await getUsage(period);
      setReport(r);
      setFrom(r.from);
      setTo(r.to);
    });
  useEffect(() => void load(), []);
  return (
    <>
      <h2>Usage</h2>
      <p>
        Sessions started, and the minutes participants were connected (two people for an hour count 120), per
        day in UTC.
      </p>
      <form
        class="period"
        onSubmit={(e) => {
          e.preventDefault();
          void load({ from, to });
        }}
      >
        <Field label="From" id="usage-from">
          <input
            id="usage-from"
            type="date"
            value={from}
            required
            onInput={(e) => setFrom(e.currentTarget.value)}
          />
        </Field>
        <Field label="To" id="usage-to">
          <input
            id="usage-to"
            type="date"
            value={to}
            required
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </Field>
        <FormFooter
          label="Show"
          busyLabel="Loading…"
          busy={action.busy}
          testid="usage-show"
          error={action.error}
        />
      </form>
      {report && report.days.length > 0 && (
        <p>
          <a
            data-testid="usage-csv"
            href={`/api/desk/usage.csv?from=${encodeURIComponent(report.from)}&to=${encodeURIComponent(report.to)}`}
            download
          >
            Download as CSV
          </a>
        </p>
      )}
      {report &&
        (report.days.length === 0 ? (
          <p class="empty">
            No usage from {report.from} to {report.to}.
          </p>
        ) : (
          <TableWrap label="Usage per day">
            <table class="list" data-testid="usage">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Sessions</th>
                  <th scope="col">Participant minutes</th>
                </tr>
              </thead>
              <tbody>
                {report.days.map((d) => (
                  <tr key={d.day}>
                    <td>{d.day}</td>
                    <td>{d.sessions}</td>
                    <td>{d.participantMinutes}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td data-testid="usage-sessions">{report.totals.sessions}</td>
                  <td data-testid="usage-minutes">{report.totals.participantMinutes}</td>
                </tr>
              </tfoot>
            </table>
          </TableWrap>
        ))}
    </>
  );
}

function AuditLog() {
  const { items, error } = useList<AuditEntry>(getAudit);
  if (!items) return <ErrorLine error={error} />;
  if (items.length === 0) return <p class="empty">No changes yet.</p>;
  return (
    <TableWrap label="Audit log">
      <table class="list" data-testid="audit">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a, i) => (
            <tr key={`${a.at}-${i}`}>
              <td>{new Date(a.at).toLocaleString()}</td>
              <td>{a.user ?? 'operator'}</td>
              <td>{a.action}</td>
              <td>
                <span class="detail">{describeDetail(a.detail)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Alerts() {
  const { items, error } = useList<Alert>(getAlerts);
  return items ? <AlertList alerts={items} /> : <ErrorLine error={error} />;
}

/** Enrolment in RFC 6238 one-time codes: the secret for the authenticator app, then one code to confirm. */
function Totp({ me }: { me: Me }) {
  const [secret, setSecret] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [done, setDone] = useState(me.user.totp);
  const action = useAction();
  if (done)
    return (
      <p data-testid="totp-on">Two-step sign-in is on: you enter a code from your app after your password.</p>
    );
  if (!secret) {
    return (
      <>
        <p>Protect your account with a code from an authenticator app each time you sign in.</p>
        <button
          class="primary"
          type="button"
          disabled={action.busy}
          onClick={() => void action.run(async () => setSecret(await startTotp()))}
          data-testid="totp-start"
        >
          Set up two-step sign-in
        </button>
        <ErrorLine error={action.error} />
      </>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(() => confirmTotp(code.trim())).then(setDone);
      }}
    >
      <p>
        In your authenticator app, add an account with this key (or open the link on the phone that has the
        app):
      </p>
      <pre data-testid="totp-secret">{secret.secret}</pre>
      <p>
        <a href={secret.otpauthUrl}>Add to authenticator app</a>
      </p>
      <Field id="totp-code" label="The 6-digit code the app shows now">
        <input
          id="totp-code"
          inputMode="numeric"
          autocomplete="one-time-code"
          maxLength={6}
          required
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          data-testid="totp-code"
        />
      </Field>
      <FormFooter
        label="Turn on"
        busyLabel="Checking…"
        busy={action.busy}
        testid="totp-confirm"
        error={action.error}
      />
    </form>
  );
}
