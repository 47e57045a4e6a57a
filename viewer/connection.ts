import { ENDED_CLOSE_CODE, REMOVED_CLOSE_CODE } from '../session/limits.js';
import type { ClientMessage, ServerMessage } from '../session/protocol.js';
import { ApiError, getTicket } from './api.js';

export type Status = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'removed' | 'ended';

export interface ConnectionEvents {
  message(msg: ServerMessage): void;
  status(status: Status, retryInSeconds: number): void;
}

const MAX_BACKOFF_MS = 15_000;

/**
 * The viewer's one WebSocket: a fresh single-use ticket per attempt, reconnection with backoff, and
 * a resume from the last seq seen so nothing ordered while the socket was down is lost.
 */
export class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private lastSeq = 0;
  private stopped = false;
  private countdown: number | undefined;

  constructor(
    private readonly session: string,
    private readonly token: string,
    private readonly on: ConnectionEvents,
  ) {}

  start(): void {
    void this.open();
    addEventListener('online', () => {
      if (!this.ws && !this.stopped) this.retryNow();
    });
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close(1000, 'left');
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  send(msg: ClientMessage): boolean {
    if (!this.isOpen || !this.ws) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  private async open(): Promise<void> {
    this.on.status(this.attempt === 0 ? 'connecting' : 'reconnecting', 0);
    let ticket: string;
    try {
      ticket = (await getTicket(this.session, this.token)).ticket;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'removed') return this.final('removed');
      return this.scheduleRetry();
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(
      `${scheme}://${location.host}/ws?session=${encodeURIComponent(this.session)}&ticket=${encodeURIComponent(ticket)}`,
    );
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.on.status('live', 0);
      if (this.lastSeq > 0) this.send({ type: 'resume', after: this.lastSeq });
    };
    ws.onmessage = (e: MessageEvent<string>) => {
      const msg = JSON.parse(e.data) as ServerMessage;
      if ('seq' in msg && msg.type !== 'welcome') this.lastSeq = Math.max(this.lastSeq, msg.seq);
      this.on.message(msg);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (e.code === REMOVED_CLOSE_CODE) return this.final('removed');
      if (e.code === ENDED_CLOSE_CODE) return this.final('ended');
      if (!this.stopped) this.scheduleRetry();
    };
  }

  /** No reconnecting: the token opens nothing any more, or the session is over. */
  private final(status: 'removed' | 'ended'): void {
    this.stopped = true;
    clearInterval(this.countdown);
    this.on.status(status, 0);
  }

  private scheduleRetry(): void {
    this.attempt++;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.attempt, 5));
    let left = Math.ceil(delay / 1000);
    this.on.status(navigator.onLine ? 'reconnecting' : 'offline', left);
    clearInterval(this.countdown);
    this.countdown = window.setInterval(() => {
      left--;
      if (left > 0) this.on.status(navigator.onLine ? 'reconnecting' : 'offline', left);
      else this.retryNow();
    }, 1000);
  }

  private retryNow(): void {
    clearInterval(this.countdown);
    this.countdown = undefined;
    void this.open();
  }
}
