import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { css as viewerCss } from '../styles.js';
import { ApiError, type Auditor, me, signOut } from './api.js';
import { ArchiveScreen } from './archive-screen.js';
import { openEarly } from './opening.js';
import { ReplayScreen } from './replay-screen.js';
import { SignIn } from './sign-in.js';
import { css } from './styles.js';

/** What the server put into the page (see server/archive-routes.ts). */
type Config = { page: 'archive' } | { page: 'replay'; session: string };

function readConfig(): Config {
  const el = document.getElementById('tandem-config');
  return JSON.parse(el?.textContent ?? '{"page":"archive"}') as Config;
}

/** `unknown` until /me answers; the replay screen does not wait for it (its own calls tell). */
type Who = Auditor | 'unknown' | 'signed-out';

function App({ config }: { config: Config }) {
  const [who, setWho] = useState<Who>('unknown');
  const [problem, setProblem] = useState<string | null>(null);
  const expired = () => setWho('signed-out');

  useEffect(() => {
    if (config.page !== 'archive') return;
    me().then(setWho, (e: Error) => {
      if (e instanceof ApiError && e.status === 401) setWho('signed-out');
      else setProblem(e.message);
    });
  }, []);

  if (problem) {
    return (
      <main class="landing">
        <h1>Tandem archive</h1>
        <p class="error" role="alert">
          {problem}
        </p>
      </main>
    );
  }
  if (who === 'signed-out') return <SignIn onSignedIn={setWho} />;
  if (config.page === 'replay')
    return (
      <ReplayScreen
        key={typeof who === 'string' ? who : who.name}
        session={config.session}
        expired={expired}
      />
    );
  if (who === 'unknown') {
    return (
      <main class="landing" aria-busy="true">
        <p role="status">Opening the archive…</p>
      </main>
    );
  }
  return (
    <ArchiveScreen
      auditor={who}
      expired={expired}
      signOut={() => {
        void signOut().finally(expired);
      }}
    />
  );
}

const style = document.createElement('style');
style.textContent = viewerCss + css;
document.head.append(style);

const config = readConfig();
if (config.page === 'replay') openEarly(config.session);
const root = document.getElementById('app');
if (root) render(<App config={config} />, root);
