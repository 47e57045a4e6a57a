import { z } from 'zod';
import type { UsageStore } from '../store/usage.js';
import { addByDay, dayCount, dayOf } from './attendance.js';

export interface UsageReport {
  from: string;
  to: string;
  /** Days with any usage, in order. */
  days: Array<{ day: string; sessions: number; participantMinutes: number }>;
  totals: { sessions: number; participantMinutes: number };
}

export interface LedgerLog {
  error(fields: object, message: string): void;
}

/** The longest stretch one report covers. */
export const MAX_REPORT_DAYS = 366;

/** Minutes to one decimal: a bill can be checked against it to the six seconds. */
const minutes = (ms: number) => Math.round(ms / 6000) / 10;

/**
 * What each company used, for its bill: sessions started, and the time participants spent
 * connected (two people for an hour are two hours), per UTC day.
 */
export class Ledger {
  constructor(
    private readonly store: UsageStore,
    /** The company a session belongs to. */
    private readonly tenantOf: (sessionId: string) => Promise<string | undefined>,
    private readonly log: LedgerLog,
  ) {}

  /** Spans of connected time a room counted (epoch ms), cut at UTC midnights and added by day. */
  async attended(sessionId: string, spans: ReadonlyArray<readonly [number, number]>): Promise<void> {
    const tenantId = await this.tenantOf(sessionId);
    if (tenantId === undefined) {
      this.log.error({ session: sessionId }, 'connected time for an unknown session was not counted');
      return;
    }
    const byDay = new Map<string, number>();
    for (const [from, to] of spans) addByDay(byDay, from, to);
    for (const [day, ms] of byDay) if (ms > 0) await this.store.addAttendance(tenantId, day, ms);
  }

  async report(tenantId: string, from: string, to: string): Promise<UsageReport> {
    const rows = await this.store.usage(tenantId, from, to);
    const totalMs = rows.reduce((sum, r) => sum + r.participantMs, 0);
    return {
      from,
      to,
      days: rows.map((r) => ({
        day: r.day,
        sessions: r.sessions,
        participantMinutes: minutes(r.participantMs),
      })),
      totals: {
        sessions: rows.reduce((sum, r) => sum + r.sessions, 0),
        participantMinutes: minutes(totalMs),
      },
    };
  }
}

/** The report as CSV, a line per day, for a spreadsheet or a billing system. */
export function usageCsv(report: UsageReport): string {
  const lines = ['day,sessions,participant_minutes'];
  for (const d of report.days) lines.push(`${d.day},${d.sessions},${d.participantMinutes}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The current month so far: a bill's usual period. */
export function monthToDate(now: number): { from: string; to: string } {
  const today = dayOf(now);
  return { from: `${today.slice(0, 8)}01`, to: today };
}

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is written YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && dayOf(Date.parse(`${d}T00:00:00Z`)) === d, {
    message: 'no such day',
  });

/** A report's period as asked for (`from`, `to`; the month so far when left out), checked. */
export function reportPeriod(now: number) {
  return z
    .strictObject({ from: day.optional(), to: day.optional() })
    .transform(({ from, to }) => ({ from: from ?? monthToDate(now).from, to: to ?? dayOf(now) }))
    .refine(({ from, to }) => from <= to, { message: '`from` comes after `to`' })
    .refine(({ from, to }) => dayCount(from, to) <= MAX_REPORT_DAYS, {
      message: `a report covers at most ${MAX_REPORT_DAYS} days`,
    });
}
