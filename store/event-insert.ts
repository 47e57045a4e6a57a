import type Database from 'better-sqlite3';
import type { ArchivedEvent } from './types.js';

/**
 * Appends archived events in one transaction on the connection given: the main connection's (an
 * import, an in-memory database) and the event writer's thread's use the same statement.
 */
export function eventInserter(db: Database.Database): (events: readonly ArchivedEvent[]) => void {
  const insert = db.prepare(
    'INSERT INTO archive_events (session_id, seq, at, actor, tab, type, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  return db.transaction((events: readonly ArchivedEvent[]) => {
    for (const e of events) insert.run(e.sessionId, e.seq, e.at, e.actor, e.tab, e.type, e.body, e.hash);
  });
}
