import type { RecognisedLanguage } from '../domain/ScopeTriage.js';
import type { LanguageReplies, Languages } from '../knowledge/schemas.js';
import type { LanguageIdentifier } from './LanguageIdentifier.js';

/**
 * Names the language of a message the bot cannot read, with the sentences to answer in
 * (knowledge/language/languages.json): its own, or the English fallback for a language recognised
 * without sentences of its own.
 */
export class OtherLanguages {
  private readonly byFranc = new Map<string, RecognisedLanguage>();

  private readonly fallback: LanguageReplies;

  constructor(
    knowledge: Languages,
    private readonly identifier: Pick<LanguageIdentifier, 'identify'>,
  ) {
    this.fallback = knowledge.fallback;
    for (const l of knowledge.languages) this.byFranc.set(l.franc, { code: l.code, name: l.name, replies: l });
    for (const l of knowledge.alsoRecognised) this.byFranc.set(l.franc, { code: l.code, name: l.name, replies: knowledge.fallback });
  }

  /** The ISO 639-3 codes franc may answer. */
  static candidates(knowledge: Languages): string[] {
    return [...knowledge.languages, ...knowledge.alsoRecognised].map((l) => l.franc);
  }

  /** The common words of each language that lists them, by ISO 639-3 code. */
  static commonWords(knowledge: Languages): Map<string, Set<string>> {
    return new Map([...knowledge.languages, ...knowledge.alsoRecognised].flatMap((l) => (l.commonWords ? [[l.franc, new Set(l.commonWords)] as [string, Set<string>]] : [])));
  }

  recognise(text: string): RecognisedLanguage | null {
    const franc = this.identifier.identify(text);
    if (franc === null) return null;
    // A code without an entry (the candidates come from the same file, so only if they drift): the English fallback.
    return this.byFranc.get(franc) ?? { code: franc, name: franc, replies: this.fallback };
  }
}
