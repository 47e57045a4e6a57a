import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { IndexedTokenizer } from '../rewriter/tokenizer.js';

/** Every callback with its arguments, in order: what the HTML rewriter sees of a document. */
function tokens(Kind: typeof Tokenizer, html: string, foreign: boolean, chunk = html.length): string[] {
  const seen: string[] = [];
  const callbacks = new Proxy({} as TokenizerCallbacks, {
    get: (_target, name) =>
      name === 'isInForeignContext'
        ? () => foreign
        : (...args: unknown[]) => seen.push(`${String(name)} ${args.join(',')}`),
  });
  const tokenizer = new Kind({ decodeEntities: false }, callbacks);
  for (let at = 0; at < html.length; at += chunk) tokenizer.write(html.slice(at, at + chunk));
  tokenizer.end();
  return seen;
}

const corpus = fileURLToPath(new URL('../../node_modules/htmlparser-benchmark/files/', import.meta.url));

describe('IndexedTokenizer: htmlparser2’s tokenizer, scanning with indexOf', () => {
  it('reports what htmlparser2’s own does for every page of the rewrite corpus', () => {
    for (const name of fs.readdirSync(corpus)) {
      const html = fs.readFileSync(`${corpus}${name}`).toString('latin1');
      assert.deepEqual(tokens(IndexedTokenizer, html, true), tokens(Tokenizer, html, true), name);
    }
  });

  it('reports what htmlparser2’s own does for markup-like text, in HTML and foreign content, whole or in pieces', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      '/',
      '!',
      '?',
      '-',
      '--',
      ']]',
      '"',
      "'",
      '=',
      ' ',
      'a',
      'b',
      '<!--',
      '-->',
      '<![CDATA[',
      ']]>',
      '<a ',
      '</a',
      'x="',
      "y='",
      '\n',
      '&amp;',
      '<script>',
      '</script>',
      '<style>',
      '</style>',
    );
    const markup = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(markup, fc.boolean(), fc.integer({ min: 1, max: 16 }), (html, foreign, chunk) => {
        assert.deepEqual(
          tokens(IndexedTokenizer, html, foreign, chunk),
          tokens(Tokenizer, html, foreign, chunk),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
