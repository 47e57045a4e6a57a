import { escapeHtml } from '../proxy/pages.js';

/** Inline first paint: tells the visitor they are being connected while the viewer bundle loads. */
const SHELL_CSS = `*{box-sizing:border-box}html,body{height:100%;margin:0}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6fa;color:#1c2333}
#boot{position:fixed;inset:0;display:grid;place-items:center;text-align:center}
#boot .spin{width:36px;height:36px;margin:0 auto 12px;border:4px solid #d6dcea;border-top-color:#2f6fed;border-radius:50%;animation:s 1s linear infinite}
@keyframes s{to{transform:rotate(360deg)}}
@media (prefers-color-scheme:dark){body{background:#141822;color:#e6e9f2}}`;

export interface ShellOptions {
  title: string;
  script: string;
  config: Record<string, unknown>;
  bootText: string;
  /**
   * A server-rendered first state (the visitor's wait form) that works without JavaScript; given
   * one, the page shows it instead of the progress indicator and the script replaces it.
   */
  body?: string;
}

export function shellPage(o: ShellOptions): string {
  const config = JSON.stringify(o.config).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(o.title)}</title>
<link rel="icon" href="data:,">
<style>${SHELL_CSS}</style>
<script id="tandem-config" type="application/json">${config}</script>
<script type="module" src="/assets/${o.script}"></script></head>
<body>${
    o.body === undefined
      ? `<div id="boot" role="status" aria-live="polite"><div><div class="spin"></div>${escapeHtml(o.bootText)}</div></div>
<div id="app"></div>`
      : `<div id="app">${o.body}</div>`
  }</body></html>`;
}

export function notFoundPage(title: string, detail: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${SHELL_CSS}
main{max-width:32rem;margin:15vh auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0001}
@media (prefers-color-scheme:dark){main{background:#1e2330}}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p><a href="/">Start a new session</a></p></main></body></html>`;
}
