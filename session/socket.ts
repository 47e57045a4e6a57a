import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { Connection } from './connection.js';
import { clientMessage, MAX_CONTROL_FRAME_BYTES } from './protocol.js';
import { ConnectionLimits } from './rate-limit.js';
import type { ParticipantRecord, Room, RoomLog } from './room.js';
import { serverTextFrame } from './ws-frame.js';

/**
 * Sockets sent something in this turn of the event loop. Each stays corked until the turn ends, so
 * everything it is sent in one turn leaves in one write: a room with thousands of followers pays one
 * system call per follower per sweep, however many events the sweep carries.
 */
let corked: Socket[] = [];

function uncorkAll(): void {
  const sockets = corked;
  corked = [];
  for (const tcp of sockets) tcp.uncork();
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
  // (see `Outgoing`) rather than by ws once per socket. That keeps the order with what ws writes
  // itself (pongs, the close frame) because, with permessage-deflate off, ws writes synchronously too.
  const tcp = (ws as unknown as { _socket: Socket })._socket;
  const conn: Connection = {
    send: (message) => {
      // What ws does too: nothing is sent after the close frame.
      if (ws.readyState !== ws.OPEN) return;
      // ws corks only around its own writes, so a corked socket here is one corked in this turn.
      if (tcp.writableCorked === 0) {
        tcp.cork();
        if (corked.push(tcp) === 1) process.nextTick(uncorkAll);
      }
      tcp.write(message.encoded(serverTextFrame));
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    close: (code, reason) => ws.close(code, reason),
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
