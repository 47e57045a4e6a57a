import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chainHash, GENESIS } from '../archive/chain.js';
import { parseConfig } from '../server/config.js';
import { startTandem, type Tandem } from '../server/tandem.js';
import type { ArchivedEvent } from '../store/types.js';
import { launchBrowser } from '../test/helpers/browser.js';

const RUNS = 5;
const SECONDS = 3600;
const SECTIONS = 40;
/** Text only the synthesized page's snapshot contains: its presence in the frame is the first frame. */
const FIRST_FRAME_TEXT = 'Trail journal, section 40';
/** The owner's browser clock runs this far from the server's, as clocks do. */
const OWNER_CLOCK_SKEW_MS = -73_421;
const APPEND_BATCH = 500;

type Node = Record<string, unknown>;

/** A realistic page as rrweb serialises it: a few hundred nodes of headings, text, lists and links. */
function snapshotTree(): { node: Node; nodes: number; counterText: number } {
  let id = 0;
  const el = (tagName: string, attributes: Record<string, string>, childNodes: Node[]): Node => ({
    type: 2,
    tagName,
    attributes,
    childNodes,
    id: ++id,
  });
  const text = (textContent: string): Node => ({ type: 3, textContent, id: ++id });
  const doc: Node = { type: 0, childNodes: [], id: ++id };
  const doctype: Node = { type: 1, name: 'html', publicId: '', systemId: '', id: ++id };
  const head = el('head', {}, [
    el('meta', { charset: 'utf-8' }, []),
    el('title', {}, [text('Trail journal · Acme Outfitters')]),
    el('style', {}, [
      {
        type: 3,
        textContent:
          'body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1c2333}header{background:#234;color:#fff;padding:1rem}main{max-width:48rem;margin:auto;padding:1rem}article{border-bottom:1px solid #ddd;padding:.5rem 0}',
        isStyle: true,
        id: ++id,
      },
    ]),
  ]);
  const counter = text('Visitors online: 0');
  const sections: Node[] = [];
  for (let s = 1; s <= SECTIONS; s++) {
    sections.push(
      el('article', { id: `s${s}` }, [
        el('h2', {}, [text(`Trail journal, section ${s}`)]),
        el('p', {}, [
          text(`Day ${s}: the path climbed through pine and granite before the ridge opened up.`),
        ]),
        el('ul', {}, [
          el('li', {}, [text('Distance: 14 km')]),
          el('li', {}, [text('Ascent: 820 m')]),
          el('li', {}, [el('a', { href: `/trails/${s}` }, [text('Route details')])]),
        ]),
      ]),
    );
  }
  const body = el('body', {}, [
    el('header', {}, [el('h1', {}, [text('Acme Outfitters')]), el('p', {}, [counter])]),
    el('main', {}, sections),
  ]);
  doc.childNodes = [doctype, el('html', { lang: 'en' }, [head, body])];
  return { node: doc, nodes: id, counterText: counter.id as number };
}

/** The messages of a one-hour session as participants received them, hash-chained as the journal does. */
function oneHourSession(id: string, start: number, owner: string, follower: string): ArchivedEvent[] {
  const { node, counterText } = snapshotTree();
  const out: ArchivedEvent[] = [];
  let previous = GENESIS;
  let seq = 0;
  const add = (at: number, from: string, body: Record<string, unknown>) => {
    const { type, ...rest } = body;
    const text = JSON.stringify({ type, seq: ++seq, at, from, ...rest });
    const hash = chainHash(previous, id, text);
    previous = hash;
    const tab = typeof rest.tab === 'string' ? rest.tab : null;
    out.push({ sessionId: id, seq, at, actor: from, tab, type: String(type), body: text, hash });
  };
  const url = 'http://trails.example/journal';
  add(start + 100, owner, {
    type: 'joined',
    participant: { id: owner, name: 'Olivia', role: 'owner', connected: true },
  });
  const tab = { id: 't1', owner, url: null, title: '', highlights: [], strokes: [], visited: [] };
  add(start + 101, owner, { type: 'tab', tab });
  add(start + 102, owner, { type: 'baton', tab: 't1', holder: owner, epoch: 1 });
  const owned = (at: number) => at + OWNER_CLOCK_SKEW_MS;
  add(start + 900, owner, {
    type: 'rec',
    tab: 't1',
    events: [
      { type: 4, data: { href: url, width: 1100, height: 700 }, timestamp: owned(start + 820) },
      { type: 2, data: { node, initialOffset: { top: 0, left: 0 } }, timestamp: owned(start + 840) },
    ],
  });
  add(start + 950, owner, { type: 'location', tab: 't1', url, title: 'Trail journal' });
  add(start + 2000, follower, {
    type: 'joined',
    participant: { id: follower, name: 'Felix', role: 'follower', connected: true },
  });
  for (let s = 3; s < SECONDS; s++) {
    const at = start + s * 1000;
    const data =
      s % 2 === 0
        ? {
            source: 0,
            texts: [{ id: counterText, value: `Visitors online: ${s}` }],
            attributes: [],
            removes: [],
            adds: [],
          }
        : { source: 3, id: 1, x: 0, y: (s * 37) % 2400 };
    add(at + 45, owner, { type: 'rec', tab: 't1', events: [{ type: 3, data, timestamp: owned(at) }] });
    if (s % 60 === 0) add(at + 500, follower, { type: 'chat', text: `Minute ${s / 60}: still with you.` });
  }
  add(start + SECONDS * 1000, follower, { type: 'left', participant: follower });
  add(start + SECONDS * 1000 + 10, owner, { type: 'left', participant: owner });
  return out;
}

async function seed(tandem: Tandem): Promise<{ id: string; events: number }> {
  const id = crypto.randomBytes(12).toString('base64url');
  const start = Date.now() - 2 * SECONDS * 1000;
  const owner = crypto.randomBytes(9).toString('base64url');
  const follower = crypto.randomBytes(9).toString('base64url');
  await tandem.store.createSession({
    id,
    tenantId: 'demo',
    createdAt: start,
    startUrl: 'http://trails.example/journal',
    batonPolicy: 'support',
    hostKeyHash: '-',
    joinKeyHash: '-',
  });
  for (const [pid, name, role] of [
    [owner, 'Olivia', 'owner'],
    [follower, 'Felix', 'follower'],
  ] as const) {
    await tandem.store.addParticipant({
      id: pid,
      sessionId: id,
      name,
      role,
      tokenHash: `unusable-${pid}`,
      joinedAt: start,
    });
  }
  const events = oneHourSession(id, start, owner, follower);
  for (let i = 0; i < events.length; i += APPEND_BATCH) {
    await tandem.store.appendEvents(events.slice(i, i + APPEND_BATCH));
  }
  const last = events.at(-1);
  await tandem.store.setSessionEnd(id, last?.at ?? start, last?.hash ?? GENESIS, null);
  return { id, events: events.length };
}

/**
 * How soon an auditor sees a long session: a one-hour session (a full snapshot, then a mutation or a
 * scroll every second and a chat line every minute) opened in Chromium, from navigation to the
 * replay frame showing the page. Each run is a fresh browser context, so nothing is cached.
 */
export async function run(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-replay-'));
  const tandem = await startTandem(
    parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []),
    { logger: pino({ level: 'silent' }) },
  );
  const browser = await launchBrowser();
  try {
    const { id, events } = await seed(tandem);
    const { auditor } = await tandem.auditors.create('demo', 'Bench auditor');
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.createBrowserContext();
      try {
        const page = await context.newPage();
        await page.setViewport({ width: 1400, height: 900 });
        await context.setCookie({
          name: 'tandem_auditor',
          value: tandem.auditors.signIn(auditor),
          domain: new URL(tandem.url).hostname,
          path: '/',
          httpOnly: true,
          sameSite: 'Strict',
        });
        await page.goto(`${tandem.url}/archive/${id}`, { waitUntil: 'domcontentloaded' });
        // performance.now() counts from the navigation's start, in the page's own clock.
        const shownAt = await page.waitForFunction(
          (text: string) => {
            const frame = document.querySelector<HTMLIFrameElement>('[data-testid="replay-stage"] iframe');
            const shown =
              frame &&
              frame.style.display !== 'none' &&
              frame.contentDocument?.body?.textContent?.includes(text);
            return shown ? performance.now() : false;
          },
          { polling: 'raf', timeout: 30_000 },
          FIRST_FRAME_TEXT,
        );
        times.push((await shownAt.jsonValue()) as number);
      } finally {
        await context.close();
      }
    }
    times.sort((a, b) => a - b);
    return {
      'archived events in the one-hour session': events,
      'first frame, one-hour session (ms)': Math.round(times[Math.floor(RUNS / 2)] ?? 0),
    };
  } finally {
    await browser.close();
    await tandem.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
