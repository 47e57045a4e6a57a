import { Worker } from 'node:worker_threads';
import type { ArchivedEvent } from './types.js';

/**
 * The archive's inserts, on a thread of their own with their own connection. A busy node spends
 * about a sixth of its event loop on them otherwise (a row and two index entries per relayed
 * message), and every room's messages wait behind that time; here the loop only hands the batch
 * over and goes on relaying while SQLite writes. Callers still wait for the commit (the journal
 * delivers nothing before it). SQLite lets one connection write at a time: the main connection's
 * own writes (sessions, participants, captures) wait for a batch's transaction, as they would wait
 * for it on the loop, within the driver's busy timeout.
 */
export class EventWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  private stopped = false;

  constructor(file: string) {
    this.worker = new Worker(new URL('./event-writer-thread.js', import.meta.url), { workerData: { file } });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; error?: string }) => {
      const waiting = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(m.error));
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the archive's writer thread exited (${code})`)));
  }

  /** The thread is gone (it failed, or was stopped): batches have to be written elsewhere. */
  get gone(): boolean {
    return this.failure !== null;
  }

  append(events: readonly ArchivedEvent[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    // Held while a batch is out, so the process does not exit under an unanswered commit.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, events });
    });
  }

  /** Resolves once the batches handed over are answered and the thread's connection is closed. */
  stop(): Promise<void> {
    if (this.failure) return Promise.resolve();
    this.stopped = true;
    return new Promise((resolve) => {
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      // Messages are handled in order: every batch posted before this one is written first.
      this.worker.postMessage('stop');
    });
  }

  private fail(err: Error): void {
    if (!this.stopped && !this.failure) process.emitWarning(`tandem archive writer: ${err.message}`);
    this.failure ??= err;
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
  }
}
