import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { Journal } from '../archive/journal.js';
import { Room, type RoomJournal, UNJOURNALED } from '../session/room.js';
import { attachSocket } from '../session/socket.js';
import { openSqliteStore } from '../store/sqlite.js';
import { createSession, joinAs, startTestTandem } from '../test/helpers/tandem.js';

const THROUGHPUT_MS = 5000;
const ROOMS = 200;
/** Events a busy node reads in one event-loop turn; they share one commit. */
const EVENTS_PER_TURN = 500;
/** Appended and not yet acknowledged: what real sockets would hold back at most. */
const MAX_IN_FLIGHT = 20_000;

/** A node's steady background load for the commit-delay figure: 100 events every 5 ms. */
const LOADED_EVENTS_PER_TICK = 100;
const LOADED_TICK_MS = 5;
const LOADED_MS = 5000;

const RELAY_RATE_PER_S = 200;
const RELAY_MS = 5000;
const WARM_UP_MS = 500;

const silentLog = { error() {}, warn() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const turn = () => new Promise<void>((r) => setImmediate(r));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/**
 * Bodies shaped as rooms relay them (type, seq, at, from, then the message's own fields), each
 * message kind at its usual size: chat about 100 bytes, a pointer about 120, an rrweb mutation
 * batch about 1 KB. Only seq and at change, so building them costs little next to archiving them.
 */
function bodyMaker(): (
  seq: number,
  at: number,
  from: string,
) => { type: string; tab: string | null; body: string } {
  const chatTail = ',"text":"Could you click on the blue button next to the price?"}';
  const pointerTail = ',"tab":"t1","node":18342,"x":0.43218765,"y":0.87654321}';
  const mutation = {
    type: 3,
    timestamp: 1_700_000_000_000,
    data: {
      source: 0,
      texts: [{ id: 4211, value: 'Only 3 left in stock: order in the next 2 hours' }],
      attributes: [
        {
          id: 4190,
          attributes: { class: 'product-card product-card--selected is-visible', 'aria-expanded': 'true' },
        },
        { id: 4191, attributes: { style: 'transform: translate3d(0px, -12px, 0px); opacity: 0.98;' } },
      ],
      removes: [{ parentId: 4180, id: 4201 }],
      adds: [
        {
          parentId: 4180,
          nextId: null,
          node: {
            type: 2,
            tagName: 'div',
            attributes: { class: 'toast toast--info', role: 'status', 'data-testid': 'cart-toast' },
            childNodes: [],
            id: 4230,
          },
        },
        {
          parentId: 4230,
          nextId: null,
          node: { type: 3, textContent: 'Added to your basket: Trail Runner 2, size 42', id: 4231 },
        },
        {
          parentId: 4180,
          nextId: 4230,
          node: {
            type: 2,
            tagName: 'img',
            attributes: {
              src: 'https://mfrggzdfmztwq2lknnwg23tpoa.content.localhost:8080/img/trail-runner-2.webp',
              alt: 'Trail Runner 2',
            },
            childNodes: [],
            id: 4232,
          },
        },
      ],
    },
  };
  const recTail = `,"tab":"t1","events":[${JSON.stringify(mutation)}]}`;
  let n = 0;
  return (seq, at, from) => {
    const head = `"seq":${seq},"at":${at},"from":"${from}"`;
    // 40 % pointers, 40 % recorder batches, 20 % chat.
    const kind = n++ % 5;
    if (kind < 2) return { type: 'pointer', tab: 't1', body: `{"type":"pointer",${head}${pointerTail}` };
    if (kind < 4) return { type: 'rec', tab: 't1', body: `{"type":"rec",${head}${recTail}` };
    return { type: 'chat', tab: null, body: `{"type":"chat",${head}${chatTail}` };
  };
}

/**
 * The journal on a real SQLite file, fed as a node with many busy rooms would feed it: each turn
 * appends a batch of events across rooms, each with its own `after`; an event counts once its
 * `after` has run, that is once it is committed and could be delivered.
 */
/**
 * A fresh archive in a temporary folder with ROOMS open sessions, each with its own sender; `use`
 * runs against it and everything is removed after.
 */
async function withBenchRooms<T>(
  use: (journal: Journal, rooms: Array<{ id: string; seq: number; from: string }>, dir: string) => Promise<T>,
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-archive-'));
  const store = openSqliteStore(dir);
  try {
    await store.ensureTenant({ id: 'bench', name: 'Bench' });
    const journal = new Journal(store, silentLog);
    const rooms: Array<{ id: string; seq: number; from: string }> = [];
    for (let i = 0; i < ROOMS; i++) {
      const id = `bench-room-${i}`;
      await store.createSession({
        id,
        tenantId: 'bench',
        createdAt: Date.now(),
        startUrl: null,
        batonPolicy: 'support',
        hostKeyHash: 'h',
        joinKeyHash: 'j',
      });
      await journal.open(id);
      rooms.push({ id, seq: 0, from: `p${i.toString(36).padStart(11, 'x')}` });
    }
    return await use(journal, rooms, dir);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function archiveThroughput(): Promise<Record<string, number>> {
  return withBenchRooms(async (journal, rooms, dir) => {
    const make = bodyMaker();
    let appended = 0;
    let acked = 0;
    let bytes = 0;
    const ack = () => {
      acked++;
    };
    const start = performance.now();
    const end = start + THROUGHPUT_MS;
    let r = 0;
    while (performance.now() < end) {
      if (appended - acked < MAX_IN_FLIGHT) {
        const at = Date.now();
        for (let i = 0; i < EVENTS_PER_TURN; i++) {
          const room = rooms[r++ % ROOMS] as (typeof rooms)[number];
          const seq = ++room.seq;
          const { type, tab, body } = make(seq, at, room.from);
          journal.append({ sessionId: room.id, seq, at, actor: room.from, tab, type, body });
          journal.after(ack);
          bytes += body.length;
          appended++;
        }
      }
      await turn();
    }
    const elapsed = performance.now() - start;
    const ackedInTime = acked;
    await journal.drain();
    const file =
      fs.statSync(path.join(dir, 'tandem.db')).size + fs.statSync(path.join(dir, 'tandem.db-wal')).size;
    return {
      'archived events/s, acknowledged after commit': Math.round(ackedInTime / (elapsed / 1000)),
      'archived MB/s of event text': round(((ackedInTime / appended) * bytes) / (elapsed / 1000) / 1e6, 1),
      'mean event size (bytes)': Math.round(bytes / appended),
      'database and WAL size after the run (MB)': round(file / 1e6, 1),
    };
  });
}

/**
 * The journal's own delay, append to acknowledgement, on a node busy but not saturated: 20,000
 * events/s over 200 rooms. Commits run on the event loop, so this delay is added to every room's
 * relay, whoever caused the writes.
 */
async function commitDelayUnderLoad(): Promise<Record<string, number>> {
  return withBenchRooms(async (journal, rooms) => {
    const make = bodyMaker();
    const delays: number[] = [];
    const ticks = LOADED_MS / LOADED_TICK_MS;
    const start = performance.now();
    let r = 0;
    for (let tick = 0; tick < ticks; tick++) {
      const due = start + tick * LOADED_TICK_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const at = Date.now();
      const appendedAt = performance.now();
      for (let i = 0; i < LOADED_EVENTS_PER_TICK; i++) {
        const room = rooms[r++ % ROOMS] as (typeof rooms)[number];
        const seq = ++room.seq;
        const { type, tab, body } = make(seq, at, 'p1');
        journal.append({ sessionId: room.id, seq, at, actor: 'p1', tab, type, body });
      }
      journal.after(() => delays.push(performance.now() - appendedAt));
    }
    await journal.drain();
    delays.sort((a, b) => a - b);
    return {
      'commit delay p50 at 20,000 events/s over 200 rooms (ms)': round(percentile(delays, 0.5)),
      'commit delay p99 at 20,000 events/s over 200 rooms (ms)': round(percentile(delays, 0.99)),
      'commit delay max at 20,000 events/s over 200 rooms (ms)': round(delays.at(-1) ?? Number.NaN, 1),
    };
  });
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

/**
 * One participant points at a steady rate, the other measures each pointer from send to receipt.
 * Pointers, not chat: every ordered message takes the same path through room and journal, but the
 * server lets a socket send only 20 chat lines a second (100 at once), so chat at 200/s would mostly
 * be refused; pointers may come 500 a second.
 */
async function relayLatencies(senderUrl: string, receiverUrl: string): Promise<number[]> {
  const sender = await open(senderUrl);
  const receiver = await open(receiverUrl);
  try {
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    let measuring = false;
    receiver.on('message', (data) => {
      const now = performance.now();
      const text = data.toString();
      if (!text.startsWith('{"type":"pointer"')) return;
      const node = Number(/"node":(\d+)/.exec(text)?.[1]);
      const t = sentAt.get(node);
      if (t !== undefined && measuring) latencies.push(now - t);
    });
    await sleep(200);
    const every = 1000 / RELAY_RATE_PER_S;
    const total = Math.round(((WARM_UP_MS + RELAY_MS) / 1000) * RELAY_RATE_PER_S);
    const warmUp = Math.round((WARM_UP_MS / 1000) * RELAY_RATE_PER_S);
    const start = performance.now();
    for (let n = 0; n < total; n++) {
      const due = start + n * every;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      measuring = n >= warmUp;
      sentAt.set(n, performance.now());
      sender.send(`{"type":"pointer","tab":"t1","node":${n},"x":0.25,"y":0.75}`);
    }
    await sleep(500);
    return latencies.sort((a, b) => a - b);
  } finally {
    sender.terminate();
    receiver.terminate();
  }
}

/**
 * The relay path without the rest of Tandem: a WebSocket server whose sockets go through the same
 * validation and rate limits (attachSocket) into one Room. With UNJOURNALED it is "archive off";
 * with the Journal on SQLite, the same server "archive on", which isolates the journal's share.
 */
async function bareRelay(
  journal: RoomJournal,
): Promise<{ url: (p: string) => string; close(): Promise<void> }> {
  const room = new Room('bench', { startUrl: null, log: silentLog, journal });
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const who = new URL(req.url ?? '/', 'http://x').searchParams.get('p') ?? 'anon';
    wss.handleUpgrade(req, socket, head, (ws) =>
      attachSocket(
        ws,
        room,
        { id: who, name: who, role: who === 'owner' ? 'owner' : 'follower' },
        silentLog,
        () => {},
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (p) => `ws://127.0.0.1:${port}/?p=${p}`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function relay(): Promise<Record<string, number>> {
  // On: the real Tandem, rooms journaled to SQLite as in production.
  const tandem = await startTestTandem();
  let on: number[];
  try {
    const session = await createSession(tandem.url);
    const owner = await joinAs(tandem.url, session.id, 'Owner', session.hostKey);
    const follower = await joinAs(tandem.url, session.id, 'Follower', session.joinKey);
    const ws = (token: string) =>
      `${tandem.url.replace(/^http/, 'ws')}/ws?session=${session.id}&token=${token}`;
    on = await relayLatencies(ws(owner.token), ws(follower.token));
  } finally {
    await tandem.stop();
  }

  // Off: the same relay path, no journal.
  const bare = await bareRelay(UNJOURNALED);
  let off: number[];
  try {
    off = await relayLatencies(bare.url('owner'), bare.url('follower'));
  } finally {
    await bare.close();
  }

  // Control: the bare server with the journal, so a difference can be put on the journal or on Tandem.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-relay-'));
  const store = openSqliteStore(dir);
  let bareOn: number[];
  try {
    await store.ensureTenant({ id: 'bench', name: 'Bench' });
    await store.createSession({
      id: 'bench',
      tenantId: 'bench',
      createdAt: Date.now(),
      startUrl: null,
      batonPolicy: 'support',
      hostKeyHash: 'h',
      joinKeyHash: 'j',
    });
    const journal = new Journal(store, silentLog);
    await journal.open('bench');
    const journaled = await bareRelay(journal);
    try {
      bareOn = await relayLatencies(journaled.url('owner'), journaled.url('follower'));
    } finally {
      await journaled.close();
      await journal.drain();
    }
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const p99On = percentile(on, 0.99);
  const p99Off = percentile(off, 0.99);
  return {
    'relay p99, two-person session, archive on (ms)': round(p99On),
    'relay p99, two-person session, archive off (ms)': round(p99Off),
    'relay p99, what the archive adds (ms)': round(p99On - p99Off),
    'relay p50, archive on (ms)': round(percentile(on, 0.5)),
    'relay p50, archive off (ms)': round(percentile(off, 0.5)),
    'relay p99, bare relay with the journal (ms)': round(percentile(bareOn, 0.99)),
    'relay messages measured, archive on / off': Math.min(on.length, off.length),
  };
}

/** The archive's cost: how many events it commits and acknowledges, and what it adds to a relay. */
export async function run(): Promise<Record<string, number>> {
  const throughput = await archiveThroughput();
  const latency = await relay();
  const delay = await commitDelayUnderLoad();
  return { ...throughput, ...latency, ...delay };
}
