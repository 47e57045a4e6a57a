import type Database from 'better-sqlite3';

/** One UTC day of a company's usage. */
export interface UsageDayRow {
  day: string;
  /** Sessions created that day. */
  sessions: number;
  /** Time participants were connected that day, summed over participants. */
  participantMs: number;
}

export interface UsageStore {
  /** Adds connected time to a company's day. */
  addAttendance(tenantId: string, day: string, ms: number): Promise<void>;
  /** The days from `from` to `to` (inclusive, `YYYY-MM-DD`) that have any usage, in order. */
  usage(tenantId: string, from: string, to: string): Promise<UsageDayRow[]>;
}

export function sqliteUsage(db: Database.Database): UsageStore {
  const add = db.prepare(
    `INSERT INTO usage_days (tenant_id, day, participant_ms) VALUES (?, ?, ?)
     ON CONFLICT (tenant_id, day) DO UPDATE SET participant_ms = participant_ms + excluded.participant_ms`,
  );
  const attendance = db.prepare(
    'SELECT day, participant_ms AS ms FROM usage_days WHERE tenant_id = ? AND day BETWEEN ? AND ?',
  );
  // Days as the ledger counts them: UTC.
  const sessions = db.prepare(
    `SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, COUNT(*) AS n FROM sessions
     WHERE tenant_id = ? AND created_at >= ? AND created_at < ? GROUP BY day`,
  );
  return {
    async addAttendance(tenantId, day, ms) {
      add.run(tenantId, day, Math.round(ms));
    },
    async usage(tenantId, from, to) {
      const days = new Map<string, UsageDayRow>();
      const row = (day: string) => {
        let r = days.get(day);
        if (!r) {
          r = { day, sessions: 0, participantMs: 0 };
          days.set(day, r);
        }
        return r;
      };
      const start = Date.parse(`${from}T00:00:00Z`);
      const end = Date.parse(`${to}T00:00:00Z`) + 24 * 60 * 60 * 1000;
      for (const s of sessions.all(tenantId, start, end) as Array<{ day: string; n: number }>)
        row(s.day).sessions = s.n;
      for (const a of attendance.all(tenantId, from, to) as Array<{ day: string; ms: number }>)
        row(a.day).participantMs = a.ms;
      return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
    },
  };
}
