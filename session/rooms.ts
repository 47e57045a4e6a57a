import { Room, type RoomLog } from './room.js';

/** How long an empty room is kept so a reconnecting browser can resume it. */
const EMPTY_ROOM_TTL_MS = 10 * 60_000;

/** The live rooms of this node, created on first use and dropped some time after the last one leaves. */
export class Rooms {
  private readonly rooms = new Map<string, Room>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly log: RoomLog,
    private readonly onDrop: (sessionId: string) => void = () => {},
  ) {}

  get(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  open(sessionId: string, startUrl: string | null): Room {
    let room = this.rooms.get(sessionId);
    if (!room) {
      room = new Room(sessionId, startUrl, this.log);
      this.rooms.set(sessionId, room);
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
