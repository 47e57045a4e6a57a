import { type ChildProcess, fork } from 'node:child_process';
import net from 'node:net';

/**
 * What this machine charges for the one thing a fan-out cannot avoid: a write system call per
 * follower socket, and the follower's read of it. Plain `net` sockets on loopback, no WebSocket and
 * no Tandem: the server writes a 150-byte buffer to each of a few thousand sockets, round after round,
 * and two reading processes (as in the fan-out benchmark) count what arrives. Loopback runs the
 * receiving side's TCP processing inside the sender's system call, so the write is the larger part.
 */
const SOCKETS = 4000;
const ROUNDS = 20;
const PAYLOAD = Buffer.alloc(150, 0x61);

export interface LoopbackCost {
  /** Server CPU (user and system) per write, in µs. */
  writeMicros: number;
  /** Readers' CPU per write they received (a read may take in more than one), in µs. */
  readMicros: number;
}

export async function loopbackCost(): Promise<LoopbackCost> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    accepted.push(socket);
  });
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: SOCKETS }, resolve),
  );
  const port = (server.address() as net.AddressInfo).port;
  const readers = [0, 1].map(() =>
    fork(new URL(import.meta.url), ['reader', String(port), String(SOCKETS / 2)]),
  );
  try {
    await Promise.all(readers.map((r) => reply(r, 'ready')));
    const cpuBefore = process.cpuUsage();
    await Promise.all(readers.map((r) => reply(r, 'start')));
    for (let round = 0; round < ROUNDS; round++) {
      for (const socket of accepted) socket.write(PAYLOAD);
      // Round after round, as in a fan-out that keeps up with its leader: the readers stay busy, the
      // cheapest case for the writer, so the floor below is a generous one.
      await new Promise((r) => setImmediate(r));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const total = SOCKETS * ROUNDS * PAYLOAD.length;
    let read: { bytes: number; cpuMicros: number }[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      read = await Promise.all(readers.map((r) => reply<(typeof read)[number]>(r, 'count')));
      if (read.reduce((a, r) => a + r.bytes, 0) >= total) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      writeMicros: (cpu.user + cpu.system) / (SOCKETS * ROUNDS),
      readMicros: read.reduce((a, r) => a + r.cpuMicros, 0) / (SOCKETS * ROUNDS),
    };
  } finally {
    for (const r of readers) r.kill();
    for (const socket of accepted) socket.destroy();
    server.close();
  }
}

function reply<T>(child: ChildProcess, ask: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`a loopback reader exited with ${code}`));
    child.once('exit', exited);
    child.once('message', (m) => {
      child.off('exit', exited);
      resolve(m as T);
    });
    child.send(ask);
  });
}

if (process.argv[2] === 'reader') {
  const port = Number(process.argv[3]);
  const count = Number(process.argv[4]);
  let bytes = 0;
  let cpuAtStart = process.cpuUsage();
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let open = 0;
  const connected = new Promise<void>((resolve) => {
    for (let i = 0; i < count; i++) {
      net
        .connect({
          port,
          host: '127.0.0.1',
          onread: {
            buffer,
            callback: (length) => {
              bytes += length;
              return true;
            },
          },
        })
        .once('connect', () => {
          if (++open === count) resolve();
        });
    }
  });
  process.on('message', async (ask: string) => {
    if (ask === 'ready') {
      await connected;
      process.send?.('ready');
    } else if (ask === 'start') {
      cpuAtStart = process.cpuUsage();
      process.send?.('started');
    } else {
      const cpu = process.cpuUsage(cpuAtStart);
      process.send?.({ bytes, cpuMicros: cpu.user + cpu.system });
    }
  });
}
