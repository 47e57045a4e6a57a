import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the write-ahead log is copied back into the database, off the event loop. */
const CHECKPOINT_EVERY_MS = 1000;

/**
 * SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, on the event
 * loop, and flushes to disk there: every room's messages wait behind it. Instead the main
 * connection never checkpoints (wal_autocheckpoint = 0) and a worker thread with its own
 * connection runs a PASSIVE checkpoint every second, which never blocks the writer.
 */
export function startCheckpointer(file: string): { stop(): Promise<void> } {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 1000');
    const timer = setInterval(() => {
      try {
        db.pragma('wal_checkpoint(PASSIVE)');
      } catch (err) {
        parentPort.postMessage(String(err && err.message || err));
      }
    }, workerData.every);
    parentPort.on('message', () => {
      clearInterval(timer);
      // The main connection checkpoints as it closes; this connection only has to go.
      db.close();
      parentPort.close();
    });
    `,
    {
      eval: true,
      workerData: {
        file,
        every: CHECKPOINT_EVERY_MS,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      },
    },
  );
  worker.unref();
  worker.on('message', (message: string) => {
    process.emitWarning(`tandem checkpoint: ${message}`);
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        // Referenced again so the process waits for the last checkpoint instead of exiting under it.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }),
  };
}
