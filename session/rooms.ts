import type { SessionRow } from '../store/types.js';
import type { RelayedMessage } from './protocol.js';
import { Room, type RoomJournal, type RoomLog, type SessionRecords } from './room.js';
import { restoreTabs } from './tab-state.js';

/** The journal as the rooms of a node share it: it also knows where each session's stream left off. */
export interface SessionJournal extends RoomJournal {
  /**
   * Where the session left off, as archived: its last seq, its recent chat, and the events of its
   * tabs (`TAB_STATE_TYPES`, bodies in seq order).
   */
  open(sessionId: string): Promise<{
    lastSeq: number;
    chat: Array<{ seq: number; body: string }>;
    tabEvents: string[];
  }>;
  /** The session has ended on this node: its chain is sealed once its last events are committed. */
  close(sessionId: string): void;
  /** Sessions whose events could not be committed: their rooms are dropped so clients resync. */
  onFailure(listener: (sessionId: string) => void): void;
}

/** How long an empty room is kept so a reconnecting browser can resume it. */
const EMPTY_ROOM_TTL_MS = 10 * 60_000;
/** How often connected time is handed to the ledger: what a crash can lose of it. */
const ATTENDANCE_EVERY_MS = 60_000;

/** The live rooms of this node, created on first use and dropped some time after the last one leaves. */
export class Rooms {
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly attendance: NodeJS.Timeout;

  constructor(
    private readonly journal: SessionJournal,
    private readonly log: RoomLog,
    private readonly onDrop: (sessionId: string) => void = () => {},
    private readonly records: SessionRecords | undefined = undefined,
  ) {
    journal.onFailure((sessionId) => this.fail(sessionId));
    this.attendance = setInterval(() => this.countAttendance(), ATTENDANCE_EVERY_MS);
    this.attendance.unref();
  }

  /** Every room hands the ledger the connected time it has not counted yet. */
  countAttendance(): void {
    for (const room of this.rooms.values()) room.countAttendance();
  }

  get(sessionId: string): Room | undefined {
    return this.rooms.get(sessionId);
  }

  /** The live room of a session, continuing the archived stream when it is not live. */
  async open(
    session: Pick<SessionRow, 'id' | 'startUrl' | 'batonPolicy' | 'liveTyping' | 'locked'>,
  ): Promise<Room> {
    const { id: sessionId, startUrl, batonPolicy, liveTyping, locked } = session;
    let room = this.rooms.get(sessionId);
    if (!room) {
      let pending = this.opening.get(sessionId);
      if (!pending) {
        pending = this.journal.open(sessionId).then(({ lastSeq, chat, tabEvents }) => {
          const created = new Room(sessionId, {
            startUrl,
            log: this.log,
            lastSeq,
            chat,
            tabs: restoreTabs(
              startUrl,
              tabEvents.map((body) => JSON.parse(body) as RelayedMessage),
            ),
            journal: this.journal,
            batonPolicy,
            liveTyping,
            records: this.records,
            locked,
          });
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
    // The last one out: the room's time goes to the ledger now, everyone's who left in one write.
    room.countAttendance();
    const timer = setTimeout(() => {
      this.timers.delete(sessionId);
      if (room.connectedCount > 0) return;
      this.rooms.delete(sessionId);
      this.journal.close(sessionId);
      this.onDrop(sessionId);
    }, EMPTY_ROOM_TTL_MS);
    timer.unref();
    this.timers.set(sessionId, timer);
  }

  private fail(sessionId: string): void {
    const room = this.rooms.get(sessionId);
    if (!room) return;
    this.rooms.delete(sessionId);
    const timer = this.timers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sessionId);
    this.log.warn({ room: sessionId }, 'events could not be archived; participants reconnect to resync');
    room.closeAll(1011, 'the session could not be saved; reconnecting');
  }

  closeAll(code: number, reason: string): void {
    clearInterval(this.attendance);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const room of this.rooms.values()) room.closeAll(code, reason);
  }
}
