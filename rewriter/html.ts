import { SAXParser, type StartTag } from 'parse5-sax-parser';
import { rewriteCss } from './css.js';
import { rewriteMetaRefresh, rewriteSrcset, rewriteUrl, type UrlMapper } from './url.js';

export interface HtmlRewriteOptions {
  /** The document's own (upstream) URL. */
  base: URL;
  map: UrlMapper;
  /** Markup placed first in the document's head, before any page script can run. */
  headInject: string;
}

type AttributeKind = 'url' | 'urls' | 'srcset' | 'css' | 'refresh';

const URL_ATTRIBUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  // SVG elements (use, image, feImage, script, a) load through href and its legacy xlink:href.
  ['href', new Set(['a', 'area', 'link', 'base', 'use', 'image', 'feImage', 'script'])],
  ['xlink:href', new Set(['a', 'use', 'image', 'feImage', 'script'])],
  [
    'src',
    new Set(['img', 'script', 'iframe', 'frame', 'embed', 'source', 'audio', 'video', 'track', 'input']),
  ],
  ['action', new Set(['form'])],
  ['formaction', new Set(['button', 'input'])],
  ['poster', new Set(['video'])],
  ['data', new Set(['object'])],
  ['background', new Set(['body', 'table', 'td', 'th'])],
  ['cite', new Set(['blockquote', 'q', 'del', 'ins'])],
]);

function attributeKind(tagName: string, attributeName: string): AttributeKind | null {
  if (attributeName === 'style') return 'css';
  if (attributeName === 'srcset') return tagName === 'img' || tagName === 'source' ? 'srcset' : null;
  if (attributeName === 'imagesrcset') return tagName === 'link' ? 'srcset' : null;
  if (attributeName === 'ping') return tagName === 'a' || tagName === 'area' ? 'urls' : null;
  return URL_ATTRIBUTES.get(attributeName)?.has(tagName) ? 'url' : null;
}

/**
 * Characters above U+00FF can only have come from a character reference (the proxy hands the
 * rewriter one character per byte), so they go back as references, in whatever encoding the page is.
 */
function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0100-\u{10ffff}]/gu, (c) => `&#${c.codePointAt(0)};`);
}

function isHtmlWhitespace(text: string): boolean {
  return /^[\t\n\f\r ]*$/.test(text);
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Span {
  startOffset: number;
  endOffset: number;
}

type AttributeSpans = Partial<Record<string, Span>>;

/** The span of an attribute's value including its quotes, or null for a valueless attribute. */
function valueSpan(html: string, attribute: Span): Span | null {
  // `=` cannot occur in a name after its first character, so the first one ends the name.
  const equals = html.indexOf('=', attribute.startOffset + 1);
  if (equals === -1 || equals >= attribute.endOffset) return null;
  let start = equals + 1;
  while (start < attribute.endOffset && /[\t\n\f\r ]/.test(html[start] as string)) start++;
  return start < attribute.endOffset ? { startOffset: start, endOffset: attribute.endOffset } : null;
}

type CharacterToken = Parameters<SAXParser['onCharacter']>[0];

/**
 * Tokenizes a whole document in one synchronous call, without the stream machinery. Text only matters
 * until the head injection point is known, and SAXParser's per-character text merging is its main cost,
 * so character tokens go to `onText` while it is set and are dropped after.
 */
class DocumentScanner extends SAXParser {
  onText: ((token: CharacterToken) => void) | null = null;

  scan(html: string): void {
    this.tokenizer.write(html, true);
  }

  override onCharacter(token: CharacterToken): void {
    this.onText?.(token);
  }
}

function rewriteDocument(html: string, options: HtmlRewriteOptions): string {
  const { map, headInject } = options;
  let base = options.base;
  let baseSeen = false;
  const edits: Edit[] = [];
  // A byte-order mark must stay the first character or it turns into page text.
  const documentStart = html.startsWith('\uFEFF') ? 1 : 0;
  let injectAt: number | null = null;
  let scannedUpTo = documentStart;
  let templateDepth = 0;
  let styleContentStart: number | null = null;
  const scanner = new DocumentScanner({ sourceCodeLocationInfo: true });

  const decideInjection = (offset: number): void => {
    if (injectAt !== null) return;
    injectAt = Math.max(offset, documentStart);
    scanner.onText = null;
  };

  const rewriteValue = (kind: AttributeKind, value: string): string => {
    switch (kind) {
      case 'url':
        return rewriteUrl(value, base, map);
      case 'srcset':
        return rewriteSrcset(value, base, map);
      case 'css':
        return rewriteCss(value, base, map);
      case 'urls':
        return value.replace(/[^\t\n\f\r ]+/g, (url) => rewriteUrl(url, base, map));
      case 'refresh':
        return rewriteMetaRefresh(value, base, map);
    }
  };

  const rewriteAttributes = (tag: StartTag): void => {
    // Start tags carry an element location whose `attrs` the SAX typings do not declare.
    const location = tag.sourceCodeLocation;
    const locations =
      location && 'attrs' in location ? (location.attrs as AttributeSpans | undefined) : undefined;
    if (!locations) return;
    const isRefresh =
      tag.tagName === 'meta' &&
      tag.attrs.some((a) => a.name === 'http-equiv' && a.value.trim().toLowerCase() === 'refresh');
    for (const attribute of tag.attrs) {
      // Foreign content splits `xlink:href` into prefix and name; locations keep the source spelling.
      const name = attribute.prefix ? `${attribute.prefix}:${attribute.name}` : attribute.name;
      const attributeLocation = locations[name];
      if (!attributeLocation) continue;
      const kind = isRefresh && name === 'content' ? 'refresh' : attributeKind(tag.tagName, name);
      if (!kind) continue;
      const rewritten = rewriteValue(kind, attribute.value);
      if (tag.tagName === 'base' && name === 'href' && !baseSeen) {
        // Only the first <base href> counts, and it resolves against the document's own URL.
        baseSeen = true;
        try {
          base = new URL(attribute.value, options.base);
        } catch {
          // An unparsable base leaves the document URL in force, as in browsers.
        }
      }
      if (rewritten === attribute.value) continue;
      const span = valueSpan(html, attributeLocation);
      if (span) {
        edits.push({ start: span.startOffset, end: span.endOffset, text: `"${escapeAttribute(rewritten)}"` });
      }
    }
  };

  const styleEdit = (start: number, end: number): Edit => ({
    start,
    end,
    text: rewriteCss(html.slice(start, end), base, map),
  });

  scanner.on('doctype', (doctype) => {
    scannedUpTo = doctype.sourceCodeLocation?.endOffset ?? scannedUpTo;
  });
  scanner.on('comment', (comment) => {
    scannedUpTo = comment.sourceCodeLocation?.endOffset ?? scannedUpTo;
  });
  scanner.onText = ({ chars, location }) => {
    if (!location) return;
    if (isHtmlWhitespace(chars)) scannedUpTo = location.endOffset;
    else decideInjection(location.startOffset);
  };
  scanner.on('endTag', (tag) => {
    const location = tag.sourceCodeLocation;
    if (!location) return;
    decideInjection(location.startOffset);
    if (tag.tagName === 'template' && templateDepth > 0) templateDepth--;
    if (tag.tagName === 'style' && styleContentStart !== null) {
      edits.push(styleEdit(styleContentStart, location.startOffset));
      styleContentStart = null;
    }
  });
  scanner.on('startTag', (tag) => {
    const location = tag.sourceCodeLocation;
    if (!location) return;
    if (injectAt === null) {
      if (tag.tagName === 'html') scannedUpTo = location.endOffset;
      else decideInjection(tag.tagName === 'head' ? location.endOffset : location.startOffset);
    }
    if (templateDepth > 0) {
      if (tag.tagName === 'template') templateDepth++;
      return;
    }
    rewriteAttributes(tag);
    if (tag.tagName === 'template') templateDepth++;
    if (tag.tagName === 'style') styleContentStart = location.endOffset;
  });

  scanner.scan(html);
  if (styleContentStart !== null) edits.push(styleEdit(styleContentStart, html.length));
  // Nothing decided the head's place (empty, comments only, or an unterminated tag): go before the rest.
  edits.push({ start: injectAt ?? scannedUpTo, end: injectAt ?? scannedUpTo, text: headInject });
  edits.sort((a, b) => a.start - b.start);

  let out = '';
  let copied = 0;
  for (const edit of edits) {
    out += html.slice(copied, edit.start) + edit.text;
    copied = edit.end;
  }
  return out + html.slice(copied);
}

/**
 * Rewrites absolute URLs in a document's attributes and styles to their content hosts and injects
 * `headInject` first in the head, splicing the original text so every other byte is kept.
 * Script and template contents are not touched.
 */
export function rewriteHtml(html: string, options: HtmlRewriteOptions): string {
  try {
    return rewriteDocument(html, options);
  } catch {
    // parse5 accepts any input, but `map` is the caller's code; the page must still get its runtime.
    return options.headInject + html;
  }
}
