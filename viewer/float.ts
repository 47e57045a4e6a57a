import { openUrl } from './api.js';
import { css } from './styles.js';

/**
 * Floating the page area: the live page (owner) or the mirror (follower) in a window of its own,
 * while the chat stays in the viewer. The viewer stays the window's opener, which is how the
 * runtime in a floated live page finds it.
 */
const FEATURES = 'popup,width=1100,height=760';

export interface Floating {
  win: Window;
  /** For the mirror, the element it renders into; the live page needs none. */
  root: HTMLElement | null;
}

/** The owner's live page, entered on its content host like the frame is. */
export function floatPage(session: string, url: string): Floating | null {
  const win = window.open(openUrl(session, url), `tandem-page-${session}`, FEATURES);
  return win && { win, root: null };
}

/** A blank window of this origin with the viewer's styles and an element to render the mirror into. */
export function floatMirror(session: string): Floating | null {
  const win = window.open('', `tandem-mirror-${session}`, FEATURES);
  if (!win) return null;
  const doc = win.document;
  doc.documentElement.lang = document.documentElement.lang || 'en';
  const title = doc.createElement('title');
  title.textContent = `Shared page · ${document.title}`;
  const style = doc.createElement('style');
  style.textContent = `${css}body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,sans-serif}.float-root{position:fixed;inset:0}`;
  doc.head.replaceChildren(title, style);
  const root = doc.createElement('main');
  root.className = 'float-root';
  root.setAttribute('aria-label', 'Shared page');
  doc.body.replaceChildren(root);
  return { win, root };
}

/** How often a floating window is checked for having been closed (a cross-origin one sends no event). */
export const CLOSED_CHECK_MS = 400;
