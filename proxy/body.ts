import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/** Decompressed bodies larger than this are refused rather than rewritten (guards against bombs). */
export const MAX_REWRITE_BYTES = 32 * 1024 * 1024;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the page is larger than ${Math.round(limit / 1024 / 1024)} MB`);
  }
}

function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/** Reads a whole (possibly compressed) body, stopping at `limit` decompressed bytes. */
export async function readDecoded(
  stream: Readable,
  contentEncoding: string | undefined,
  limit: number,
): Promise<Buffer> {
  let source: Readable = stream;
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'identity')
    .reverse();
  for (const enc of encodings) {
    const decoder = decoderFor(enc);
    if (!decoder) throw new Error(`unsupported content-encoding "${enc}"`);
    source.on('error', (err) => decoder.destroy(err));
    source = source.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new BodyTooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The charset a Content-Type names, if TextDecoder knows it; utf-8 otherwise. */
export function charsetOf(contentType: string | undefined): string {
  const m = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '');
  const label = m?.[1]?.toLowerCase() ?? 'utf-8';
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return 'utf-8';
  }
}
