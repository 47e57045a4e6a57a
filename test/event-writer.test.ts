import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EventWriter } from '../store/event-writer.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { ArchivedEvent } from '../store/types.js';

/** A session row for events to belong to (they reference it). */
async function aSession(store: ReturnType<typeof openSqliteStore>): Promise<{ id: string }> {
  const row = {
    id: 's1',
    tenantId: 'default',
    createdAt: 1_800_000_000_000,
    startUrl: null,
    batonPolicy: 'support' as const,
    hostKeyHash: 'h',
    joinKeyHash: 'j',
  };
  await store.ensureTenant({ id: 'default', name: 'Default' });
  await store.createSession(row);
  return row;
}

const event = (sessionId: string, seq: number): ArchivedEvent => ({
  sessionId,
  seq,
  at: 1_800_000_000_000 + seq,
  actor: 'p1',
  tab: null,
  type: 'chat',
  body: `{"type":"chat","seq":${seq}}`,
  hash: `h${seq}`,
});

describe('the archive’s writer thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-writer-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('commits a store’s events on its thread: they are there for another connection once acknowledged', async () => {
    const store = openSqliteStore(dir);
    try {
      const s = await aSession(store);
      await store.appendEvents([event(s.id, 1), event(s.id, 2)]);
      const reader = new Database(path.join(dir, 'tandem.db'), { readonly: true });
      const seqs = reader
        .prepare('SELECT seq FROM archive_events WHERE session_id = ? ORDER BY seq')
        .all(s.id);
      reader.close();
      assert.deepEqual(seqs, [{ seq: 1 }, { seq: 2 }]);
      // A batch SQLite refuses (a seq already taken) is refused to the caller, whole.
      await assert.rejects(store.appendEvents([event(s.id, 3), event(s.id, 2)]), /UNIQUE/);
      assert.equal((await store.lastEvent(s.id))?.seq, 2);
    } finally {
      await store.close();
    }
  });

  it('answers every batch handed over before it stops', async () => {
    const store = openSqliteStore(dir);
    const s = await aSession(store);
    const batches = Array.from({ length: 20 }, (_, i) => store.appendEvents([event(s.id, i + 1)]));
    await store.close();
    await Promise.all(batches);
    const reopened = openSqliteStore(dir);
    try {
      assert.equal((await reopened.lastEvent(s.id))?.seq, 20);
    } finally {
      await reopened.close();
    }
  });

  it('a thread that cannot open its database refuses batches and says it is gone', async () => {
    const writer = new EventWriter(path.join(dir, 'missing', 'tandem.db'));
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    await assert.rejects(writer.append([event('s', 1)]));
    assert.equal(writer.gone, true);
    assert.match((await warned).message, /archive writer/);
  });
});
