/**
 * The translation hook: a chat line is cut into sentences, each translated, and put back together
 * with the spacing it had. What translates is pluggable; Tandem ships an HTTP client for a service
 * the operator names (`TANDEM_TRANSLATE_URL`, see server/translator-http.ts), and none by default.
 */
export interface Translator {
  /** One translation per sentence, in order. */
  translate(sentences: readonly string[], to: string): Promise<string[]>;
}

/** The line's sentences, each with the whitespace that follows it, so joining them gives the line back. */
export function splitSentences(text: string, locale?: string): string[] {
  const segmenter = new Intl.Segmenter(locale, { granularity: 'sentence' });
  return [...segmenter.segment(text)].map((s) => s.segment).filter((s) => s.length > 0);
}

export class TranslationError extends Error {}

export async function translateLine(translator: Translator, text: string, to: string): Promise<string> {
  const pieces = splitSentences(text);
  const sentences = pieces.map((p) => p.trim());
  const translated = await translator.translate(sentences, to);
  if (translated.length !== sentences.length) {
    throw new TranslationError(
      `the translator answered ${translated.length} sentences for ${sentences.length}`,
    );
  }
  return pieces
    .map((piece, i) => {
      const trailing = piece.slice(piece.trimEnd().length);
      const leading = piece.slice(0, piece.length - piece.trimStart().length);
      return `${leading}${translated[i]}${trailing}`;
    })
    .join('');
}
