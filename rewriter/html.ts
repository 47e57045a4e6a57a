import { QuoteType, type TokenizerCallbacks } from 'htmlparser2';
import { rewriteCss } from './css.js';
import { type CspContext, rewriteCsp } from './headers.js';
import { NamespaceTracker } from './html-namespace.js';
import {
  decodeAttributeValue,
  endTagClose,
  escapeAttribute,
  isHtmlWhitespace,
  rawTextEnd,
  scriptDataEnd,
} from './html-syntax.js';
import { importMapElement, isImportMap, originPrefixes, rewriteImportMap } from './import-map.js';
import { IndexedTokenizer } from './tokenizer.js';
import { type OriginMemo, rewriteMetaRefresh, rewriteSrcset, rewriteUrl, type UrlMapper } from './url.js';

export interface HtmlRewriteOptions {
  /** The document's own (upstream) URL. */
  base: URL;
  map: UrlMapper;
  /** Markup placed first in the document's head, before any page script can run. */
  headInject: string;
  /**
   * Send absolute module URLs of the document's own origin, and of every origin it names, to their
   * content hosts through the import map (the page's first one, or one placed after `headInject`),
   * carrying `nonce` if not empty. Left out where the site's policy would refuse an inline script.
   */
  importMap?: { nonce: string };
  /**
   * How the site's policy is rewritten for this page (as the proxy does its header): a policy in a
   * `<meta http-equiv="Content-Security-Policy">` gets the same treatment. Left as it is without.
   */
  csp?: CspContext;
}

/**
 * What an attribute holds ('html': a srcdoc document). The last three are not rewritten but read: they
 * decide how another attribute or the element is handled.
 */
type AttributeKind =
  | 'url'
  | 'urls'
  | 'srcset'
  | 'css'
  | 'refresh'
  | 'html'
  | 'http-equiv'
  | 'encoding'
  | 'font-style'
  | 'script-type'
  | 'integrity'
  | 'link-type';

// Names are compared lowercased, so SVG's feImage is written feimage here.
const URL_ATTRIBUTES: ReadonlyArray<[string, string[]]> = [
  // SVG elements (use, image, feImage, script, a) load through href and its legacy xlink:href.
  ['href', ['a', 'area', 'link', 'base', 'use', 'image', 'feimage', 'script']],
  ['xlink:href', ['a', 'use', 'image', 'feimage', 'script']],
  ['src', ['img', 'script', 'iframe', 'frame', 'embed', 'source', 'audio', 'video', 'track', 'input']],
  ['action', ['form']],
  ['formaction', ['button', 'input']],
  ['poster', ['video']],
  ['data', ['object']],
  ['background', ['body', 'table', 'td', 'th']],
  ['cite', ['blockquote', 'q', 'del', 'ins']],
  ['manifest', ['html']],
];

interface ElementAttributes {
  kinds: Map<string, AttributeKind>;
  /** Bit n set: some attribute to read has n characters; bit n of `initials`: starts with letter n. */
  lengths: number;
  initials: number;
}

function elementAttributes(): ElementAttributes {
  const element: ElementAttributes = { kinds: new Map(), lengths: 0, initials: 0 };
  addAttribute(element, 'style', 'css');
  return element;
}

function addAttribute(element: ElementAttributes, name: string, kind: AttributeKind): void {
  element.kinds.set(name, kind);
  element.lengths |= 1 << name.length;
  element.initials |= 1 << (name.charCodeAt(0) - 0x61);
}

/** `style` is read on every element. */
const ANY_ELEMENT = elementAttributes();

/** The attributes to read for each element that has more than `style`. */
const ELEMENT_ATTRIBUTES: ReadonlyMap<string, ElementAttributes> = (() => {
  const elements = new Map<string, ElementAttributes>();
  const add = (tagNames: string[], attributeName: string, kind: AttributeKind): void => {
    for (const tagName of tagNames) {
      let element = elements.get(tagName);
      if (!element) {
        element = elementAttributes();
        elements.set(tagName, element);
      }
      addAttribute(element, attributeName, kind);
    }
  };
  for (const [attributeName, tagNames] of URL_ATTRIBUTES) add(tagNames, attributeName, 'url');
  add(['img', 'source'], 'srcset', 'srcset');
  add(['link'], 'imagesrcset', 'srcset');
  add(['a', 'area'], 'ping', 'urls');
  add(['iframe'], 'srcdoc', 'html');
  add(['meta'], 'content', 'refresh');
  add(['meta'], 'http-equiv', 'http-equiv');
  add(['annotation-xml'], 'encoding', 'encoding');
  add(['script'], 'type', 'script-type');
  add(['link'], 'integrity', 'integrity');
  add(['link'], 'rel', 'link-type');
  add(['link'], 'as', 'link-type');
  for (const name of ['color', 'face', 'size']) add(['font'], name, 'font-style');
  return elements;
})();

// Elements whose content is text up to their end tag (with scripting on, as in the browsers Tandem serves).
const RAW_TEXT = new Set([
  'script',
  'style',
  'title',
  'textarea',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'plaintext',
]);

// A srcdoc document nests its own srcdoc only as deep as a real page plausibly would; deeper ones are
// left as they are rather than rewritten over and over.
const MAX_SRCDOC_DEPTH = 4;

// Every origin a document names gets an import map entry, up to this many (the document's own first).
const MAX_IMPORT_MAP_ORIGINS = 64;

const DYNAMIC_IMPORT = /\bimport\s*\(/;

// An http(s) origin written in a script's text, such as the target of an `import()`.
const SCRIPT_ORIGIN = /\bhttps?:\/\/[a-z0-9.-]+(?::\d{1,5})?(?=[/'"`?#\s]|$)/gi;

interface Attribute {
  name: string;
  kind: AttributeKind;
  /** Start and end of the raw value, without quotes; -1 for a valueless attribute. */
  valueStart: number;
  valueEnd: number;
  quoted: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * One pass over a document with htmlparser2's tokenizer, which reports source offsets. The tokenizer
 * knows nothing of tree construction, so this adds what a browser's parser feeds back to its tokenizer:
 * raw text elements (by their real end tag, including script escapes), namespaces, CDATA outside foreign
 * content, and end tags with attributes. Where it ends an element or tag differently, the tokenizer is
 * paused and restarted at the right place.
 */
class DocumentRewriter implements TokenizerCallbacks {
  private readonly tokenizer = new IndexedTokenizer({ decodeEntities: false }, this);
  private readonly namespaces = new NamespaceTracker();
  private readonly edits: Edit[] = [];
  private base: URL;
  /** Content origins of the URLs mapped so far against `base`. */
  private baseOrigins: OriginMemo = new Map();
  private baseSeen = false;
  /** Where the text the tokenizer works on starts in the document. */
  private shift = 0;
  /** Where to restart the tokenizer after pausing it, or -1 to go on. */
  private restartAt = -1;
  /** The rest of the document is text (after `<plaintext>` or an unterminated raw text element). */
  private stopped = false;
  private readonly documentStart: number;
  private injectAt = -1;
  private scannedUpTo: number;
  private templateDepth = 0;
  /** The origins the document names, in order, for its import map. */
  private readonly origins = new Set<string>();
  private readonly map: UrlMapper;
  private moduleSeen = false;
  /** An inline script calls `import()`. */
  private dynamicImportSeen = false;
  /** The page's first valid import map, when no module script comes before it. */
  private pageImportMap: { start: number; end: number; base: URL } | null = null;
  /**
   * Start of a foreign `<style>` element's content. It is rewritten up to the next tag, which ends it
   * or is markup inside it, so that it never overlaps another edit.
   */
  private styleContentStart = -1;

  private tagStart = 0;
  private tagName = '';
  private tagIsHtml = true;
  private tagAttributes = ANY_ELEMENT;
  private readonly attributes: Attribute[] = [];
  /** The attribute being read, if it is one to read. */
  private attribute: Attribute | null = null;

  constructor(
    private readonly html: string,
    private readonly options: HtmlRewriteOptions,
    private readonly depth: number,
  ) {
    this.base = options.base;
    // The document's own origin first; only http(s) origins have content hosts.
    if (/^https?:$/.test(options.base.protocol)) this.noteOrigin(options.base.origin);
    this.map = (url) => {
      this.noteOrigin(url.origin);
      return options.map(url);
    };
    // A byte-order mark must stay the first character or it turns into page text; the proxy hands
    // UTF-8 pages over one character per byte, where the mark is three characters.
    this.documentStart = html.startsWith('\uFEFF') ? 1 : html.startsWith('\xEF\xBB\xBF') ? 3 : 0;
    this.scannedUpTo = this.documentStart;
  }

  rewrite(): string {
    const { html } = this;
    let position = this.documentStart;
    while (position < html.length) {
      this.shift = position;
      this.restartAt = -1;
      this.tokenizer.reset();
      this.tokenizer.write(position === 0 ? html : html.slice(position));
      // The end can still restart: an unterminated CDATA section outside foreign content.
      if (this.restartAt < 0 && !this.stopped) this.tokenizer.end();
      if (this.restartAt < 0) break;
      position = this.restartAt;
    }
    this.endForeignStyle(html.length);
    // Nothing decided the head's place (empty, comments only, or an unterminated tag): go before the rest.
    const injectAt = this.injectAt >= 0 ? this.injectAt : this.scannedUpTo;
    this.edits.push({ start: injectAt, end: injectAt, text: this.options.headInject + this.importMap() });
    this.edits.sort((a, b) => a.start - b.start);

    let out = '';
    let copied = 0;
    for (const edit of this.edits) {
      out += html.slice(copied, edit.start) + edit.text;
      copied = edit.end;
    }
    return out + html.slice(copied);
  }

  private noteOrigin(origin: string): void {
    if (this.origins.size < MAX_IMPORT_MAP_ORIGINS) this.origins.add(origin);
  }

  /**
   * Adds the origins' prefixes to the page's first import map, or returns a map of their own for the
   * head. An injected map is first in the document, so a page's later map merges into it (in browsers
   * that merge import maps; elsewhere only a page's map that is first and before any module counts).
   * A document that shows no sign of modules gets none: in a browser that does not merge, a map its
   * scripts add later would be refused.
   */
  private importMap(): string {
    const { importMap } = this.options;
    if (!importMap) return '';
    const target = this.pageImportMap;
    // Mapping every origin costs an HMAC each: only for a document that gets or has a map.
    if (!target && !this.moduleSeen && !this.dynamicImportSeen) return '';
    const prefixes = originPrefixes(this.origins, this.options.map);
    if (target) {
      const json = this.html.slice(target.start, target.end);
      const rewritten = rewriteImportMap(json, target.base, this.map, prefixes);
      if (rewritten !== json) {
        this.edits.push({ start: target.start, end: target.end, text: rewritten });
        return '';
      }
    }
    if (!this.moduleSeen && !this.dynamicImportSeen) return '';
    return importMapElement(prefixes, importMap.nonce);
  }

  private restart(at: number): void {
    this.tokenizer.pause();
    if (at < this.html.length) this.restartAt = at;
    else this.stopped = true;
  }

  private decideInjection(offset: number): void {
    if (this.injectAt < 0) this.injectAt = offset;
  }

  // All tags are reported as foreign so that htmlparser2 never switches to raw text by itself: its
  // raw text handling knows neither namespaces, noscript nor script escapes, and this class does it.
  isInForeignContext(): boolean {
    return true;
  }

  ontext(start: number, end: number): void {
    if (this.injectAt >= 0) return;
    const { html } = this;
    let position = start + this.shift;
    const textEnd = end + this.shift;
    while (position < textEnd && isHtmlWhitespace(html.charCodeAt(position))) position++;
    if (position < textEnd) this.decideInjection(position);
    else this.scannedUpTo = textEnd;
  }

  oncomment(start: number, end: number): void {
    const { html } = this;
    const commentStart = start + this.shift;
    const close = end + this.shift;
    if (
      close >= html.length &&
      this.namespaces.namespace === 'html' &&
      html.startsWith('[CDATA[', commentStart)
    ) {
      this.endBogusCdata(commentStart);
      return;
    }
    if (this.injectAt < 0) this.scannedUpTo = Math.min(close + 1, html.length);
  }

  ondeclaration(_start: number, end: number): void {
    if (this.injectAt < 0) this.scannedUpTo = end + this.shift + 1;
  }

  oncdata(start: number, end: number): void {
    // Only foreign content has CDATA sections; elsewhere `<![CDATA[` opens a comment up to the next `>`.
    if (this.namespaces.namespace === 'html') this.endBogusCdata(start + this.shift, end + this.shift);
  }

  private endBogusCdata(contentStart: number, sectionClose = this.html.length): void {
    const close = this.html.indexOf('>', contentStart);
    const end = close === -1 ? this.html.length : close + 1;
    if (this.injectAt < 0) this.scannedUpTo = end;
    if (close !== -1 && close < sectionClose) this.restart(end);
  }

  onopentagname(start: number, end: number): void {
    const { html } = this;
    const nameStart = start + this.shift;
    this.tagStart = nameStart - 1;
    this.endForeignStyle(this.tagStart);
    let name = html.slice(nameStart, end + this.shift).toLowerCase();
    this.namespaces.startTagName(name);
    this.tagIsHtml = this.namespaces.namespace === 'html';
    // The parser renames <image> to <img> in HTML content.
    if (name === 'image' && this.tagIsHtml) name = 'img';
    this.tagName = name;
    this.tagAttributes = ELEMENT_ATTRIBUTES.get(name) ?? ANY_ELEMENT;
    if (this.attributes.length > 0) this.attributes.length = 0;
    this.attribute = null;
  }

  onattribname(start: number, end: number): void {
    const { html, tagAttributes } = this;
    const nameStart = start + this.shift;
    const nameEnd = end + this.shift;
    // Most attributes are not read: rule them out by length and first letter before copying the name.
    const length = nameEnd - nameStart;
    const initial = (html.charCodeAt(nameStart) | 0x20) - 0x61;
    if (
      length > 30 ||
      (tagAttributes.lengths & (1 << length)) === 0 ||
      initial < 0 ||
      initial > 25 ||
      (tagAttributes.initials & (1 << initial)) === 0
    ) {
      return;
    }
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    const kind = tagAttributes.kinds.get(name);
    if (!kind) return;
    // Of duplicate attributes the first one counts.
    for (const attribute of this.attributes) if (attribute.name === name) return;
    this.attribute = { name, kind, valueStart: -1, valueEnd: -1, quoted: false };
  }

  onattribdata(start: number, end: number): void {
    const { attribute } = this;
    if (!attribute) return;
    if (attribute.valueStart < 0) attribute.valueStart = start + this.shift;
    attribute.valueEnd = end + this.shift;
  }

  onattribend(quote: QuoteType): void {
    const { attribute } = this;
    if (!attribute) return;
    attribute.quoted = quote === QuoteType.Double || quote === QuoteType.Single;
    this.attributes.push(attribute);
    this.attribute = null;
  }

  onopentagend(end: number): void {
    this.startTagEnd(end + this.shift + 1, false);
  }

  onselfclosingtag(end: number): void {
    this.startTagEnd(end + this.shift + 1, true);
  }

  private startTagEnd(tagEnd: number, selfClosing: boolean): void {
    const { tagName: name, tagIsHtml: isHtml } = this;
    if (this.injectAt < 0) {
      if (name === 'html') this.scannedUpTo = tagEnd;
      else this.decideInjection(name === 'head' ? tagEnd : this.tagStart);
    }
    this.followNamespace(name, selfClosing);

    if (this.templateDepth === 0) {
      this.rewriteAttributes();
      if (name === 'link' && isHtml && this.linkTypes().includes('modulepreload')) this.moduleSeen = true;
    }
    if (name === 'template' && isHtml) this.templateDepth++;

    if (!isHtml) {
      if (name === 'style' && !selfClosing && this.templateDepth === 0) this.styleContentStart = tagEnd;
    } else if (RAW_TEXT.has(name)) {
      this.skipRawText(name, tagEnd);
    }
  }

  /** In foreign content, whether `<font>` leaves it and `<annotation-xml>` holds HTML depend on attributes. */
  private followNamespace(name: string, selfClosing: boolean): void {
    let breaksOut = false;
    let htmlAnnotation = false;
    if (!this.tagIsHtml) {
      for (const attribute of this.attributes) {
        if (attribute.kind === 'font-style') breaksOut = true;
        else if (attribute.kind === 'encoding') {
          const encoding = this.attributeValue(attribute).toLowerCase();
          htmlAnnotation = encoding === 'text/html' || encoding === 'application/xhtml+xml';
        }
      }
    }
    this.namespaces.startTagEnd(name, selfClosing, breaksOut, htmlAnnotation);
  }

  private skipRawText(name: string, contentStart: number): void {
    const { html } = this;
    if (name === 'plaintext') {
      this.restart(html.length);
      return;
    }
    const contentEnd =
      name === 'script' ? scriptDataEnd(html, contentStart) : rawTextEnd(html, name, contentStart);
    if (name === 'style' && this.templateDepth === 0) this.rewriteStyle(contentStart, contentEnd);
    if (name === 'script' && this.templateDepth === 0) this.readScript(contentStart, contentEnd);
    // Content without `<` reads as plain text to the tokenizer too, up to the end tag.
    if (html.indexOf('<', contentStart) !== contentEnd) this.restart(contentEnd);
  }

  onclosetag(start: number, end: number): void {
    const { html } = this;
    const nameStart = start + this.shift;
    const nameEnd = end + this.shift;
    this.decideInjection(nameStart - 2);
    this.endForeignStyle(nameStart - 2);
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    if (name === 'template' && this.templateDepth > 0 && this.namespaces.namespace === 'html') {
      this.templateDepth--;
    }
    this.namespaces.endTag(name);
    // htmlparser2 ends an end tag at the first `>`, also one inside a quoted attribute value.
    if (html.charCodeAt(nameEnd) !== 0x3e) {
      const close = endTagClose(html, nameEnd);
      if (close !== html.indexOf('>', nameEnd)) this.restart(close + 1);
    }
  }

  private attributeValue(attribute: Attribute): string {
    if (attribute.valueStart < 0) return '';
    return decodeAttributeValue(this.html.slice(attribute.valueStart, attribute.valueEnd));
  }

  private rewriteAttributes(): void {
    const { attributes } = this;
    if (attributes.length === 0) return;
    const httpEquiv = (name: string) =>
      this.tagName === 'meta' &&
      attributes.some((a) => a.kind === 'http-equiv' && this.attributeValue(a).trim().toLowerCase() === name);
    const isRefresh = httpEquiv('refresh');
    const csp = this.options.csp;
    const isPolicy = csp !== undefined && httpEquiv('content-security-policy');
    for (const attribute of attributes) {
      const { kind } = attribute;
      if (
        kind === 'http-equiv' ||
        kind === 'encoding' ||
        kind === 'font-style' ||
        kind === 'script-type' ||
        kind === 'link-type'
      )
        continue;
      if (kind === 'integrity') {
        // The proxy rewrites a style sheet's URLs, so its bytes no longer match the site's hash: an
        // empty integrity (no check) lets the browser use it. Scripts are not rewritten and keep theirs.
        if (attribute.valueStart >= 0 && this.isStylesheetLink())
          this.edits.push(this.valueEdit(attribute, ''));
        continue;
      }
      if (kind === 'refresh' && isPolicy) {
        // Its sources name the site's origins; the page is served from content hosts.
        const policy = this.attributeValue(attribute);
        if (attribute.valueStart >= 0) this.edits.push(this.valueEdit(attribute, rewriteCsp(policy, csp)));
        continue;
      }
      if (kind === 'refresh' && !isRefresh) continue;
      const value = this.attributeValue(attribute);
      // A valueless attribute has no value to replace, and an empty one loads nothing.
      const rewritten = attribute.valueStart < 0 ? value : this.rewriteValue(kind, value);
      if (this.tagName === 'base' && attribute.name === 'href' && this.tagIsHtml && !this.baseSeen) {
        // Only the first <base href> counts, and it resolves against the document's own URL.
        this.baseSeen = true;
        try {
          this.base = new URL(value, this.options.base);
          this.baseOrigins = new Map();
        } catch {
          // An unparsable base leaves the document URL in force, as in browsers.
        }
      }
      if (rewritten === value) continue;
      this.edits.push(this.valueEdit(attribute, rewritten));
    }
  }

  private valueEdit(attribute: Attribute, value: string): Edit {
    const start = attribute.quoted ? attribute.valueStart - 1 : attribute.valueStart;
    const end = attribute.quoted ? attribute.valueEnd + 1 : attribute.valueEnd;
    return { start, end, text: `"${escapeAttribute(value)}"` };
  }

  /** `<link rel=stylesheet>`, or a preload of one. */
  private isStylesheetLink(): boolean {
    if (this.tagName !== 'link') return false;
    const read = (name: string) => {
      const a = this.attributes.find((x) => x.name === name);
      return a ? this.attributeValue(a).toLowerCase() : '';
    };
    const rel = this.linkTypes();
    return rel.includes('stylesheet') || (rel.includes('preload') && read('as').trim() === 'style');
  }

  private linkTypes(): string[] {
    const rel = this.attributes.find((a) => a.name === 'rel');
    return rel
      ? this.attributeValue(rel)
          .toLowerCase()
          .split(/[\t\n\f\r ]+/)
      : [];
  }

  private rewriteValue(kind: AttributeKind, value: string): string {
    const { base, options, map, baseOrigins } = this;
    switch (kind) {
      case 'url':
        return rewriteUrl(value, base, map, baseOrigins);
      case 'srcset':
        return rewriteSrcset(value, base, map, baseOrigins);
      case 'css':
        return rewriteCss(value, base, map);
      case 'urls':
        return value.replace(/[^\t\n\f\r ]+/g, (url) => rewriteUrl(url, base, map));
      case 'refresh':
        return rewriteMetaRefresh(value, base, map);
      case 'html':
        // A srcdoc document takes the base URL of the document around it.
        return this.depth < MAX_SRCDOC_DEPTH
          ? new DocumentRewriter(value, { ...options, base }, this.depth + 1).rewrite()
          : value;
      default:
        return value;
    }
  }

  private endForeignStyle(end: number): void {
    if (this.styleContentStart < 0) return;
    this.rewriteStyle(this.styleContentStart, end);
    this.styleContentStart = -1;
  }

  /**
   * An import map is rewritten (the first one later, with the document's origins added, if no module
   * came before it); a script notes the origins its text names, which it may import.
   */
  private readScript(start: number, end: number): void {
    const typeAttribute = this.attributes.find((a) => a.kind === 'script-type');
    const type = typeAttribute ? this.attributeValue(typeAttribute).trim().toLowerCase() : '';
    if (type === 'importmap') {
      const json = this.html.slice(start, end);
      // Rewriting notes the origins the map names; the first map is rewritten again once all are known.
      const rewritten = rewriteImportMap(json, this.base, this.map);
      if (!this.pageImportMap && !this.moduleSeen && this.options.importMap && isImportMap(json)) {
        this.pageImportMap = { start, end, base: this.base };
      } else if (rewritten !== json) {
        this.edits.push({ start, end, text: rewritten });
      }
      return;
    }
    if (type === 'module') this.moduleSeen = true;
    else if (type !== '' && !/javascript|ecmascript/.test(type)) return;
    if (!this.options.importMap) return;
    const text = this.html.slice(start, end);
    if (DYNAMIC_IMPORT.test(text)) this.dynamicImportSeen = true;
    for (const [origin] of text.matchAll(SCRIPT_ORIGIN)) {
      try {
        this.noteOrigin(new URL(origin).origin);
      } catch {
        // Not a host the URL parser takes (`http://a..b`): nothing can be imported from it.
      }
    }
  }

  private rewriteStyle(start: number, end: number): void {
    if (end <= start) return;
    const css = this.html.slice(start, end);
    const rewritten = rewriteCss(css, this.base, this.map);
    if (rewritten !== css) this.edits.push({ start, end, text: rewritten });
  }

  // Entities are not decoded while tokenizing (decodeEntities is off), so these are never called.
  onattribentity(): void {}
  ontextentity(): void {}
  onprocessinginstruction(): void {}
  onend(): void {}
}

/**
 * Rewrites absolute URLs in a document's attributes and styles to their content hosts and injects
 * `headInject` first in the head, splicing the original text so every other byte is kept.
 * Script and template contents are not touched; srcdoc documents are rewritten the same way.
 */
export function rewriteHtml(html: string, options: HtmlRewriteOptions): string {
  return new DocumentRewriter(html, options, 0).rewrite();
}
