import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { css as viewerCss } from '../styles.js';
import { Admin } from './admin.js';
import { AgentConsole } from './agent.js';
import { ApiError, type Me, me } from './api.js';
import { type DeskConfig, HOME, readConfig, type StaffPage } from './config.js';
import { SignIn } from './sign-in.js';
import { StaffFrame } from './staff-frame.js';
import { css } from './styles.js';
import { SupervisorMonitor } from './supervisor.js';
import { WaitPage } from './wait.js';

const TITLES: Record<StaffPage, string> = {
  agent: 'Agent console',
  supervisor: 'Supervisor',
  admin: 'Administration',
};

/** Staff screens need the signed-in user first; without one they show the sign-in form in place. */
function Staff({ page }: { page: StaffPage | 'sign-in' }) {
  const [who, setWho] = useState<Me | 'unknown' | 'signed-out'>('unknown');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    me().then(
      (m) => {
        if (page === 'sign-in') location.replace(HOME[m.user.role]);
        else setWho(m);
      },
      (e: Error) => {
        if (e instanceof ApiError && e.status === 401) setWho('signed-out');
        else setProblem(e.message);
      },
    );
  }, []);
  if (problem) {
    return (
      <main class="landing">
        <h1>Tandem help desk</h1>
        <p class="error" role="alert">
          {problem}
        </p>
      </main>
    );
  }
  if (who === 'signed-out') return <SignIn />;
  if (who === 'unknown' || page === 'sign-in') {
    return (
      <main class="landing" aria-busy="true">
        <p role="status">Opening the desk…</p>
      </main>
    );
  }
  return (
    <StaffFrame me={who} page={page} title={TITLES[page]}>
      {page === 'agent' && <AgentConsole me={who} />}
      {page === 'supervisor' && <SupervisorMonitor me={who} />}
      {page === 'admin' && <Admin me={who} />}
    </StaffFrame>
  );
}

function App({ config }: { config: DeskConfig }) {
  return config.page === 'wait' ? <WaitPage config={config} /> : <Staff page={config.page} />;
}

const style = document.createElement('style');
style.textContent = viewerCss + css;
document.head.append(style);

const root = document.getElementById('app');
if (root) {
  // The wait page's server-rendered form (for visitors without JavaScript) gives way to the live one.
  root.textContent = '';
  render(<App config={readConfig()} />, root);
}
