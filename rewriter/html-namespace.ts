export type Namespace = 'html' | 'svg' | 'math';

interface Scope {
  namespace: Namespace;
  /** The end tag that leaves the scope. */
  closedBy: string;
}

// HTML start tags that end foreign content wherever they appear in it ("breaks out" in the standard).
const BREAKOUT = new Set(
  (
    'b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing ' +
    'menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var'
  ).split(' '),
);

// Elements whose children are HTML again.
const SVG_INTEGRATION_POINTS = new Set(['foreignobject', 'desc', 'title']);
const MATHML_INTEGRATION_POINTS = new Set(['mi', 'mo', 'mn', 'ms', 'mtext']);

/**
 * Follows, without building a tree, which namespace the parser is in: it decides whether `<script>` and
 * `<style>` hold raw text (HTML) or markup (SVG, MathML) and whether `<![CDATA[` starts a CDATA section.
 * It is the part of tree construction a tokenizer needs; misnested markup is followed only roughly.
 */
export class NamespaceTracker {
  private readonly scopes: Scope[] = [];
  namespace: Namespace = 'html';

  /** A start tag's name, before its attributes: an HTML element breaks out of foreign content. */
  startTagName(name: string): void {
    if (this.namespace !== 'html' && BREAKOUT.has(name)) this.leaveForeignContent();
  }

  /**
   * A start tag has ended. `breaksOut` is for `<font>` with color, face or size, which leaves foreign
   * content too; `htmlAnnotation` for `<annotation-xml>` whose encoding is HTML.
   */
  startTagEnd(name: string, selfClosing: boolean, breaksOut: boolean, htmlAnnotation: boolean): void {
    if (this.namespace !== 'html' && breaksOut) {
      this.leaveForeignContent();
      return;
    }
    if (selfClosing && this.namespace !== 'html') return;
    if (name === 'svg' || name === 'math') {
      const namespace = this.namespace === 'html' ? name : this.namespace;
      if (!selfClosing) this.enter(namespace, name);
    } else if (
      (this.namespace === 'svg' && SVG_INTEGRATION_POINTS.has(name)) ||
      (this.namespace === 'math' &&
        (MATHML_INTEGRATION_POINTS.has(name) || (name === 'annotation-xml' && htmlAnnotation)))
    ) {
      this.enter('html', name);
    }
  }

  endTag(name: string): void {
    // `</p>` and `</br>` in foreign content act on the HTML elements around it.
    if (this.namespace !== 'html' && (name === 'p' || name === 'br')) {
      this.leaveForeignContent();
      return;
    }
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i]?.closedBy === name) {
        this.scopes.length = i;
        this.namespace = this.scopes.at(-1)?.namespace ?? 'html';
        return;
      }
    }
  }

  private enter(namespace: Namespace, closedBy: string): void {
    this.scopes.push({ namespace, closedBy });
    this.namespace = namespace;
  }

  private leaveForeignContent(): void {
    while (this.scopes.length > 0 && this.scopes.at(-1)?.namespace !== 'html') this.scopes.pop();
    this.namespace = 'html';
  }
}
