/** 26 base32 characters carry the 128 random bits of a label (the last character holds only 3 of them). */
export const LABEL_LENGTH = 26;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MIN_RANDOM_BYTES = 16;
const LABEL = new RegExp(`^[a-z][a-z2-7]{${LABEL_LENGTH - 1}}$`);

/**
 * Encodes at least 16 random bytes as a host-name label. Labels start with a letter (the old RFC 952 host
 * name rule some validators still apply), so a leading 2-7 is folded onto a-f, costing under half a bit.
 */
export function newLabel(randomBytes: Uint8Array): string {
  if (randomBytes.length < MIN_RANDOM_BYTES) {
    throw new RangeError(`a content-host label needs at least ${MIN_RANDOM_BYTES} random bytes`);
  }
  let label = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of randomBytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && label.length < LABEL_LENGTH) {
      bits -= 5;
      label += ALPHABET[(buffer >> bits) & 31];
    }
    if (label.length === LABEL_LENGTH) break;
  }
  if (label.length < LABEL_LENGTH) label += ALPHABET[(buffer << (5 - bits)) & 31];
  const first = ALPHABET.indexOf(label[0] as string);
  return first >= 26 ? ALPHABET[first - 26] + label.slice(1) : label;
}

/** The label of a content host from a Host header (`<label>.content.localhost:8080`), or null. */
export function labelFromHost(hostHeader: string, contentDomain: string): string | null {
  const host = hostHeader.toLowerCase().replace(/:\d*$/, '');
  const suffix = `.${contentDomain.toLowerCase()}`;
  if (!host.endsWith(suffix)) return null;
  const label = host.slice(0, -suffix.length);
  return LABEL.test(label) ? label : null;
}

/** The content host's origin, with the scheme and port the app itself is reached on. */
export function contentOrigin(label: string, contentDomain: string, publicUrl: URL): string {
  const port = publicUrl.port ? `:${publicUrl.port}` : '';
  return `${publicUrl.protocol}//${label}.${contentDomain}${port}`;
}
