/**
 * What comes before a classic script's first statement and must stay first: a byte-order mark,
 * a hashbang line, then whitespace, comments and directives (`"use strict"`), which count only
 * ahead of every other statement. A directive is a string alone in its statement: ended by `;`,
 * or by a line break before something that cannot continue it (`"a"\n.split()` is no directive).
 */
const CLASSIC_PROLOGUE =
  /^(?:\xEF\xBB\xBF|\uFEFF)?(?:#![^\n\r]*)?(?:\s+|\/\/[^\n\r]*|\/\*[\s\S]*?\*\/|(['"])(?:\\[\s\S]|(?!\1)[^\\\n\r])*\1(?:\s*;|[ \t]*(?=[\n\r]\s*(?:[\w$'"{/]|$))))*/;

/**
 * Puts Tandem's worker prelude (the code itself) in front of a worker script's own code, so that the
 * worker's requests are mapped before its code runs. The request does not say whether the script
 * is classic or a module, so the prelude is code that runs the same in both, on the script's first
 * line (its other lines keep their numbers). In a module worker every module of the graph gets it;
 * it acts once. The script may be read one character per byte: the mark is matched in both forms.
 */
export function withWorkerPrelude(source: string, prelude: string): string {
  const at = (CLASSIC_PROLOGUE.exec(source)?.[0] ?? '').length;
  return `${source.slice(0, at)};${prelude.replace(/[\s;]+$/, '')};${source.slice(at)}`;
}
