import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { Connection, Outgoing } from './connection.js';
import { clientMessage, MAX_CONTROL_FRAME_BYTES } from './protocol.js';
import { ConnectionLimits } from './rate-limit.js';
import type { ParticipantRecord, Room, RoomLog } from './room.js';
import { serverTextFrame } from './ws-frame.js';

/** What one socket has been sent and not yet written, in order. */
interface Outbox {
  ws: WebSocket;
  tcp: Socket;
  queue: Outgoing[];
}

/**
 * Sockets with something to write, in the order they were first sent it (a socket whose outbox is
 * not empty is in here, and is not added again). They are written at the end of the turn in which they were sent
 * something, each with everything it was sent in one write, and the sockets sent the same messages
 * share one buffer of them: a room with thousands of followers pays one system call per follower
 * per sweep, however many events the sweep carries.
 *
 * A sweep writes at most `SWEEP_CHUNK` sockets per turn and goes on in the next. Between its turns
 * the node reads and commits what arrived meanwhile, and an event committed during a sweep joins the
 * outboxes of the sockets the sweep has still to reach: it is written to them in the same sweep, and
 * to those already written in the next, so its last follower has it one sweep after it was
 * committed rather than after the rest of the sweep under way and a whole one more. Every other
 * room on the node is served between a large room's turns too.
 */
let due: Outbox[] = [];
let next = 0;
let sweeping = false;
const SWEEP_CHUNK = 1000;

function schedule(box: Outbox): void {
  due.push(box);
  if (sweeping) return;
  sweeping = true;
  process.nextTick(sweep);
}

function sweep(): void {
  const end = Math.min(due.length, next + SWEEP_CHUNK);
  let shared: { queue: Outgoing[]; bytes: Buffer } | null = null;
  for (; next < end; next++) {
    const box = due[next] as Outbox;
    const queue = box.queue;
    // Emptied already by a close.
    if (queue.length === 0) continue;
    box.queue = [];
    if (shared === null || !sameMessages(queue, shared.queue)) shared = { queue, bytes: wireBytes(queue) };
    flush(box, shared.bytes);
  }
  if (next === due.length) {
    due = [];
    next = 0;
    sweeping = false;
    return;
  }
  // Under a steady load the list may never empty: what is written is dropped from its front.
  if (next >= 8 * SWEEP_CHUNK) {
    due = due.slice(next);
    next = 0;
  }
  setImmediate(sweep);
}

function flushOne(box: Outbox): void {
  if (box.queue.length === 0) return;
  const queue = box.queue;
  box.queue = [];
  flush(box, wireBytes(queue));
}

function flush(box: Outbox, bytes: Buffer): void {
  // What ws does too: nothing is sent after the close frame.
  if (box.ws.readyState === box.ws.OPEN) box.tcp.write(bytes);
}

function wireBytes(queue: readonly Outgoing[]): Buffer {
  if (queue.length === 1) return (queue[0] as Outgoing).encoded(serverTextFrame);
  return Buffer.concat(queue.map((m) => m.encoded(serverTextFrame)));
}

function sameMessages(a: readonly Outgoing[], b: readonly Outgoing[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Binds one authenticated WebSocket to its room: every frame is parsed and validated here, so the
 * room only ever sees well-formed messages, and a bad frame gets an error reply instead of a crash.
 */
export function attachSocket(
  ws: WebSocket,
  room: Room,
  participant: ParticipantRecord,
  log: RoomLog,
  onClose: () => void,
): void {
  // ws keeps its TCP socket in a private field. Frames go straight to it, built once per message
  // (see `Outgoing`) rather than by ws once per socket. ws writes its own frames (pongs, the close
  // frame) synchronously, with permessage-deflate off; a pong may pass what waits in the outbox, and
  // the outbox is emptied before a close frame is written.
  const box: Outbox = { ws, tcp: (ws as unknown as { _socket: Socket })._socket, queue: [] };
  const conn: Connection = {
    send: (message) => {
      if (box.queue.push(message) === 1) schedule(box);
    },
    get bufferedAmount() {
      return box.tcp.writableLength;
    },
    close: (code, reason) => {
      flushOne(box);
      ws.close(code, reason);
    },
  };
  const limits = new ConnectionLimits(Date.now());

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      return room.reply(conn, {
        type: 'error',
        code: 'bad-message',
        message: 'frames are JSON text, not binary',
      });
    }
    const text = data.toString();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return room.reply(conn, { type: 'error', code: 'bad-json', message: 'the frame is not valid JSON' });
    }
    const result = clientMessage.safeParse(parsed);
    if (!result.success) {
      const type =
        typeof (parsed as { type?: unknown })?.type === 'string' ? (parsed as { type: string }).type : '';
      const issue = result.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      return room.reply(conn, {
        type: 'error',
        code: 'bad-message',
        message: `invalid message${type ? ` "${type}"` : ''}${where}: ${issue?.message ?? 'unknown shape'}`,
        ...(type ? { ref: type } : {}),
      });
    }
    if (result.data.type !== 'rec' && Buffer.byteLength(text) > MAX_CONTROL_FRAME_BYTES) {
      return room.reply(conn, {
        type: 'error',
        code: 'too-big',
        message: 'the frame is too big',
        ref: result.data.type,
      });
    }
    const now = Date.now();
    if (!limits.allow(result.data.type, now)) {
      if (limits.shouldWarn(now)) {
        log.warn({ room: room.id, from: participant.id, type: result.data.type }, 'rate limit reached');
        room.reply(conn, {
          type: 'error',
          code: 'rate-limited',
          message: 'too many messages; slow down',
          ref: result.data.type,
        });
      }
      return;
    }
    room.receive(participant.id, conn, result.data);
  });

  ws.on('close', () => {
    room.disconnect(participant.id, conn);
    onClose();
  });
  ws.on('error', (err) => log.warn({ room: room.id, err: err.message }, 'websocket error'));
  room.connect(participant, conn);
}
