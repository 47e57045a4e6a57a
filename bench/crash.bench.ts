import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkCrashRun, crashRounds } from '../test/helpers/crash.js';

const ROUNDS = 500;

/**
 * 500 rounds of the real server killed with SIGKILL while participants chat, on one data folder:
 * how many acknowledged lines the archive lost (must be 0) and whether the chain still verifies.
 */
export async function run(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-crash-bench-'));
  try {
    const started = performance.now();
    const result = await crashRounds(dataDir, ROUNDS);
    const check = await checkCrashRun(dataDir, result);
    const duplicates = [...check.archived.values()].filter((seqs) => seqs.length > 1).length;
    const gapFree = check.seqs.every((seq, i) => seq === i + 1);
    return {
      'kill -9 rounds': result.rounds,
      'lines sent': result.sent,
      'lines acknowledged': result.acked.size,
      'acknowledged lines lost': check.lost.length,
      'lines archived twice': duplicates,
      'seq gap-free (1 = yes)': gapFree ? 1 : 0,
      'chain intact (1 = yes)': check.verifyCode === 0 ? 1 : 0,
      'records in the chain': check.seqs.length,
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
