import fs from 'node:fs';

/** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time, user and system, of the calling thread alone in µs (10 ms resolution), from Linux's
 * /proc. Node 20's `process.cpuUsage` sums every thread of the process, so it cannot tell the
 * server's thread from the benchmark's client threads beside it.
 */
export function threadCpuMicros(): number {
  const stat = fs.readFileSync('/proc/thread-self/stat', 'latin1');
  // The command name may hold spaces and parentheses; the fields after its closing one do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}
