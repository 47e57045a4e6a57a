import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Response bodies kept once each, named by the SHA-256 of their bytes. */
export interface BlobStore {
  /** Stores the body (a no-op when it is already there) and gives its hash. */
  put(body: Buffer): string;
  /**
   * The same without holding up the event loop: hashed on libuv's thread pool and written
   * asynchronously, for the proxy's hot path (hashing 100 KB costs about as much as proxying it).
   */
  store(body: Buffer): Promise<string>;
  get(hash: string): Buffer | undefined;
  delete(hash: string): void;
  /** Every stored body's hash and when it was written; read without blocking (the folder may be large). */
  list(): AsyncIterable<{ hash: string; writtenAt: number }>;
}

export const hashBody = (body: Buffer): string => crypto.createHash('sha256').update(body).digest('hex');

/** Web Crypto's digest runs as a job on the thread pool, not on the event loop. */
const hashOffThread = async (body: Buffer): Promise<string> =>
  Buffer.from(await crypto.subtle.digest('SHA-256', body)).toString('hex');

const HASH = /^[0-9a-f]{64}$/;

/** `<dir>/ab/abcdef…`: written to a temporary name and renamed, so a crash never leaves half a blob. */
export function diskBlobs(dir: string): BlobStore {
  const fileOf = (hash: string) => {
    if (!HASH.test(hash)) throw new Error(`not a blob hash: ${hash}`);
    return path.join(dir, hash.slice(0, 2), hash);
  };
  return {
    put(body) {
      const hash = hashBody(body);
      const file = fileOf(hash);
      if (fs.existsSync(file)) return hash;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      fs.writeFileSync(tmp, body);
      fs.renameSync(tmp, file);
      return hash;
    },
    async store(body) {
      const hash = await hashOffThread(body);
      const file = fileOf(hash);
      if (await fs.promises.stat(file).then(Boolean, () => false)) return hash;
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      await fs.promises.writeFile(tmp, body);
      await fs.promises.rename(tmp, file);
      return hash;
    },
    get(hash) {
      try {
        return fs.readFileSync(fileOf(hash));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    delete(hash) {
      fs.rmSync(fileOf(hash), { force: true });
    },
    async *list() {
      if (!fs.existsSync(dir)) return;
      for (const prefix of await fs.promises.readdir(dir)) {
        if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
        const sub = path.join(dir, prefix);
        for (const name of await fs.promises.readdir(sub)) {
          if (HASH.test(name))
            yield { hash: name, writtenAt: (await fs.promises.stat(path.join(sub, name))).mtimeMs };
        }
      }
    },
  };
}

/** For throwaway stores in tests. */
export function memoryBlobs(now: () => number = Date.now): BlobStore {
  const blobs = new Map<string, { body: Buffer; writtenAt: number }>();
  const put = (body: Buffer, hash: string) => {
    if (!blobs.has(hash)) blobs.set(hash, { body, writtenAt: now() });
    return hash;
  };
  return {
    put: (body) => put(body, hashBody(body)),
    store: async (body) => put(body, await hashOffThread(body)),
    get: (hash) => blobs.get(hash)?.body,
    delete: (hash) => void blobs.delete(hash),
    async *list() {
      for (const [hash, b] of blobs) yield { hash, writtenAt: b.writtenAt };
    },
  };
}
