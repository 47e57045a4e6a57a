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

/** Encodings in which bytes below 0x80 do not always stand for ASCII: these must be decoded. */
const NOT_ASCII_COMPATIBLE = /^(utf-16|unicodefffe|ucs-2|csunicode|iso-10646-ucs-2|iso-2022-|csiso2022)/i;

export interface RewritableText {
  text: string;
  /** Encodes the rewritten text for sending. */
  encode(text: string): Buffer;
  /** The Content-Type to send with it. */
  contentType: string;
}

/**
 * Prepares a body for the rewriters without changing its encoding. In every ASCII-compatible
 * encoding (UTF-8, the windows-125x and ISO-8859 families, Shift_JIS, EUC, GBK, Big5) the markup
 * the rewriters touch is ASCII, so the bytes are read one character per byte and written back the
 * same way: everything the rewriters leave alone, non-ASCII text included, goes out byte for byte,
 * and the browser detects the encoding as it would have (header, BOM or meta), so forms post in it.
 * UTF-16 and ISO-2022 are decoded and sent as UTF-8 instead.
 */
export function rewritableText(body: Buffer, contentType: string | undefined): RewritableText {
  const type = contentType ?? 'text/html';
  const bom16 =
    body.length >= 2 && ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe));
  const declared = /charset\s*=\s*"?([\w.:-]+)/i.exec(type)?.[1] ?? '';
  const hasUtf8Bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  if (!bom16 && (hasUtf8Bom || !NOT_ASCII_COMPATIBLE.test(declared))) {
    const text = body.toString('latin1');
    // Browsers look for <meta charset> only in the first 1024 bytes, which the injected runtime tag
    // could push it out of: what the meta says is put in the header, where it counts the same.
    const meta = !declared && !hasUtf8Bom && /html/i.test(type) ? metaCharset(text.slice(0, 1024)) : null;
    const sent = meta && !NOT_ASCII_COMPATIBLE.test(meta) ? `${type}; charset=${meta}` : type;
    return { text, encode: (t) => Buffer.from(t, 'latin1'), contentType: sent };
  }
  const label = bom16 ? (body[0] === 0xfe ? 'utf-16be' : 'utf-16le') : declared.toLowerCase();
  let text: string;
  try {
    text = new TextDecoder(label).decode(body);
  } catch {
    text = new TextDecoder('utf-8').decode(body);
  }
  const utf8 = `${type.replace(/;\s*charset\s*=[^;]*/i, '')}; charset=utf-8`;
  return { text, encode: (t) => Buffer.from(t, 'utf8'), contentType: utf8 };
}

function metaCharset(head: string): string | null {
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    const charset = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag)?.[1];
    if (charset) return charset.toLowerCase();
  }
  return null;
}
