/**
 * The "Get help" button a customer puts on its pages with one script tag:
 * `<script src="https://tandem.example/embed.js" data-tandem-key="<publicKey>" async></script>`.
 * It runs on someone else's page, so it is tiny, touches nothing global, and draws inside a shadow
 * root that the page's styles cannot reach (open, so the page's own tests can find the button). `data-tandem-skill` names a skill group.
 */

/** The bundles the help window and the session will need, filled in by the server (server/desk-pages.ts). */
const PREFETCH = '__TANDEM_PREFETCH__';

const script = document.currentScript as HTMLScriptElement | null;
const key = script?.dataset.tandemKey;
if (script && key) {
  const app = new URL(script.src).origin;
  const skill = script.dataset.tandemSkill;
  const host = document.createElement('div');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>
a{position:fixed;right:16px;bottom:16px;z-index:2147483647;display:grid;gap:2px;padding:10px 18px;border-radius:24px;
background:#1d4fc4;color:#fff;font:600 15px/1.3 system-ui,sans-serif;text-decoration:none;box-shadow:0 2px 12px #0004}
a:focus-visible{outline:3px solid #fdb022;outline-offset:2px}
small{font-weight:400;font-size:12px}
</style><a part="button" target="tandem-help" rel="noopener" data-testid="tandem-help"><span>Get help</span><small>Checking…</small></a>`;
  const link = root.querySelector('a') as HTMLAnchorElement;
  const status = root.querySelector('small') as HTMLElement;
  // The address is built when the visitor clicks, so it names the page they are on then (single-page apps).
  const target = () => {
    const url = new URL(`/help/${encodeURIComponent(key)}`, app);
    url.searchParams.set('from', location.href);
    if (skill) url.searchParams.set('skill', skill);
    return url.href;
  };
  link.href = target();
  link.addEventListener('pointerdown', () => {
    link.href = target();
  });
  link.addEventListener('focus', () => {
    link.href = target();
  });
  if (document.body) document.body.append(host);
  else addEventListener('DOMContentLoaded', () => document.body.append(host));

  // A visitor is never left with "Checking…": a slow answer counts as none.
  fetch(`${app}/api/desk/availability?key=${encodeURIComponent(key)}`, {
    credentials: 'omit',
    signal: AbortSignal.timeout(8000),
  })
    .then((r) => (r.ok ? (r.json() as Promise<{ available: boolean }>) : Promise.reject()))
    .then((a) => {
      status.textContent = a.available ? 'Agents available' : 'Leave a request';
      link.dataset.available = String(a.available);
    })
    .catch(() => {
      status.textContent = 'Leave a request';
      link.dataset.available = 'false';
    });

  for (const file of PREFETCH.split(',').filter((f) => f.endsWith('.js'))) {
    const hint = document.createElement('link');
    hint.rel = 'prefetch';
    hint.href = `${app}/assets/${file}`;
    document.head.append(hint);
  }
}
