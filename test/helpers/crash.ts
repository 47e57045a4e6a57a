import WebSocket from 'ws';
import { openSqliteStore } from '../../store/sqlite.js';
import { runCli, spawnTandem } from './process.js';
import { createSession, joinAs } from './tandem.js';

/**
 * What one socket can get through: the server takes 100 chat lines at once, then 20/s, and only
 * answers the rest with `rate-limited`. Sent in small groups, the burst spans most of the kill
 * window, so kills land with lines in flight rather than after everything settled.
 */
const BURST = 100;
const GROUP = 5;
const GROUP_EVERY_MS = 8;
const THEN_EVERY_MS = 50;

/** Several sockets at once put more lines in each event-loop turn, so more are in flight at a kill. */
const PARTICIPANTS = 4;

interface Chatter {
  ws: WebSocket;
  acked: Map<string, number>;
  open: () => boolean;
  closed: Promise<void>;
}

/** A participant on its own socket that records its lines echoed back with their seq. */
async function connect(url: string, sessionId: string, hostKey: string, name: string): Promise<Chatter> {
  const me = await joinAs(url, sessionId, name, hostKey);
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?session=${sessionId}&token=${me.token}`);
  const acked = new Map<string, number>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { type: string; from?: string; text?: string; seq?: number };
    if (m.type === 'chat' && m.from === me.participantId && m.text !== undefined && m.seq !== undefined)
      acked.set(m.text, m.seq);
  });
  let open = true;
  const closed = new Promise<void>((resolve) => {
    const done = () => {
      open = false;
      resolve();
    };
    ws.once('close', done);
    ws.once('error', done);
  });
  await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
  return { ws, acked, open: () => open, closed };
}

/**
 * Chats as fast as the server takes it until the socket is gone; answers how many lines were sent.
 * `sentGroup` is told after each group goes out.
 */
async function chat(c: Chatter, prefix: string, sentGroup: () => void): Promise<number> {
  let sent = 0;
  while (c.open()) {
    const group = sent < BURST ? GROUP : 1;
    for (let i = 0; i < group && c.open(); i++)
      c.ws.send(JSON.stringify({ type: 'chat', text: `${prefix} m${sent++}` }));
    sentGroup();
    await new Promise((r) => setTimeout(r, sent < BURST ? GROUP_EVERY_MS : THEN_EVERY_MS));
  }
  return sent;
}

/**
 * Participants chat at once; the server is killed with SIGKILL at a random moment. Returns the
 * lines echoed back to their senders (the echo with its seq is the acknowledgement).
 *
 * The moment is drawn where it matters: just after a random group of lines goes out (or, now and
 * then, after the burst or before any line), give or take a fraction of a millisecond, which is
 * about how long the server takes from reading lines to committing them. A uniformly random time
 * would mostly fall while nothing is in flight.
 */
async function chatUntilKilled(
  url: string,
  sessionId: string,
  hostKey: string,
  round: number,
  kill: () => void,
): Promise<{ acked: Map<string, number>; sent: number }> {
  const chatters: Chatter[] = [];
  for (let p = 0; p < PARTICIPANTS; p++)
    chatters.push(await connect(url, sessionId, hostKey, `R${round} P${p}`));
  const groups = (BURST / GROUP) * PARTICIPANTS;
  const killAfter = Math.floor(Math.random() * groups * 1.1) - 1;
  let sentGroups = 0;
  const killNow = () => {
    const until = performance.now() + Math.random() * 0.4;
    while (performance.now() < until) {
      // A busy wait: timers are too coarse for this.
    }
    kill();
  };
  if (killAfter < 0) killNow();
  const sentGroup = () => {
    if (sentGroups++ === killAfter) killNow();
  };
  const sent = await Promise.all(chatters.map((c, p) => chat(c, `r${round} p${p}`, sentGroup)));
  const acked = new Map<string, number>();
  for (const c of chatters) for (const [text, seq] of c.acked) acked.set(text, seq);
  return { acked, sent: sent.reduce((a, b) => a + b, 0) };
}

export interface CrashRun {
  sessionId: string;
  /** Lines echoed back to their senders, with the seq they were acknowledged with. */
  acked: Map<string, number>;
  sent: number;
  rounds: number;
}

/**
 * Runs the real server `rounds` times on one data folder and one session, participants chatting,
 * and kills it with SIGKILL each time at a moment when lines are in flight.
 */
export async function crashRounds(dataDir: string, rounds: number): Promise<CrashRun> {
  const env = { TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' };
  const acked = new Map<string, number>();
  let sessionId = '';
  let hostKey = '';
  let sent = 0;
  for (let round = 0; round < rounds; round++) {
    const server = await spawnTandem(env);
    try {
      if (round === 0) {
        const created = await createSession(server.url);
        sessionId = created.id;
        hostKey = created.hostKey;
      }
      const result = await chatUntilKilled(server.url, sessionId, hostKey, round, () =>
        server.child.kill('SIGKILL'),
      );
      for (const [text, seq] of result.acked) acked.set(text, seq);
      sent += result.sent;
      const exit = await server.exited;
      if (exit.signal !== 'SIGKILL')
        throw new Error(`round ${round} did not end by the kill: ${server.output()}`);
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
  }
  return { sessionId, acked, sent, rounds };
}

export interface CrashCheck {
  /** The session's seqs, in archive order. */
  seqs: number[];
  /** Archived chat lines by text, with every seq each was archived under. */
  archived: Map<string, number[]>;
  /** Acknowledged lines missing from the archive or archived under another seq. */
  lost: string[];
  verifyCode: number | null;
  verifyOutput: string;
}

/** What the archive holds after the crashes, against what was acknowledged. */
export async function checkCrashRun(dataDir: string, run: CrashRun): Promise<CrashCheck> {
  const store = openSqliteStore(dataDir);
  let events: Awaited<ReturnType<typeof store.events>>;
  try {
    events = await store.events('demo', run.sessionId, 0, 10_000_000);
  } finally {
    await store.close();
  }
  const archived = new Map<string, number[]>();
  for (const e of events) {
    if (e.type !== 'chat') continue;
    const text = (JSON.parse(e.body) as { text: string }).text;
    archived.set(text, [...(archived.get(text) ?? []), e.seq]);
  }
  const lost = [...run.acked].filter(([text, seq]) => archived.get(text)?.[0] !== seq).map(([text]) => text);
  const verify = await runCli(['archive', 'verify', run.sessionId, '--data-dir', dataDir]);
  return {
    seqs: events.map((e) => e.seq),
    archived,
    lost,
    verifyCode: verify.code,
    verifyOutput: verify.stdout + verify.stderr,
  };
}
