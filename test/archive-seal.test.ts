import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { chainHash, GENESIS } from '../archive/chain.js';
import { sealKey, sealMatches, sealOf } from '../archive/seal.js';
import { parseConfig } from '../server/config.js';
import { startTandem } from '../server/tandem.js';
import { runCli } from './helpers/process.js';
import { createSession, joinAs } from './helpers/tandem.js';
import { WsClient } from './helpers/ws-client.js';

describe('the archive seal: a final hash only this server can vouch for', () => {
  it('matches its own session and final hash only, under its own key', () => {
    const key = sealKey(crypto.randomBytes(32));
    const seal = sealOf(key, 's1', 'a'.repeat(64));
    assert.equal(sealMatches(key, 's1', 'a'.repeat(64), seal), true);
    assert.equal(sealMatches(key, 's2', 'a'.repeat(64), seal), false, 'another session');
    assert.equal(sealMatches(key, 's1', 'b'.repeat(64), seal), false, 'another final hash');
    assert.equal(sealMatches(sealKey(crypto.randomBytes(32)), 's1', 'a'.repeat(64), seal), false);
    assert.equal(sealMatches(key, 's1', 'a'.repeat(64), 'short'), false);
  });

  it('a session that ended is sealed; records rewritten with a recomputed chain are caught by the seal', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-seal-'));
    try {
      const tandem = await startTandem(
        parseConfig({ PORT: '0', TANDEM_DATA_DIR: dataDir, TANDEM_DEMO_SITE: 'off' }, []),
        { logger: pino({ level: 'silent' }) },
      );
      const s = await createSession(tandem.url);
      const host = await joinAs(tandem.url, s.id, 'Olivia', s.hostKey);
      const ws = await WsClient.connect(tandem.url, s.id, host.token);
      ws.send({ type: 'chat', text: 'the refund is approved' });
      ws.send({ type: 'chat', text: 'anything else?' });
      await ws.next((m) => m.type === 'chat' && m.text === 'anything else?');
      ws.close();
      // A clean stop ends every live session and seals it.
      await tandem.stop();

      const verify = () => runCli(['archive', 'verify', s.id, '--data-dir', dataDir]);
      const sealed = await verify();
      assert.equal(sealed.code, 0, sealed.stdout + sealed.stderr);
      assert.match(sealed.stdout, /intact: \d+ records, last hash [0-9a-f]{64}, sealed by this server/);

      // Someone who can write the database, but has no secret.key, rewrites a line and every hash
      // after it, and the final hash: the chain alone would pass.
      const db = new Database(path.join(dataDir, 'tandem.db'));
      try {
        const rows = db
          .prepare('SELECT seq, body FROM archive_events WHERE session_id = ? ORDER BY seq')
          .all(s.id) as Array<{ seq: number; body: string }>;
        let previous = GENESIS;
        const update = db.prepare(
          'UPDATE archive_events SET body = ?, hash = ? WHERE session_id = ? AND seq = ?',
        );
        for (const row of rows) {
          const body = row.body.replace('the refund is approved', 'the refund is refused');
          previous = chainHash(previous, s.id, body);
          update.run(body, previous, s.id, row.seq);
        }
        db.prepare('UPDATE sessions SET final_hash = ? WHERE id = ?').run(previous, s.id);
        const rewritten = await verify();
        assert.equal(rewritten.code, 1, rewritten.stdout);
        assert.match(rewritten.stdout, /does not carry this server’s seal/);

        db.prepare('UPDATE sessions SET seal = NULL WHERE id = ?').run(s.id);
        const unsealed = await verify();
        assert.equal(unsealed.code, 0);
        assert.match(unsealed.stdout, /not sealed by this server/, 'a missing seal is said, not hidden');
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
