import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Archive, ImportError } from '../archive/archive.js';
import { Capture } from '../archive/capture.js';
import { Journal } from '../archive/journal.js';
import { type BlobStore, diskBlobs, hashBody } from '../store/blobs.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { ArchiveStore, Role, Store } from '../store/types.js';

type FullStore = Store & ArchiveStore;

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const LABEL = 'mfrggzdfmztwq2lknnwg23tpoa';
const ORIGIN = 'http://localhost:8080';
const silent = { error() {} };

interface Said {
  type: 'chat' | 'location' | 'typing';
  text?: string;
  url?: string;
}

/** A tenant's session with participants, archived events (through the real journal) and captures. */
async function seedSession(
  store: FullStore,
  blobs: BlobStore,
  s: {
    id: string;
    tenant: string;
    createdAt: number;
    startUrl?: string | null;
    people: Array<[string, Role]>;
    said?: Said[];
    served?: Array<{ path: string; body: string }>;
    endedAt?: number;
  },
): Promise<void> {
  await store.createSession({
    id: s.id,
    tenantId: s.tenant,
    createdAt: s.createdAt,
    startUrl: s.startUrl ?? null,
    batonPolicy: 'support',
    hostKeyHash: 'h',
    joinKeyHash: 'j',
  });
  for (const [i, [name, role]] of s.people.entries()) {
    await store.addParticipant({
      id: `${s.id}-p${i}`,
      sessionId: s.id,
      name,
      role,
      tokenHash: `${s.id}-token-${i}`,
      joinedAt: s.createdAt + i,
    });
  }
  await store.contentHostFor(s.id, 'https://shop.example', () => `host-${s.id}`);
  const journal = new Journal(store, silent, () => s.endedAt ?? NOW);
  await journal.open(s.id);
  let seq = 0;
  for (const said of s.said ?? []) {
    seq++;
    const at = s.createdAt + seq;
    const from = `${s.id}-p0`;
    const fields =
      said.type === 'chat'
        ? { text: said.text }
        : said.type === 'location'
          ? { tab: 't1', url: said.url, title: 'A page' }
          : { active: true };
    const body = JSON.stringify({ type: said.type, seq, at, from, ...fields });
    journal.append({ sessionId: s.id, seq, at, actor: from, tab: null, type: said.type, body });
  }
  if (s.endedAt !== undefined) journal.close(s.id);
  await journal.drain();
  const capture = new Capture(store, blobs, silent, () => s.createdAt);
  for (const r of s.served ?? []) {
    capture.record({
      sessionId: s.id,
      label: LABEL,
      path: r.path,
      url: `https://shop.example${r.path}`,
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from(r.body),
    });
  }
  await capture.drain();
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tandem-${name}-`));
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

describe('archive store: finding sessions', () => {
  let dir: string;
  let store: FullStore;
  let blobs: BlobStore;

  before(async () => {
    dir = tempDir('find');
    store = openSqliteStore(dir);
    blobs = diskBlobs(path.join(dir, 'blobs'));
    await store.ensureTenant({ id: 'acme', name: 'Acme' });
    await store.ensureTenant({ id: 'globex', name: 'Globex' });
    await seedSession(store, blobs, {
      id: 'sess-a1',
      tenant: 'acme',
      createdAt: 1000,
      startUrl: 'https://shop.example/start',
      people: [
        ['Olivia Agent', 'owner'],
        ['Felix', 'follower'],
      ],
      said: [
        { type: 'location', url: 'https://shop.example/checkout?step=2' },
        { type: 'chat', text: 'the price is 100% right' },
      ],
    });
    await seedSession(store, blobs, {
      id: 'sess-a2',
      tenant: 'acme',
      createdAt: 2000,
      people: [
        ['Hank_Host', 'owner'],
        ['Zed', 'follower'],
      ],
      said: [
        { type: 'chat', text: 'hello world' },
        { type: 'location', url: 'https://news.example/a_b' },
      ],
    });
    // Look-alikes: each would match sess-a1 or sess-a2's filters if % or _ were wildcards.
    await seedSession(store, blobs, {
      id: 'sess-a3',
      tenant: 'acme',
      createdAt: 3000,
      people: [
        ['Olivia', 'owner'],
        ['HankXHost', 'follower'],
      ],
      said: [
        { type: 'chat', text: 'nothing special, 100 percent' },
        { type: 'location', url: 'https://news.example/aXb' },
        { type: 'typing' },
      ],
    });
    // Another tenant's session that matches every filter.
    await seedSession(store, blobs, {
      id: 'sess-g1',
      tenant: 'globex',
      createdAt: 1500,
      startUrl: 'https://shop.example/start',
      people: [
        ['Olivia Agent', 'owner'],
        ['Felix', 'follower'],
      ],
      said: [
        { type: 'location', url: 'https://shop.example/checkout?step=2' },
        { type: 'chat', text: 'the price is 100% right, hello world' },
      ],
    });
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const find = async (filter: Omit<Parameters<FullStore['findSessions']>[1], 'limit'>, limit = 50) =>
    ids(await store.findSessions('acme', { ...filter, limit }));

  it('lists the tenant’s sessions newest first, with their summary', async () => {
    assert.deepEqual(await find({}), ['sess-a3', 'sess-a2', 'sess-a1']);
    const [a1] = await store.findSessions('acme', { limit: 50, to: 1001 });
    assert.equal(a1?.id, 'sess-a1');
    assert.equal(a1?.tenantId, 'acme');
    assert.equal(a1?.startUrl, 'https://shop.example/start');
    assert.equal(a1?.lastSeq, 2);
    assert.equal(a1?.lastAt, 1002);
    assert.equal(a1?.endedAt, null);
    assert.deepEqual(
      a1?.participants.map((p) => [p.name, p.role]),
      [
        ['Olivia Agent', 'owner'],
        ['Felix', 'follower'],
      ],
    );
  });

  it('filters by creation time: from (inclusive), to and before (exclusive)', async () => {
    assert.deepEqual(await find({ from: 2000 }), ['sess-a3', 'sess-a2']);
    assert.deepEqual(await find({ to: 2000 }), ['sess-a1']);
    assert.deepEqual(await find({ before: 3000 }), ['sess-a2', 'sess-a1']);
    assert.deepEqual(await find({ from: 1500, to: 2500 }), ['sess-a2']);
  });

  it('filters by any participant’s name and by the host’s (owner’s) name, case-insensitively', async () => {
    assert.deepEqual(await find({ participant: 'felix' }), ['sess-a1']);
    assert.deepEqual(await find({ participant: 'olivia' }), ['sess-a3', 'sess-a1']);
    assert.deepEqual(await find({ host: 'OLIVIA' }), ['sess-a3', 'sess-a1']);
    assert.deepEqual(await find({ host: 'Felix' }), [], 'a follower is not the host');
  });

  it('filters by a page visited: the start address or any location event', async () => {
    assert.deepEqual(await find({ url: 'checkout' }), ['sess-a1']);
    assert.deepEqual(await find({ url: 'shop.example/start' }), ['sess-a1']);
    assert.deepEqual(await find({ url: 'news.example' }), ['sess-a3', 'sess-a2']);
  });

  it('filters by chat text, only in chat lines', async () => {
    assert.deepEqual(await find({ text: 'hello' }), ['sess-a2']);
    assert.deepEqual(await find({ text: 'A page' }), [], 'a location title is not chat');
  });

  it('takes LIKE’s % and _ literally', async () => {
    assert.deepEqual(await find({ text: '100%' }), ['sess-a1']);
    assert.deepEqual(await find({ text: '%' }), ['sess-a1']);
    assert.deepEqual(await find({ participant: 'Hank_' }), ['sess-a2']);
    assert.deepEqual(await find({ url: 'a_b' }), ['sess-a2']);
    assert.deepEqual(await find({ url: '_' }), ['sess-a2'], 'only the URL with an underscore');
    assert.deepEqual(await find({ text: '\\' }), [], 'the escape character itself is literal too');
  });

  it('combines filters and honours the limit', async () => {
    assert.deepEqual(await find({ host: 'olivia', text: '100' }), ['sess-a3', 'sess-a1']);
    assert.deepEqual(await find({ host: 'olivia', text: '100', before: 3000 }), ['sess-a1']);
    assert.deepEqual(await find({}, 1), ['sess-a3']);
    assert.deepEqual(await find({ before: 3000 }, 1), ['sess-a2'], 'paging back');
  });

  it('never finds another tenant’s session, whatever the filter', async () => {
    const filters = [
      {},
      { text: 'hello' },
      { host: 'Olivia' },
      { url: 'checkout' },
      { participant: 'Felix' },
    ];
    for (const f of filters) {
      assert.deepEqual(ids(await store.findSessions('globex', { ...f, limit: 50 })), ['sess-g1']);
      assert.ok(!(await find(f)).includes('sess-g1'));
    }
    assert.deepEqual(await store.findSessions('nobody', { limit: 50 }), []);
  });
});

describe('archive store: tenant isolation, deletion and retention', () => {
  let dir: string;
  let store: FullStore;
  let blobs: BlobStore;
  let archive: Archive;

  beforeEach(async () => {
    dir = tempDir('archive-store');
    store = openSqliteStore(dir);
    blobs = diskBlobs(path.join(dir, 'blobs'));
    archive = new Archive(store, blobs, ORIGIN);
    await store.ensureTenant({ id: 'acme', name: 'Acme' });
    await store.ensureTenant({ id: 'globex', name: 'Globex' });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const seedA1 = (endedAt?: number) =>
    seedSession(store, blobs, {
      id: 'sess-a1',
      tenant: 'acme',
      createdAt: 1000,
      startUrl: 'https://shop.example/',
      people: [
        ['Olivia', 'owner'],
        ['Felix', 'follower'],
      ],
      said: [
        { type: 'location', url: 'https://shop.example/' },
        { type: 'chat', text: 'hi' },
      ],
      served: [
        { path: '/only-a1.txt', body: 'only in a1' },
        { path: '/shared.txt', body: 'shared body' },
      ],
      ...(endedAt === undefined ? {} : { endedAt }),
    });

  it('answers every tenant-scoped read with nothing for another tenant’s session', async () => {
    await seedA1(NOW);
    assert.ok(await store.archivedSession('acme', 'sess-a1'), 'the owner tenant sees it');
    assert.equal((await store.events('acme', 'sess-a1', 0, 100)).length, 2);
    assert.equal((await store.captures('acme', 'sess-a1')).length, 2);
    assert.ok(await store.capture('acme', 'sess-a1', LABEL, '/shared.txt'));
    assert.equal((await store.labels('acme', 'sess-a1')).length, 2, 'its live host and its captures’');

    assert.equal(await store.archivedSession('globex', 'sess-a1'), undefined);
    assert.deepEqual(await store.findSessions('globex', { limit: 50 }), []);
    assert.deepEqual(await store.events('globex', 'sess-a1', 0, 100), []);
    assert.deepEqual(await store.captures('globex', 'sess-a1'), []);
    assert.equal(await store.capture('globex', 'sess-a1', LABEL, '/shared.txt'), undefined);
    assert.deepEqual(await store.labels('globex', 'sess-a1'), []);
    assert.equal(await store.deleteSession('globex', 'sess-a1', 'not yours', NOW), undefined);
    assert.ok(await store.archivedSession('acme', 'sess-a1'), 'another tenant cannot delete it');
    assert.deepEqual(await store.deletions('globex'), []);

    // And through the archive, which the routes use.
    assert.equal(await archive.session('globex', 'sess-a1'), undefined);
    assert.deepEqual(await archive.find('globex', { limit: 50 }), []);
    assert.deepEqual(await archive.events('globex', 'sess-a1', 0, 100), { events: [], next: null });
    assert.equal(await archive.asset('globex', 'sess-a1', LABEL, '/shared.txt'), undefined);
    assert.equal(await archive.verify('globex', 'sess-a1'), undefined);
    const lines: string[] = [];
    for await (const line of archive.exportLines('globex', 'sess-a1')) lines.push(line);
    assert.deepEqual(lines, []);
    assert.equal(await archive.delete('globex', 'sess-a1', 'not yours', NOW), undefined);
    assert.equal((await archive.verify('acme', 'sess-a1'))?.intact, true);
  });

  it('deletes a session with its events, captures, participants and content hosts, and logs it', async () => {
    await seedA1(NOW);
    await seedSession(store, blobs, {
      id: 'sess-a2',
      tenant: 'acme',
      createdAt: 2000,
      people: [['Hank', 'owner']],
      said: [{ type: 'chat', text: 'stay' }],
      served: [{ path: '/shared.txt', body: 'shared body' }],
    });
    const finalHash = (await store.archivedSession('acme', 'sess-a1'))?.finalHash;
    assert.ok(finalHash);
    const deleted = await store.deleteSession('acme', 'sess-a1', 'asked by the customer', NOW + 5);
    assert.deepEqual(deleted, {
      sessionId: 'sess-a1',
      tenantId: 'acme',
      deletedAt: NOW + 5,
      reason: 'asked by the customer',
      events: 2,
      finalHash,
    });
    assert.deepEqual(await store.deletions('acme'), [deleted]);
    assert.deepEqual(await store.deletions('globex'), []);

    const db = new Database(path.join(dir, 'tandem.db'), { readonly: true });
    try {
      for (const table of ['archive_events', 'captures', 'participants', 'content_hosts']) {
        const count = (sessionId: string) =>
          (
            db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE session_id = ?`).get(sessionId) as {
              n: number;
            }
          ).n;
        assert.equal(count('sess-a1'), 0, `${table} of the deleted session`);
        assert.ok(count('sess-a2') > 0, `${table} of the other session`);
      }
      assert.equal(db.prepare('SELECT 1 FROM sessions WHERE id = ?').get('sess-a1'), undefined);
    } finally {
      db.close();
    }
    assert.equal(await store.getSession('sess-a1'), undefined);
    assert.equal(await store.getParticipant('sess-a1-p0'), undefined);
    assert.equal(await store.deleteSession('acme', 'sess-a1', 'again', NOW), undefined, 'gone');
    assert.equal((await archive.verify('acme', 'sess-a2'))?.intact, true);
  });

  it('finds sessions expired under their tenant’s retention period only', async () => {
    const session = (id: string, tenant: string, endedAt?: number) =>
      seedSession(store, blobs, {
        id,
        tenant,
        createdAt: NOW - 60 * 60_000,
        people: [['Olivia', 'owner']],
        said: [{ type: 'chat', text: id }],
        ...(endedAt === undefined ? {} : { endedAt }),
      });
    await session('old', 'acme', NOW - 31 * DAY);
    await session('recent', 'acme', NOW - 29 * DAY);
    await session('live', 'acme');
    await session('other-old', 'globex', NOW - 100 * DAY);
    assert.deepEqual(await store.expiredSessions(NOW), [], 'no tenant has a retention period yet');
    await store.setRetention('acme', 30);
    assert.deepEqual(await store.expiredSessions(NOW), [{ id: 'old', tenantId: 'acme' }]);
    await store.setRetention('globex', 90);
    assert.deepEqual((await store.expiredSessions(NOW)).map((s) => s.id).sort(), ['old', 'other-old']);
    await store.setRetention('acme', 28);
    assert.deepEqual((await store.expiredSessions(NOW)).map((s) => s.id).sort(), [
      'old',
      'other-old',
      'recent',
    ]);
    await store.setRetention('acme', null);
    await store.setRetention('globex', null);
    assert.deepEqual(await store.expiredSessions(NOW), []);
  });

  // A node that dies (kill -9, power loss) never seals its live sessions; once nothing has happened
  // in one for the whole retention period, it has ended as surely as a sealed one.
  it('expires a session never sealed (its server died) once its last event is past the period', async () => {
    await seedSession(store, blobs, {
      id: 'orphan',
      tenant: 'acme',
      createdAt: NOW - 40 * DAY,
      people: [['Olivia', 'owner']],
      said: [{ type: 'chat', text: 'then the server died' }],
    });
    await store.setRetention('acme', 30);
    assert.deepEqual(await store.expiredSessions(NOW), [{ id: 'orphan', tenantId: 'acme' }]);
  });

  it('sweeps expired sessions, deleting the bodies no other session uses and keeping shared ones', async () => {
    await seedA1(NOW - 40 * DAY);
    await seedSession(store, blobs, {
      id: 'sess-a2',
      tenant: 'acme',
      createdAt: NOW - 60 * 60_000,
      people: [['Hank', 'owner']],
      served: [{ path: '/elsewhere.txt', body: 'shared body' }],
    });
    await store.setRetention('acme', 30);
    const only = hashBody(Buffer.from('only in a1'));
    const shared = hashBody(Buffer.from('shared body'));
    assert.ok(blobs.get(only));
    const swept = await archive.sweep(NOW);
    assert.deepEqual(
      swept.map((d) => [d.sessionId, d.reason, d.events]),
      [['sess-a1', 'retention period over', 2]],
    );
    assert.equal(blobs.get(only), undefined, 'a body only the expired session used is deleted');
    assert.equal(blobs.get(shared)?.toString(), 'shared body', 'a body another session uses is kept');
    assert.equal(await store.archivedSession('acme', 'sess-a1'), undefined);
    assert.ok(await archive.asset('acme', 'sess-a2', LABEL, '/elsewhere.txt'));
    assert.deepEqual(await archive.sweep(NOW), [], 'nothing left to sweep');
    assert.equal((await archive.deletions('acme')).length, 1);
  });

  it('keeps an expired session whose room is still open', async () => {
    await seedA1(NOW - 40 * DAY);
    await store.setRetention('acme', 30);
    assert.deepEqual(await archive.sweep(NOW, (id) => id === 'sess-a1'), []);
    assert.ok(await store.archivedSession('acme', 'sess-a1'));
  });

  it('removes bodies nothing refers to once they are an hour old, and no others', async () => {
    await seedA1();
    const used = hashBody(Buffer.from('only in a1'));
    const old = blobs.put(Buffer.from('left by a crash before its row was written'));
    const fresh = blobs.put(Buffer.from('its row is on its way'));
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    for (const hash of [old, used]) {
      fs.utimesSync(path.join(dir, 'blobs', hash.slice(0, 2), hash), twoHoursAgo, twoHoursAgo);
    }
    await archive.sweep(Date.now());
    assert.equal(blobs.get(old), undefined, 'the old orphan is gone');
    assert.ok(blobs.get(fresh), 'a recent one may still be indexed: kept');
    assert.ok(blobs.get(used), 'a body a capture refers to is kept');
  });
});

describe('archive: export and import', () => {
  let dirA: string;
  let dirB: string;
  let storeA: FullStore;
  let storeB: FullStore;
  let archiveA: Archive;
  let archiveB: Archive;
  /** A two-person session, as every real one is. */
  let exported: string[];
  /** A session with one participant. */
  let solo: string[];

  before(async () => {
    dirA = tempDir('export');
    storeA = openSqliteStore(dirA);
    const blobsA = diskBlobs(path.join(dirA, 'blobs'));
    archiveA = new Archive(storeA, blobsA, ORIGIN);
    await storeA.ensureTenant({ id: 'acme', name: 'Acme' });
    await seedSession(storeA, blobsA, {
      id: 'sess-x1',
      tenant: 'acme',
      createdAt: 1000,
      startUrl: 'https://shop.example/',
      people: [
        ['Olivia', 'owner'],
        ['Felix', 'follower'],
      ],
      said: [
        { type: 'location', url: 'https://shop.example/' },
        { type: 'chat', text: 'hello there' },
        { type: 'chat', text: 'second line' },
        { type: 'typing' },
      ],
      served: [
        { path: '/a.txt', body: 'body a' },
        { path: '/b.txt', body: 'body b' },
        { path: '/a-again.txt', body: 'body a' },
      ],
      endedAt: NOW,
    });
    await seedSession(storeA, blobsA, {
      id: 'sess-solo',
      tenant: 'acme',
      createdAt: 2000,
      people: [['Olivia', 'owner']],
      said: [{ type: 'chat', text: 'alone' }],
      endedAt: NOW,
    });
    exported = [];
    for await (const line of archiveA.exportLines('acme', 'sess-x1')) exported.push(line);
    solo = [];
    for await (const line of archiveA.exportLines('acme', 'sess-solo')) solo.push(line);
  });
  after(async () => {
    await storeA.close();
    fs.rmSync(dirA, { recursive: true, force: true });
  });

  beforeEach(async () => {
    dirB = tempDir('import');
    storeB = openSqliteStore(dirB);
    archiveB = new Archive(storeB, diskBlobs(path.join(dirB, 'blobs')), ORIGIN);
    await storeB.ensureTenant({ id: 'acme', name: 'Acme' });
  });
  afterEach(async () => {
    await storeB.close();
    fs.rmSync(dirB, { recursive: true, force: true });
  });

  async function* linesOf(lines: readonly string[]) {
    for (const line of lines) yield line;
  }

  async function refused(lines: readonly string[], code: ImportError['code']): Promise<ImportError> {
    let caught: unknown;
    try {
      await archiveB.import('acme', linesOf(lines));
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ImportError, `expected an ImportError, got ${String(caught)}`);
    assert.equal(caught.code, code, caught.message);
    await assertNothingWritten();
    return caught;
  }

  async function assertNothingWritten(): Promise<void> {
    assert.equal(await storeB.getSession('sess-x1'), undefined, 'no session row');
    const db = new Database(path.join(dirB, 'tandem.db'), { readonly: true });
    try {
      for (const table of ['sessions', 'participants', 'archive_events', 'captures']) {
        assert.equal((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n, 0, table);
      }
    } finally {
      db.close();
    }
    const blobDir = path.join(dirB, 'blobs');
    const files = fs.existsSync(blobDir) ? fs.readdirSync(blobDir, { recursive: true }) : [];
    assert.deepEqual(files, [], 'no body on disk');
  }

  interface Line {
    event?: { type: string; body: string };
    blob?: { hash: string; base64: string };
  }
  /** The export with lines changed in place; `change` answers whether it changed the line. */
  const edit = (change: (json: Line) => boolean) =>
    exported.map((line) => {
      const json = JSON.parse(line) as Line;
      return change(json) ? JSON.stringify(json) : line;
    });

  it('exports a header, the events, the captures and each body once', () => {
    const kinds = exported.map((l) => Object.keys(JSON.parse(l) as object).sort()[0]);
    assert.deepEqual(kinds, [
      'exportedAt',
      'event',
      'event',
      'event',
      'event',
      'capture',
      'capture',
      'capture',
      'blob',
      'blob',
    ]);
  });

  it('round-trips into another data folder: the same events, captures and bodies, and intact', async () => {
    const done = await archiveB.import('acme', linesOf(exported));
    assert.deepEqual(done, { id: 'sess-x1', events: 4 });
    assert.deepEqual(
      await storeB.events('acme', 'sess-x1', 0, 100),
      await storeA.events('acme', 'sess-x1', 0, 100),
    );
    const strip = (rows: Awaited<ReturnType<FullStore['captures']>>) =>
      rows.map((r) => JSON.stringify(r)).sort();
    assert.deepEqual(
      strip(await storeB.captures('acme', 'sess-x1')),
      strip(await storeA.captures('acme', 'sess-x1')),
    );
    const a = await storeA.archivedSession('acme', 'sess-x1');
    const b = await storeB.archivedSession('acme', 'sess-x1');
    assert.equal(b?.finalHash, a?.finalHash);
    assert.equal(b?.endedAt, a?.endedAt);
    assert.equal(b?.createdAt, a?.createdAt);
    assert.equal(b?.startUrl, a?.startUrl);
    assert.deepEqual(
      b?.participants.map((p) => [p.name, p.role, p.joinedAt]),
      a?.participants.map((p) => [p.name, p.role, p.joinedAt]),
    );
    const verdict = await archiveB.verify('acme', 'sess-x1');
    assert.equal(verdict?.intact, true);
    assert.equal(verdict?.records, 4);
    assert.equal((await archiveB.asset('acme', 'sess-x1', LABEL, '/a-again.txt'))?.body.toString(), 'body a');
    assert.deepEqual(
      (await archiveB.events('acme', 'sess-x1', 0, 100)).events,
      (await archiveA.events('acme', 'sess-x1', 0, 100)).events,
    );
  });

  it('refuses an export whose event body was changed, writing nothing', async () => {
    const tampered = edit((j) => {
      if (!j.event?.body.includes('hello there')) return false;
      j.event.body = j.event.body.replace('hello there', 'goodbye');
      return true;
    });
    const e = await refused(tampered, 'broken-chain');
    assert.match(e.message, /record 2/);
  });

  it('refuses an export with a record missing at the end (the final hash no longer matches)', async () => {
    const lastEvent = exported.map((l) => 'event' in JSON.parse(l)).lastIndexOf(true);
    await refused(
      exported.filter((_, i) => i !== lastEvent),
      'broken-chain',
    );
  });

  it('refuses an export missing a body, or with a body that does not match its hash', async () => {
    const firstBlob = exported.findIndex((l) => 'blob' in JSON.parse(l));
    const e = await refused(
      exported.filter((_, i) => i !== firstBlob),
      'bad-file',
    );
    assert.match(e.message, /missing/);
    const changedBody = edit((j) => {
      if (!j.blob) return false;
      j.blob.base64 = Buffer.from('something else').toString('base64');
      return true;
    });
    await refused(changedBody, 'bad-file');
  });

  it('refuses a bad header, a line that is not JSON, an unknown line and an empty file', async () => {
    const header = JSON.parse(exported[0] as string) as Record<string, unknown>;
    await refused([JSON.stringify({ ...header, version: 2 }), ...exported.slice(1)], 'bad-file');
    await refused([JSON.stringify({ ...header, format: 'other' }), ...exported.slice(1)], 'bad-file');
    await refused(exported.slice(1), 'bad-file');
    await refused([...exported.slice(0, 3), '{"event":', ...exported.slice(3)], 'bad-file');
    await refused([...exported, JSON.stringify({ note: 'extra' })], 'bad-file');
    await refused([], 'bad-file');
    const badId = { ...header, session: { ...(header.session as object), id: '../../etc' } };
    await refused([JSON.stringify(badId), ...exported.slice(1)], 'bad-file');
  });

  // The header lists participants; the store keys them by session and id, so a repeated one cannot
  // be written. Everything must be refused before anything is written, not half-imported.
  it('refuses an export that lists a participant twice, writing nothing', async () => {
    const header = JSON.parse(exported[0] as string) as { participants: unknown[] };
    const twice = { ...header, participants: [...header.participants, header.participants[0]] };
    let caught: unknown;
    try {
      await archiveB.import('acme', linesOf([JSON.stringify(twice), ...exported.slice(1)]));
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ImportError, `expected an ImportError, got ${String(caught)}`);
    await assertNothingWritten();
  });

  it('answers `exists` to a second import of the same session and leaves the first intact', async () => {
    assert.deepEqual(await archiveB.import('acme', linesOf(solo)), { id: 'sess-solo', events: 1 });
    let caught: unknown;
    try {
      await archiveB.import('acme', linesOf(solo));
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ImportError);
    assert.equal(caught.code, 'exists');
    assert.equal((await storeB.events('acme', 'sess-solo', 0, 100)).length, 1);
    assert.equal((await archiveB.verify('acme', 'sess-solo'))?.intact, true);
    await storeB.ensureTenant({ id: 'globex', name: 'Globex' });
    await assert.rejects(
      archiveB.import('globex', linesOf(solo)),
      (e) => e instanceof ImportError && e.code === 'exists',
    );
  });
});
