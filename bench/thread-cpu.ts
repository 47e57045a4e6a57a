import fs from 'node:fs';
import path from 'node:path';

/** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time, user and system, of one thread alone in µs (10 ms resolution), from Linux's /proc: the
 * calling thread, or the thread of that id in this process (the main thread's id is the pid). Node 20's `process.cpuUsage` sums every thread of the process, so it cannot tell the
 * server's thread from the benchmark's client threads beside it.
 */
export function threadCpuMicros(thread: number | 'self' = 'self'): number {
  const file = thread === 'self' ? '/proc/thread-self/stat' : `/proc/self/task/${thread}/stat`;
  const stat = fs.readFileSync(file, 'latin1');
  // The command name may hold spaces and parentheses; the fields after its closing one do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

/** This thread's id, as /proc lists it among the process's tasks. */
export function threadId(): number {
  return Number(path.basename(fs.readlinkSync('/proc/thread-self')));
}

/** Every thread of this process, by id, with its CPU time so far in µs. */
export function allThreadsCpuMicros(): Map<number, number> {
  const threads = new Map<number, number>();
  for (const id of fs.readdirSync('/proc/self/task')) {
    // A thread may end between the listing and the read.
    try {
      threads.set(Number(id), threadCpuMicros(Number(id)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return threads;
}
