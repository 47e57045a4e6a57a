/** Maps an absolute http(s) URL to the same path, query and fragment on its content host. */
export type UrlMapper = (absolute: URL) => string;

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
// Special-scheme URLs treat `\` like `/`, so `\\host/x` is as protocol-relative as `//host/x`.
const PROTOCOL_RELATIVE = /^[/\\]{2}/;
const TAB_OR_NEWLINE = /[\t\n\r]/g;

function isC0OrSpace(code: number): boolean {
  return code <= 0x20;
}

/**
 * Judges the value the way the URL parser will read it: it ignores leading and trailing C0 controls and
 * spaces and drops every tab and newline, so `" ht\ttp://x"` is an absolute http URL to a browser.
 */
function urlParserInput(raw: string): string {
  let start = 0;
  let end = raw.length;
  while (start < end && isC0OrSpace(raw.charCodeAt(start))) start++;
  while (end > start && isC0OrSpace(raw.charCodeAt(end - 1))) end--;
  return raw.slice(start, end).replace(TAB_OR_NEWLINE, '');
}

/**
 * Content origins by the text of a URL up to its path (`https://cdn.example`), for one base URL:
 * a document names the same few origins again and again, and the URL parser need not read each.
 */
export type OriginMemo = Map<string, string | null>;

/**
 * Relative URLs resolve natively against the content host, so only absolute and protocol-relative http(s)
 * URLs are mapped; everything else (relative, data:, blob:, javascript:, invalid) is returned as it was.
 * Only the scheme and authority change: the rest of the URL is kept exactly as written, so its bytes
 * (non-ASCII paths in the page's own encoding, unusual escapes) reach the browser untouched.
 */
export function rewriteUrl(raw: string, base: URL, map: UrlMapper, memo?: OriginMemo): string {
  const input = urlParserInput(raw);
  const scheme = SCHEME.exec(input)?.[0].toLowerCase() ?? '';
  // The parser keeps a scheme that is written: only http(s) ones, and none (//host), can map.
  if (scheme ? scheme !== 'http:' && scheme !== 'https:' : !PROTOCOL_RELATIVE.test(input)) return raw;
  let end = scheme.length;
  while (input[end] === '/' || input[end] === '\\') end++;
  const slashes = end - scheme.length;
  // "https:path" and "https:/path" are relative to a base of the same scheme (and "https:path" is read
  // as "https://path" against another): the whole mapped URL is right.
  if (slashes === 0 || (slashes === 1 && scheme === base.protocol)) return mapped(input, base, map) ?? raw;
  while (end < input.length && !'/\\?#'.includes(input[end] as string)) end++;
  // The origin depends on the text up to the path alone (and on the base's scheme, for //host).
  const prefix = input.slice(0, end);
  let origin = memo?.get(prefix);
  if (origin === undefined) {
    const url = mapped(input, base, map);
    origin = url === null ? null : originOf(url);
    memo?.set(prefix, origin);
  }
  if (origin === null) return raw;
  const rest = input.slice(end);
  return rest === '' ? `${origin}/` : `${origin}${rest}`;
}

/** The mapped URL, or null when the input is not a valid http(s) URL. */
function mapped(input: string, base: URL, map: UrlMapper): string | null {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? map(url) : null;
}

function originOf(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash === -1 ? url : url.slice(0, slash);
}

function isAsciiWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

/**
 * Follows the HTML "parse a srcset attribute" tokenisation so that commas inside URLs (`a.jpg?x=1,2`,
 * `data:` URLs) and inside descriptor parentheses do not split candidates; only URL spans are replaced.
 */
export function rewriteSrcset(value: string, base: URL, map: UrlMapper, memo?: OriginMemo): string {
  let out = '';
  let copied = 0;
  let pos = 0;
  const length = value.length;
  while (pos < length) {
    while (pos < length && (isAsciiWhitespace(value.charCodeAt(pos)) || value[pos] === ',')) pos++;
    if (pos >= length) break;
    const urlStart = pos;
    while (pos < length && !isAsciiWhitespace(value.charCodeAt(pos))) pos++;
    let urlEnd = pos;
    while (urlEnd > urlStart && value[urlEnd - 1] === ',') urlEnd--;
    const url = value.slice(urlStart, urlEnd);
    const rewritten = rewriteUrl(url, base, map, memo);
    if (rewritten !== url) {
      out += value.slice(copied, urlStart) + rewritten;
      copied = urlEnd;
    }
    // A URL ending in commas ends its candidate; otherwise descriptors run to the next top-level comma.
    if (urlEnd !== pos) continue;
    let depth = 0;
    while (pos < length) {
      const char = value[pos];
      if (char === '(') depth++;
      else if (char === ')' && depth > 0) depth--;
      else if (char === ',' && depth === 0) break;
      pos++;
    }
  }
  return copied === 0 ? value : out + value.slice(copied);
}

function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length && isAsciiWhitespace(text.charCodeAt(pos))) pos++;
  return pos;
}

/** Follows the HTML "shared declarative refresh steps" to find the URL span of `5; url='http://x/'`. */
export function rewriteMetaRefresh(content: string, base: URL, map: UrlMapper): string {
  let pos = skipWhitespace(content, 0);
  const timeStart = pos;
  while (pos < content.length && /[0-9.]/.test(content[pos] as string)) pos++;
  if (pos === timeStart) return content;
  if (pos >= content.length) return content;
  const separator = content[pos] as string;
  if (separator !== ';' && separator !== ',' && !isAsciiWhitespace(separator.charCodeAt(0))) return content;
  pos = skipWhitespace(content, pos);
  if (content[pos] === ';' || content[pos] === ',') pos++;
  pos = skipWhitespace(content, pos);
  if (pos >= content.length) return content;

  let urlStart = pos;
  const keyword = /^url[\t\n\f\r ]*=[\t\n\f\r ]*/i.exec(content.slice(pos));
  if (keyword) urlStart = pos + keyword[0].length;
  let urlEnd = content.length;
  const quote = content[urlStart];
  // Per the spec a value starting with a `u` that is not `url=` is taken whole, quotes included.
  const quotesSkipped = keyword !== null || (content[pos] !== 'u' && content[pos] !== 'U');
  if (quotesSkipped && (quote === '"' || quote === "'")) {
    urlStart++;
    const closing = content.indexOf(quote, urlStart);
    if (closing !== -1) urlEnd = closing;
  }
  const url = content.slice(urlStart, urlEnd);
  const rewritten = rewriteUrl(url, base, map);
  return rewritten === url ? content : content.slice(0, urlStart) + rewritten + content.slice(urlEnd);
}
