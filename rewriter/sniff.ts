/**
 * The tags that make a browser render a body sent without a Content-Type as HTML: the MIME
 * Sniffing standard's "rules for identifying an unknown MIME type", scriptable patterns. Each is
 * matched case-insensitively after leading whitespace and must end in a space or `>`.
 */
const HTML_OPENINGS = [
  '<!DOCTYPE HTML',
  '<HTML',
  '<HEAD',
  '<SCRIPT',
  '<IFRAME',
  '<H1',
  '<DIV',
  '<FONT',
  '<TABLE',
  '<A',
  '<STYLE',
  '<TITLE',
  '<B',
  '<BODY',
  '<BR',
  '<P',
  '<!--',
];

/** How much of a body the standard looks at. */
export const SNIFF_BYTES = 1445;

const WHITESPACE = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20]);

/**
 * Whether a browser would render `body` (or its first bytes) as HTML when it comes without a
 * Content-Type. Such a page must be rewritten and given the runtime like any other page.
 */
export function sniffsAsHtml(body: Uint8Array): boolean {
  const end = Math.min(body.length, SNIFF_BYTES);
  let start = 0;
  while (start < end && WHITESPACE.has(body[start] as number)) start++;
  // The longest opening and the byte after it.
  let head = '';
  for (let i = start; i < Math.min(end, start + 16); i++) head += String.fromCharCode(body[i] as number);
  head = head.toUpperCase();
  return HTML_OPENINGS.some((tag) => {
    if (!head.startsWith(tag)) return false;
    const next = head.charCodeAt(tag.length);
    return next === 0x20 || next === 0x3e;
  });
}
