import type { BatonPolicy } from '../store/types.js';
import { Room, type RoomLog, SEQ_BLOCK } from './room.js';

export interface SeqStore {
  reserveSeq(sessionId: string, count: number): Promise<number>;
}

/** How long an empty room is kept so a reconnecting browser can resume it. */
const EMPTY_ROOM_TTL_MS = 10 * 60_000;

/** The live rooms of this node, created on first use and dropped some time after the last one leaves. */
export class Rooms {
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly seqs: SeqStore,
    private readonly log: RoomLog,
    private readonly onDrop: (sessionId: string) => void = () => {},
  ) {}

  get(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  /** The live room of a session, created with a fresh block of sequence numbers when it is not live. */
  async open(
    sessionId: string,
    startUrl: string | null,
    batonPolicy: BatonPolicy = 'support',
  ): Promise<Room> {
    let room = this.rooms.get(sessionId);
    if (!room) {
      let pending = this.opening.get(sessionId);
      if (!pending) {
        const reserver = { reserve: (count: number) => this.seqs.reserveSeq(sessionId, count) };
        pending = reserver.reserve(SEQ_BLOCK).then((first) => {
          const created = new Room(sessionId, startUrl, this.log, Date.now, first, reserver, batonPolicy);
          this.rooms.set(sessionId, created);
          return created;
        });
        this.opening.set(sessionId, pending);
        pending.finally(() => this.opening.delete(sessionId)).catch(() => {});
      }
      room = await pending;
    }
    const timer = this.timers.get(sessionId);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(sessionId);
    }
    return room;
  }

  /** Called after a socket leaves: schedules the room's end if nobody is connected. */
  released(sessionId: string): void {
    const room = this.rooms.get(sessionId);
    if (!room || room.connectedCount > 0 || this.timers.has(sessionId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(sessionId);
      if (room.connectedCount > 0) return;
      this.rooms.delete(sessionId);
      this.onDrop(sessionId);
    }, EMPTY_ROOM_TTL_MS);
    timer.unref();
    this.timers.set(sessionId, timer);
  }

  closeAll(code: number, reason: string): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const room of this.rooms.values()) room.closeAll(code, reason);
  }
}
