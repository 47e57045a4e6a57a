import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { DeskAccounts, DeskUser } from '../desk/accounts.js';
import type { AgentFrame } from '../desk/agent-frame.js';
import { type Desk, type DeskListener, QueueError } from '../desk/desk.js';
import { refuseUpgrade } from '../proxy/pages.js';
import { deskUserOf } from './desk-auth.js';

interface Staff {
  ws: WebSocket;
  user: DeskUser;
}

interface Visitor {
  ws: WebSocket;
  requestId: string;
  requestKey: string;
}

/** Frames to the desk's clients are small; anything bigger from them is not ours. */
const MAX_CLIENT_FRAME = 1024;

/**
 * The desk's live channel `/desk/ws`: agents and supervisors by their sign-in cookie, visitors by
 * request id and key. Agents get their offers as they are made; boards and wait pages are sent once
 * per burst of changes (the next turn of the event loop), so a thousand arrivals cost one board each.
 */
export class DeskLive implements DeskListener {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME });
  private readonly staff = new Map<string, Set<Staff>>();
  private readonly visitors = new Map<string, Set<Visitor>>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly accounts: DeskAccounts,
    private readonly desk: () => Desk,
    private readonly appOrigin: string,
    private readonly log: { warn(fields: object, message: string): void },
  ) {}

  toAgent(tenantId: string, userId: string, frame: AgentFrame): void {
    const text = JSON.stringify(frame);
    for (const s of this.staff.get(tenantId) ?? []) if (s.user.userId === userId) s.ws.send(text);
  }

  changed(tenantId: string): void {
    if (this.pending.has(tenantId)) return;
    this.pending.add(tenantId);
    setImmediate(() => {
      this.pending.delete(tenantId);
      this.flush(tenantId).catch((err: Error) =>
        this.log.warn({ tenant: tenantId, err: err.message }, 'desk update not sent'),
      );
    });
  }

  async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.appOrigin)
      return refuseUpgrade(socket, 403, 'origin not allowed');
    const requestId = url.searchParams.get('request');
    if (requestId) {
      const requestKey = url.searchParams.get('requestKey') ?? '';
      let tenantId: string;
      try {
        tenantId = (await this.desk().visitorRequest(requestId, requestKey)).tenantId;
      } catch (e) {
        if (!(e instanceof QueueError)) throw e;
        return refuseUpgrade(socket, e.status, e.message);
      }
      return this.wss.handleUpgrade(req, socket, head, (ws) => {
        const v = { ws, requestId, requestKey };
        this.join(this.visitors, tenantId, v);
        void this.sendRequest(v);
      });
    }
    const user = await deskUserOf(this.accounts, req.headers.cookie);
    if (!user) return refuseUpgrade(socket, 401, 'sign in to the help desk');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.join(this.staff, user.tenantId, { ws, user });
      void this.greet(ws, user);
    });
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  private join<T extends { ws: WebSocket }>(by: Map<string, Set<T>>, tenantId: string, client: T): void {
    let set = by.get(tenantId);
    if (!set) {
      set = new Set();
      by.set(tenantId, set);
    }
    set.add(client);
    // Clients only listen; a frame from them is ignored.
    client.ws.on('close', () => {
      set.delete(client);
      if (set.size === 0 && by.get(tenantId) === set) by.delete(tenantId);
    });
    client.ws.on('error', () => client.ws.terminate());
  }

  /** What a screen needs on (re)connecting: an agent's open offers, a supervisor's board. */
  private async greet(ws: WebSocket, user: DeskUser): Promise<void> {
    const desk = this.desk();
    if (user.role === 'agent')
      for (const f of await desk.offersOf(user.tenantId, user.userId)) ws.send(JSON.stringify(f));
    else ws.send(JSON.stringify({ type: 'board', board: await desk.board(user.tenantId) }));
  }

  private async flush(tenantId: string): Promise<void> {
    const watchers = [...(this.staff.get(tenantId) ?? [])].filter((s) => s.user.role !== 'agent');
    if (watchers.length > 0) {
      const text = JSON.stringify({ type: 'board', board: await this.desk().board(tenantId) });
      for (const s of watchers) s.ws.send(text);
    }
    await Promise.all([...(this.visitors.get(tenantId) ?? [])].map((v) => this.sendRequest(v)));
  }

  /** A visitor's status; a request whose page is no longer allowed closes the channel. */
  private async sendRequest(v: Visitor): Promise<void> {
    try {
      const desk = this.desk();
      const view = await desk.requestView(await desk.visitorRequest(v.requestId, v.requestKey));
      v.ws.send(JSON.stringify({ type: 'request', ...view }));
    } catch (e) {
      if (!(e instanceof QueueError)) throw e;
      v.ws.close(4403, e.message);
    }
  }
}
