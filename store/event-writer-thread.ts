import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { eventInserter } from './event-insert.js';
import type { ArchivedEvent } from './types.js';

/** The event writer's thread (see event-writer.ts): one connection, one transaction per batch. */
const db = new Database((workerData as { file: string }).file);
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('wal_autocheckpoint = 0');
const append = eventInserter(db);

parentPort?.on('message', (m: { id: number; events: ArchivedEvent[] } | 'stop') => {
  if (m === 'stop') {
    db.close();
    parentPort?.close();
    return;
  }
  try {
    append(m.events);
    parentPort?.postMessage({ id: m.id });
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: (err as Error).message });
  }
});
