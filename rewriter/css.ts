import { rewriteUrl, type UrlMapper } from './url.js';

function isWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f';
}

function isNameChar(char: string | undefined): boolean {
  if (char === undefined) return false;
  const code = char.charCodeAt(0);
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x2d ||
    code >= 0x80
  );
}

function isNewline(char: string | undefined): boolean {
  return char === '\n' || char === '\r' || char === '\f';
}

/** Decodes CSS escapes (`\29 `, `\)`) and drops escaped newlines, which continue a string. */
function decodeEscapes(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(
    /\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\n\r\f])?|(\r\n|[\n\r\f])|([\s\S]))/g,
    (_m, hex, nl, char) => {
      if (hex) {
        const code = Number.parseInt(hex, 16);
        return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
          ? '\uFFFD'
          : String.fromCodePoint(code);
      }
      return nl ? '' : char;
    },
  );
}

function hexEscape(char: string): string {
  return `\\${(char.codePointAt(0) as number).toString(16)} `;
}

function escapeForString(value: string): string {
  return value.replace(/[\\"'\n\r\f]/g, (char) => (isNewline(char) ? hexEscape(char) : `\\${char}`));
}

function escapeForUnquotedUrl(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to escape
  return value.replace(/[\\"'()\s\u0000-\u001f\u007f]/g, hexEscape);
}

/** Index just past the string starting at `start` (a quote); an unescaped newline or EOF ends it too. */
function stringEnd(css: string, start: number): { contentEnd: number; end: number } {
  const quote = css[start];
  let i = start + 1;
  while (i < css.length) {
    const char = css[i];
    if (char === quote) return { contentEnd: i, end: i + 1 };
    if (isNewline(char)) return { contentEnd: i, end: i };
    i += char === '\\' ? 2 : 1;
  }
  return { contentEnd: css.length, end: css.length };
}

function skipWhitespace(css: string, i: number): number {
  while (isWhitespace(css[i])) i++;
  return i;
}

// Most inline styles load nothing; this skips the scan for them.
const MIGHT_LOAD = /url\(|@import|image-set\(/i;

/**
 * Rewrites the URLs a stylesheet loads: `url(...)` in any quoting, `@import "..."` and the strings of
 * `image-set()`. Comments are skipped and `@namespace` URLs are left alone because they are identifiers
 * that selectors must match, not resources. Only URL spans change; quoting style and the rest stay.
 */
export function rewriteCss(css: string, base: URL, map: UrlMapper): string {
  if (!MIGHT_LOAD.test(css)) return css;
  let out = '';
  let copied = 0;
  const replace = (start: number, end: number, text: string): void => {
    out += css.slice(copied, start) + text;
    copied = end;
  };
  const rewriteSpan = (start: number, end: number, encode: (value: string) => string): void => {
    const value = decodeEscapes(css.slice(start, end));
    const rewritten = rewriteUrl(value, base, map);
    if (rewritten !== value) replace(start, end, encode(rewritten));
  };

  // One entry per open parenthesis: whether strings directly inside it are image-set() URLs.
  const parens: boolean[] = [];
  let afterImport = false;
  let inNamespace = false;
  let i = 0;
  const length = css.length;
  while (i < length) {
    const char = css[i] as string;
    if (char === '/' && css[i + 1] === '*') {
      const close = css.indexOf('*/', i + 2);
      i = close === -1 ? length : close + 2;
      continue;
    }
    if (isWhitespace(char)) {
      i++;
      continue;
    }
    if (char === '"' || char === "'") {
      const { contentEnd, end } = stringEnd(css, i);
      if (!inNamespace && (afterImport || parens.at(-1) === true))
        rewriteSpan(i + 1, contentEnd, escapeForString);
      afterImport = false;
      i = end;
      continue;
    }
    afterImport = false;
    if (char === '\\') {
      i += 2;
      continue;
    }
    if (char === '@') {
      const keyword = /^@([a-zA-Z-]+)/.exec(css.slice(i, i + 32));
      const name = keyword?.[1]?.toLowerCase();
      afterImport = name === 'import';
      if (name === 'namespace') inNamespace = true;
      i += keyword ? keyword[0].length : 1;
      continue;
    }
    if (char === ';' || char === '{' || char === '}') {
      inNamespace = false;
      parens.length = 0;
      i++;
      continue;
    }
    if (char === '(') {
      parens.push(false);
      i++;
      continue;
    }
    if (char === ')') {
      parens.pop();
      i++;
      continue;
    }
    if (!isNameChar(char)) {
      i++;
      continue;
    }
    const nameStart = i;
    while (isNameChar(css[i])) i++;
    if (css[i] !== '(') continue;
    const name = css.slice(nameStart, i).toLowerCase();
    i++;
    if (name === 'image-set' || name === '-webkit-image-set') {
      parens.push(true);
      continue;
    }
    if (name !== 'url') {
      parens.push(false);
      continue;
    }
    const valueStart = skipWhitespace(css, i);
    if (css[valueStart] === '"' || css[valueStart] === "'") {
      // url("...") is a function holding a string, so its closing parenthesis is consumed later.
      const { contentEnd, end } = stringEnd(css, valueStart);
      if (!inNamespace) rewriteSpan(valueStart + 1, contentEnd, escapeForString);
      parens.push(false);
      i = end;
      continue;
    }
    let valueEnd = valueStart;
    let bad = false;
    while (valueEnd < length && css[valueEnd] !== ')' && !isWhitespace(css[valueEnd])) {
      const c = css[valueEnd];
      if (c === '"' || c === "'" || c === '(') bad = true;
      valueEnd += c === '\\' && !isNewline(css[valueEnd + 1]) ? 2 : 1;
    }
    const close = skipWhitespace(css, valueEnd);
    if (close < length && css[close] !== ')') bad = true;
    if (!bad && !inNamespace) rewriteSpan(valueStart, Math.min(valueEnd, length), escapeForUnquotedUrl);
    const closeParen = css.indexOf(')', close);
    i = closeParen === -1 ? length : closeParen + 1;
  }
  return copied === 0 ? css : out + css.slice(copied);
}
