import { isUtf8 } from 'node:buffer';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import net from 'node:net';
import { frameHeaderLength, writeFrameHeader } from '../session/ws-frame.js';

/**
 * A WebSocket client for the benchmarks' crowds, and nothing more. The benchmarks put thousands of
 * clients on the same two cores as the server, and there the client library's cost per message
 * (ws runs every chunk through a Writable stream and an event per frame) decides how fast the crowd
 * can read, not the server. This one parses frames straight from the socket's data. It still speaks
 * the protocol (RFC 6455): the opening handshake with its key checked against the accept header,
 * masked client frames, server frames with 7, 16 and 64-bit lengths, fragmented messages, a pong for
 * every ping, and the closing handshake.
 */
export class RawWebSocket {
  private pending: Buffer | null = null;
  private fragments: Buffer[] = [];
  private closing = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly onText: (text: string) => void,
    private readonly onClose: (code: number) => void,
  ) {}

  static open(
    url: string,
    onText: (text: string) => void,
    onClose: (code: number) => void = () => {},
  ): Promise<RawWebSocket> {
    const target = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    return new Promise((resolve, reject) => {
      let ws: RawWebSocket | null = null;
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('error', reject);
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const headers = new Map(
          lines.slice(1).map((l) => {
            const colon = l.indexOf(':');
            return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()] as const;
          }),
        );
        const problem = !/^HTTP\/1\.1 101 /.test(lines[0] ?? '')
          ? `the server answered ${lines[0]}`
          : headers.get('upgrade')?.toLowerCase() !== 'websocket'
            ? 'no websocket upgrade'
            : headers.get('sec-websocket-accept') !== accept
              ? 'wrong Sec-WebSocket-Accept'
              : headers.has('sec-websocket-extensions')
                ? 'an extension nobody asked for'
                : null;
        if (problem) {
          socket.destroy();
          return reject(new Error(`WebSocket handshake failed: ${problem}`));
        }
        const opened = new RawWebSocket(socket, onText, onClose);
        ws = opened;
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          if (!opened.closing) onClose(1006);
        });
        resolve(opened);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) opened.read(rest);
      };
      // Reads land in one buffer shared by every socket of the thread (\`onread\`), not in a new
      // buffer pushed through a stream per read: what a socket keeps of a read, it copies.
      const socket = net.connect(
        {
          host: target.hostname,
          port: Number(target.port),
          onread: {
            buffer: readBuffer,
            callback: (length) => {
              const chunk = readBuffer.subarray(0, length);
              if (ws) ws.read(chunk);
              else onHandshake(Buffer.from(chunk));
              return true;
            },
          },
        },
        () => {
          socket.setNoDelay(true);
          socket.write(
            `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
              'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
              `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
        },
      );
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    const length = Buffer.byteLength(text);
    const frame = this.masked(0x1, length);
    frame.write(text, frame.length - length, 'utf8');
    this.write(frame, length);
  }

  /** Starts the closing handshake; the server answers with its close frame and closes the TCP. */
  close(code = 1000): void {
    if (this.closing) return;
    this.closing = true;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    this.frame(0x8, body);
  }

  terminate(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private read(data: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = null;
    while (buf.length >= 2) {
      const first = buf[0] as number;
      const second = buf[1] as number;
      if (second & 0x80) return this.fail(1002, 'a server frame is masked');
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) break;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) break;
        const high = buf.readUInt32BE(2);
        if (high >= 2 ** 21) return this.fail(1009, 'a frame longer than 2^53 bytes');
        length = high * 2 ** 32 + buf.readUInt32BE(6);
        offset = 10;
      }
      if (buf.length < offset + length) break;
      this.frameIn(first & 0x80, first & 0x0f, buf.subarray(offset, offset + length));
      buf = buf.subarray(offset + length);
    }
    if (buf.length > 0) this.pending = Buffer.from(buf);
  }

  private frameIn(fin: number, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0:
      case 0x1: {
        if (opcode === 0x1 && this.fragments.length > 0)
          return this.fail(1002, 'a new message inside a fragmented one');
        if (opcode === 0x0 && this.fragments.length === 0) return this.fail(1002, 'a stray continuation');
        if (!fin) {
          this.fragments.push(Buffer.from(payload));
          return;
        }
        const whole = this.fragments.length > 0 ? Buffer.concat([...this.fragments, payload]) : payload;
        this.fragments = [];
        if (!isUtf8(whole)) return this.fail(1007, 'a text message that is not UTF-8');
        return this.onText(whole.toString('utf8'));
      }
      case 0x8: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (!this.closing) this.close(code === 1005 ? 1000 : code);
        this.socket.end();
        return this.onClose(code);
      }
      case 0x9:
        return this.frame(0xa, payload);
      case 0xa:
        return;
      default:
        return this.fail(1003, `opcode ${opcode}: Tandem sends only text`);
    }
  }

  private fail(code: number, reason: string): void {
    this.close(code);
    this.socket.end();
    this.onClose(code);
    throw new Error(`WebSocket protocol error: ${reason}`);
  }

  private frame(opcode: number, payload: Buffer): void {
    const frame = this.masked(opcode, payload.length);
    payload.copy(frame, frame.length - payload.length);
    this.write(frame, payload.length);
  }

  /** A client frame with room for the payload at its end: final, masked, as RFC 6455 §5.3 requires. */
  private masked(opcode: number, length: number): Buffer {
    const header = frameHeaderLength(length);
    const frame = Buffer.allocUnsafe(header + 4 + length);
    writeFrameHeader(frame, opcode, length, true);
    if (maskOffset + 4 > maskPool.length) {
      randomFillSync(maskPool);
      maskOffset = 0;
    }
    maskPool.copy(frame, header, maskOffset, maskOffset + 4);
    maskOffset += 4;
    return frame;
  }

  /** Masks the payload at the frame's end with the key before it, in place, and sends the frame. */
  private write(frame: Buffer, length: number): void {
    const start = frame.length - length;
    for (let i = 0; i < length; i++)
      frame[start + i] = (frame[start + i] as number) ^ (frame[start - 4 + (i & 3)] as number);
    this.socket.write(frame);
  }
}

const readBuffer = Buffer.allocUnsafe(256 * 1024);

/** Masking keys come from the CSPRNG a pool at a time, as ws does: one call per frame costs more. */
const maskPool = Buffer.alloc(8192);
let maskOffset = maskPool.length;
