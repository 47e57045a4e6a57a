import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkCrashRun, crashRounds } from './helpers/crash.js';

const ROUNDS = 20;

describe('archive: acknowledged chat survives kill -9', function () {
  this.timeout(55_000);
  let dataDir: string;

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-crash-'));
  });
  after(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged line with its seq across ${ROUNDS} crashes, and the chain verifies`, async () => {
    const run = await crashRounds(dataDir, ROUNDS);
    assert.ok(run.acked.size > 0, 'some lines were acknowledged before the kills');
    assert.ok(run.sent > run.acked.size, 'some lines were sent and never acknowledged');
    const check = await checkCrashRun(dataDir, run);
    assert.deepEqual(
      check.seqs,
      check.seqs.map((_, i) => i + 1),
      'seqs strictly increasing, unique and gap-free from 1',
    );
    for (const [text, seqs] of check.archived) assert.equal(seqs.length, 1, `"${text}" is archived once`);
    assert.deepEqual(
      check.lost,
      [],
      'every acknowledged line is archived with the seq it was acknowledged with',
    );
    assert.equal(check.verifyCode, 0, check.verifyOutput);
    assert.match(check.verifyOutput, new RegExp(`^intact: ${check.seqs.length} records`));
  });
});
