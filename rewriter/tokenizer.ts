import { Tokenizer } from 'htmlparser2';

/**
 * htmlparser2's tokenizer, finding the `<` that ends text, the quote that ends an attribute value
 * and the `-` or `]` that may end a comment with `indexOf` instead of a loop over each character
 * (its private `fastForwardTo`): that loop is a fifth of the time a page's rewrite takes. The method
 * has the same contract: `index` moves to the next `c` after it, or to the buffer's last character
 * when there is none. htmlparser2's version is pinned; a version without the method fails here, at
 * load, and test/tokenizer.test.ts compares every callback with the original's.
 */
export class IndexedTokenizer extends Tokenizer {}

/** The fields of htmlparser2's Tokenizer that `fastForwardTo` works with. */
interface Scanning {
  buffer: string;
  index: number;
  offset: number;
}

if (typeof (Tokenizer.prototype as unknown as Record<string, unknown>).fastForwardTo !== 'function') {
  throw new Error("htmlparser2's Tokenizer has no fastForwardTo: rewriter/tokenizer.ts needs a look");
}
Object.defineProperty(IndexedTokenizer.prototype, 'fastForwardTo', {
  value(this: Scanning, c: number): boolean {
    const at = this.buffer.indexOf(String.fromCharCode(c), this.index + 1 - this.offset);
    if (at !== -1) {
      this.index = at + this.offset;
      return true;
    }
    this.index = this.buffer.length + this.offset - 1;
    return false;
  },
});
