import { DecodingMode, EntityDecoder, htmlDecodeTree } from 'entities/decode';

/**
 * Pieces of the HTML tokenizer that htmlparser2's Tokenizer leaves out or simplifies, written from the
 * WHATWG tokenization states, so the rewriter ends elements and tags where a browser does.
 */

export function isHtmlWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0c || code === 0x0d;
}

const rawTextEnds = new Map<string, RegExp>();

/**
 * Where the content of a raw text or RCDATA element (style, title, textarea, noscript...) that starts at
 * `from` ends: at its appropriate end tag, `</name` followed by whitespace, `/` or `>`, else at the end.
 */
export function rawTextEnd(html: string, name: string, from: number): number {
  let pattern = rawTextEnds.get(name);
  if (!pattern) {
    pattern = new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi');
    rawTextEnds.set(name, pattern);
  }
  pattern.lastIndex = from;
  return pattern.exec(html)?.index ?? html.length;
}

// The script data states: `<!--` escapes the content, and inside an escape `<script>` starts a double
// escape in which `</script>` does not end the element (old `document.write` code relies on it).
const SCRIPT_DATA = /<(?:\/script[\t\n\f\r />]|!--)/gi;
const SCRIPT_ESCAPED = /-->|<\/?script[\t\n\f\r />]/gi;
const SCRIPT_DOUBLE_ESCAPED = /-->|<\/script[\t\n\f\r />]/gi;

/** Where the content of a `<script>` starting at `from` ends: at the `</script` that closes it, or the end. */
export function scriptDataEnd(html: string, from: number): number {
  let pattern = SCRIPT_DATA;
  let pos = from;
  for (;;) {
    pattern.lastIndex = pos;
    const match = pattern.exec(html);
    if (!match) return html.length;
    const found = match[0];
    if (found === '-->') {
      pattern = SCRIPT_DATA;
      pos = match.index + 3;
    } else if (found[1] === '!') {
      // The dashes of `<!--` also count towards a closing `-->`, so `<!-->` escapes nothing.
      pattern = SCRIPT_ESCAPED;
      pos = match.index + 2;
    } else if (pattern === SCRIPT_DOUBLE_ESCAPED) {
      pattern = SCRIPT_ESCAPED;
      pos = match.index + found.length;
    } else if (found[1] === '/') {
      return match.index;
    } else {
      pattern = SCRIPT_DOUBLE_ESCAPED;
      pos = match.index + found.length;
    }
  }
}

const BEFORE_NAME = 0;
const NAME = 1;
const AFTER_NAME = 2;
const BEFORE_VALUE = 3;
const UNQUOTED_VALUE = 4;

/**
 * Index of the `>` that ends an end tag whose name ends at `from`, or the end of the text. End tags may
 * carry attributes, which browsers drop, but a `>` in a quoted value does not end the tag.
 */
export function endTagClose(html: string, from: number): number {
  const length = html.length;
  let state = BEFORE_NAME;
  for (let pos = from; pos < length; pos++) {
    const code = html.charCodeAt(pos);
    if (code === 0x3e) return pos;
    const whitespace = isHtmlWhitespace(code);
    switch (state) {
      case BEFORE_NAME:
        // `/` only matters before `>`; otherwise the tokenizer goes on as if it were not there.
        if (!whitespace && code !== 0x2f) state = NAME;
        break;
      case NAME:
        if (whitespace) state = AFTER_NAME;
        else if (code === 0x2f) state = BEFORE_NAME;
        else if (code === 0x3d) state = BEFORE_VALUE;
        break;
      case AFTER_NAME:
        if (code === 0x2f) state = BEFORE_NAME;
        else if (code === 0x3d) state = BEFORE_VALUE;
        else if (!whitespace) state = NAME;
        break;
      case BEFORE_VALUE:
        if (code === 0x22 || code === 0x27) {
          const close = html.indexOf(code === 0x22 ? '"' : "'", pos + 1);
          if (close === -1) return length;
          pos = close;
          state = BEFORE_NAME;
        } else if (!whitespace) {
          state = UNQUOTED_VALUE;
        }
        break;
      default:
        if (whitespace) state = BEFORE_NAME;
    }
  }
  return length;
}

const referenceCodePoints: number[] = [];
const decoder = new EntityDecoder(htmlDecodeTree, (codePoint) => {
  referenceCodePoints.push(codePoint);
});

/**
 * A character that a reference decoded to. In the one-character-per-byte text the proxy passes, a
 * literal U+0080..U+00FF is a byte of the page's own encoding, so a reference to one of those code
 * points is kept apart as a lone low surrogate (which no reference or decoded page can produce) and
 * `escapeAttribute` writes it back as a reference.
 */
function referencedCharacter(codePoint: number): string {
  if (codePoint < 0x80) return String.fromCharCode(codePoint);
  if (codePoint <= 0xff) return String.fromCharCode(0xdc00 + codePoint);
  return String.fromCodePoint(codePoint);
}

/** Decodes character references the way the HTML tokenizer does in attribute values. */
export function decodeAttributeValue(raw: string): string {
  let amp = raw.indexOf('&');
  if (amp === -1) return raw;
  let out = '';
  let copied = 0;
  while (amp !== -1) {
    referenceCodePoints.length = 0;
    decoder.startEntity(DecodingMode.Attribute);
    let consumed = decoder.write(raw, amp + 1);
    if (consumed < 0) consumed = decoder.end();
    if (consumed > 0) {
      out += raw.slice(copied, amp);
      for (const codePoint of referenceCodePoints) out += referencedCharacter(codePoint);
      copied = amp + consumed;
      amp = raw.indexOf('&', copied);
    } else {
      amp = raw.indexOf('&', amp + 1);
    }
  }
  return out + raw.slice(copied);
}

const NEEDS_ESCAPE = /[&"\u0100-\uffff]/;
const ESCAPED = /[&"\u0100-\u{10ffff}]/gu;

/**
 * Writes a value back for a double-quoted attribute. Characters above U+00FF, and the lone surrogates
 * that stand for referenced U+0080..U+00FF, go back as references: in the one-character-per-byte text
 * they can only have come from references, and a reference means the same in whatever encoding the
 * page is (also in a UTF-16 page that the proxy decoded).
 */
export function escapeAttribute(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPED, (char) => {
    if (char === '&') return '&amp;';
    if (char === '"') return '&quot;';
    const code = char.codePointAt(0) as number;
    return `&#${code >= 0xdc80 && code <= 0xdcff ? code - 0xdc00 : code};`;
  });
}
