import { useEffect, useRef, useState } from 'preact/hooks';
import { FormFooter } from '../form-footer.js';
import { ApiError, login, signup } from './api.js';
import { HOME } from './config.js';
import { useAction } from './use-action.js';

const MESSAGES: Record<string, string> = {
  'bad-credentials': 'This email and password do not match an account.',
  locked: 'Too many failed attempts: this account is locked for 15 minutes.',
};

/**
 * `/desk`: staff sign in (with a one-time code when they enrolled one); a new company signs up.
 * With `member`, the same sign-in is a step of a collaboration visitor's wait page: no sign-up, and
 * `onSignedIn` instead of going to a console.
 */
export function SignIn({ member }: { member?: { company: string | null; onSignedIn: () => void } }) {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [company, setCompany] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const action = useAction();
  const totpInput = useRef<HTMLInputElement>(null);
  // The code field appears after the password was accepted; the person types the code next.
  useEffect(() => totpInput.current?.focus(), [needsTotp]);

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      try {
        if (mode === 'sign-up') {
          const made = await signup(company.trim(), name.trim(), email.trim(), password);
          location.assign(HOME[made.user.role]);
          return;
        }
        const { user } = await login(email.trim(), password, needsTotp ? totp.trim() : undefined);
        if (member) member.onSignedIn();
        else location.assign(HOME[user.role]);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'totp-required') {
          const first = !needsTotp;
          setNeedsTotp(true);
          throw new Error(
            first ? 'Enter the 6-digit code from your authenticator app.' : 'This code is not right.',
          );
        }
        throw err instanceof ApiError && MESSAGES[err.code] ? new Error(MESSAGES[err.code]) : err;
      }
    });
  };

  const signingUp = mode === 'sign-up';
  const Frame = member ? 'section' : 'main';
  return (
    <Frame class={member ? 'member-sign-in' : 'landing'}>
      {member ? (
        <p>
          Collaboration is for people of {member.company ?? 'the company'}: sign in with your help-desk
          account first.
        </p>
      ) : (
        <>
          <h1>Tandem help desk</h1>
          <p>
            {signingUp
              ? 'Create your company’s help desk. You become its administrator.'
              : 'Sign in to take visitors’ requests, watch your team or run your company’s desk.'}
          </p>
        </>
      )}
      <form onSubmit={submit} data-testid={signingUp ? 'signup-form' : 'signin-form'}>
        {signingUp && (
          <>
            <label>
              Company
              <input
                value={company}
                onInput={(e) => setCompany(e.currentTarget.value)}
                autocomplete="organization"
                required
                data-testid="signup-company"
              />
            </label>
            <label>
              Your name
              <input
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
                autocomplete="name"
                required
                data-testid="signup-name"
              />
            </label>
          </>
        )}
        <label>
          Email
          <input
            type="email"
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
            autocomplete={signingUp ? 'email' : 'username'}
            required
            data-testid="desk-email"
          />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            autocomplete={signingUp ? 'new-password' : 'current-password'}
            required
            data-testid="desk-password"
          />
        </label>
        {needsTotp && !signingUp && (
          <label>
            One-time code
            <input
              value={totp}
              onInput={(e) => setTotp(e.currentTarget.value)}
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              data-testid="desk-totp"
              ref={totpInput}
            />
          </label>
        )}
        <FormFooter
          label={signingUp ? 'Create the help desk' : 'Sign in'}
          busyLabel={signingUp ? 'Creating…' : 'Signing in…'}
          busy={action.busy}
          testid="desk-submit"
          error={action.error}
        />
      </form>
      {!member && (
        <p class="aside">
          {signingUp ? 'Already have an account? ' : 'New to Tandem? '}
          <button
            type="button"
            data-testid="desk-switch"
            onClick={() => {
              setMode(signingUp ? 'sign-in' : 'sign-up');
              action.setError(null);
            }}
          >
            {signingUp ? 'Sign in' : 'Create a help desk for your company'}
          </button>
        </p>
      )}
    </Frame>
  );
}
