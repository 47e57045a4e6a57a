import { z } from 'zod';
import { TranslationError, type Translator } from '../session/translation.js';

const TIMEOUT_MS = 5000;
const answer = z.object({ sentences: z.array(z.string().max(20_000)) });

/**
 * A translation service over HTTP: `POST <url>` with `{"sentences": [...], "to": "<language>"}`,
 * answered with `{"sentences": [...]}` in the same order.
 */
export function httpTranslator(url: URL): Translator {
  return {
    async translate(sentences, to) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sentences, to }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        throw new TranslationError(
          `the translation service could not be reached (${(err as Error).message})`,
        );
      }
      if (!res.ok) throw new TranslationError(`the translation service answered ${res.status}`);
      const parsed = answer.safeParse(await res.json().catch(() => null));
      if (!parsed.success) throw new TranslationError('the translation service answered in an unknown shape');
      return parsed.data.sentences;
    },
  };
}
